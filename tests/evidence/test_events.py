"""Events of the evidence strategy, on an article written for these tests
(tests/data/evidence_article.txt, fictional) and hand-written sentences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from summarizer.evidence.events import EventDate, dates_agree, event_groups, places_agree
from summarizer.evidence.extract import extract_evidence
from summarizer.evidence.places import PlaceFix
from summarizer.load import load_document

ARTICLE = Path(__file__).resolve().parents[1] / "data" / "evidence_article.txt"
MONDAY = "2024-06-03"  # the article's publication day (a Monday)


def _events(published: str | None = MONDAY):  # type: ignore[no-untyped-def]
    return extract_evidence(load_document(ARTICLE), published)


def test_two_incidents_on_two_days_are_two_events_with_their_own_counts_and_sources() -> None:
    drafts = _events()
    kinds = [(e.sub_event_type, e.date_start) for e in drafts.events.events]
    assert kinds[:2] == [("Armed clash", dt.date(2024, 6, 2)), ("Air or drone strike", dt.date(2024, 5, 28))]
    clash, strike = drafts.events.events[:2]
    counts = {(c.group, c.outcome, c.best, c.claimed_by) for c in clash.casualties}
    assert ("security_forces", "killed", 4, "army") in counts
    assert ("militants", "killed", 11, "army") in counts and ("militants", "captured", 3, "army") in counts
    assert ("civilians", "killed", 6, "local official") in counts
    assert {(c.group, c.outcome, c.best, c.claimed_by) for c in strike.casualties} == {
        ("militants", "killed", 9, "air force")}  # fmt: skip
    assert (clash.admin2, clash.admin1, clash.country) == ("Zaria", "Kaduna", "Nigeria")
    assert clash.place is None  # "KADUNA, Nigeria -" is where the story was filed, not a place of the event
    assert strike.place == "Dogon Dawa"


def test_the_date_it_was_said_is_not_the_date_it_happened() -> None:
    clash = _events().events.events[0]
    assert clash.date_start == dt.date(2024, 6, 2)  # "on Sunday", not "said on Monday" (June 3)


def test_a_destruction_in_the_strike_is_its_own_event_at_the_strikes_date_and_place() -> None:
    events = _events().events.events
    destroyed = [e for e in events if e.sub_event_type == "Looting/property destruction"]
    assert len(destroyed) == 1
    assert (destroyed[0].date_start, destroyed[0].place) == (events[1].date_start, events[1].place)


def test_corrections_background_and_reader_comments_make_no_event() -> None:
    quotes = " ".join(e.quote for e in _events().events.events)
    assert "Correction" not in quotes and "twice since January" not in quotes and "40 soldiers" not in quotes


def test_without_a_publication_date_no_year_is_invented() -> None:
    drafts = extract_evidence(load_document(ARTICLE), None)
    assert drafts.publication.year is None
    assert all(e.date_start is None for e in drafts.events.events)
    assert any("publication date (--published)" in w and "sunday" in w for w in drafts.warnings)


def test_agreement_rules() -> None:
    month = EventDate(dt.date(2024, 6, 1), dt.date(2024, 6, 30), "month", "june")
    day, other = (EventDate(dt.date(2024, 6, d), dt.date(2024, 6, d), "day", str(d)) for d in (2, 5))
    assert dates_agree(month, day) and not dates_agree(day, other) and dates_agree(None, day)
    helmand = PlaceFix(country="Afghanistan", admin1="Helmand", precision="province")
    assert places_agree(helmand, PlaceFix(admin1="Helmand", admin2="Musa Qala", precision="district"))
    assert not places_agree(helmand, PlaceFix(place="Kabul", precision="place"))
    assert places_agree(helmand, PlaceFix())


def test_groups_hold_only_article_sentences_in_order() -> None:
    doc = load_document(ARTICLE)
    from summarizer.ground import split_sentences

    sentences = split_sentences(doc.article_text)
    for group in event_groups(sentences, doc.article_text, 2024, dt.date(2024, 6, 3)):
        indices = [m.index for m in group.mentions]
        assert indices == sorted(indices) and all(m.sentence in doc.article_text for m in group.mentions)


def test_a_hard_wrapped_article_is_read_by_sentence_not_by_line(tmp_path: Path) -> None:
    """Written for the tests: the evidence article wrapped at 60 columns, as wire copy is."""
    import textwrap

    body = ARTICLE.read_text(encoding="utf-8").split("\n\n")[1].splitlines()[:8]
    wrapped = "\n\n".join(textwrap.fill(" ".join(body[i : i + 4]), 60) for i in (0, 4))
    path = tmp_path / "wrapped.txt"
    path.write_text("Militants attack army post\n\n" + wrapped + "\n", encoding="utf-8")
    drafts = extract_evidence(load_document(path), MONDAY)
    assert len(drafts.facts.key_facts) >= 4
    assert [e.sub_event_type for e in drafts.events.events][:2] == ["Armed clash", "Air or drone strike"]
    for fact in drafts.facts.key_facts:
        assert "\n" not in fact.statement and fact.quote in path.read_text(encoding="utf-8")


def test_a_place_name_longer_than_the_draft_allows_is_dropped_not_a_crash() -> None:
    from summarizer.evidence.events import EventGroup, draft_event

    group = EventGroup(place=PlaceFix(admin2="X" * 70, admin1="Kaduna", precision="district"))
    group.mentions.append(event_groups(["Gunmen attacked an army post in Kaduna on Sunday."], "", 2024,
                                       dt.date(2024, 6, 3))[0].mentions[0])  # fmt: skip
    event = draft_event(group)
    assert (event.admin2, event.admin1) == (None, "Kaduna")
