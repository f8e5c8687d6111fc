"""Stage 4b: verify and ground. Every quote is aligned to the text by the program, every claim is
checked against its own quotes (:mod:`summarizer.claims.support`), and the drafts become records:
a claim its quotes do not support, or whose only support lies in non-article text (reader
comments, link lists), is moved to the dropped claims with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel

from summarizer.claims import AliasTable, analyse, mentions, normalise
from summarizer.claims.clauses import Attribution
from summarizer.claims.support import Support as SupportVerdict
from summarizer.claims.support import count_support, outcome_support
from summarizer.claims.support import support as claim_support
from summarizer.drafts import DraftEvent, EventsDraft, FactsDraft
from summarizer.ground import Aligner, aligner_for
from summarizer.load import Document
from summarizer.schema import (
    SUB_EVENT_TO_EVENT,
    Actor,
    CasualtyClaim,
    DroppedClaim,
    EventDate,
    EventRecord,
    EventTotals,
    Evidence,
    FactStatus,
    GroundingStats,
    KeyFact,
    Location,
    MatchKind,
    NamedPerson,
    Support,
)

#: Feedback lines about unsupported facts sent back in one re-ask.
MAX_SUPPORT_FEEDBACK = 6

#: At run time there is no case: a name is mentioned only as written (or with a slip, when long).
_NO_ALIASES = AliasTable()


class Grounder:
    """Aligns quotes to one document and tells article support from non-article text."""

    #: Attributions that need no mention in the text.
    GENERIC_SOURCES = frozenset({"the article", "article", "unknown"})

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.evidence: list[Evidence] = []
        self.removed: list[str] = []
        self._aligner = aligner_for(doc.text, (doc.article_start, doc.article_end))
        self._excluded: list[tuple[str, Aligner]] | None = None
        self._year = _year_of(doc.published)
        #: Sources the model gave that its own quote contradicts, replaced by the quote's.
        self.replaced: list[str] = []

    def support(self, statement: str, evidence: Sequence[Evidence]) -> Support:
        """The support verdict on a statement from those of its quotes found in the article as written."""
        found = [e.words for e in evidence if e.found]
        if not found:
            kinds = ", ".join(sorted({e.match.value for e in evidence})) or "none"
            return Support(verdict="unsupported", reasons=[f"no quote found in the article as written ({kinds})"])
        return _as_record(claim_support(statement, found, year=self._year))

    def count_support(self, claim: CasualtyClaim) -> Support:
        """Whether a casualty claim's quote states its count bound to its outcome."""
        values = [v for v in (claim.low, claim.best, claim.high) if v is not None]
        found = [e.words for e in claim.evidence if e.found]
        if not values or not found:
            why = "no count" if not values else "no quote found in the article as written"
            return Support(verdict="unsupported", reasons=[why])
        return _as_record(count_support(min(values), max(values), claim.outcome, found))

    def outcome_support(self, name: str, outcome: str, quotes: Sequence[Evidence]) -> Support:
        """Whether the event's quotes say what happened to a named person."""
        return _as_record(outcome_support(name, outcome, [e.words for e in quotes if e.found]))

    def source_of(self, given: str | None, evidence: Sequence[Evidence], field_name: str) -> str:
        """Who says so, as the evidence says it: the source the quote names, or "the article" when it
        names none. The model's value is kept when the quote names it; otherwise it is replaced and
        the change is noted (the model may have read the source from another sentence)."""
        found = self._sentences_of(evidence)
        attribution = _first_attribution(found)
        stated = (given or "").strip()
        if attribution is None:
            source = "the article"
        elif stated and any(mentions(text, stated, _NO_ALIASES) for text in found):
            return stated
        else:
            source = attribution.source
        if stated and stated.casefold() not in (source.casefold(), "unknown"):
            self.replaced.append(f"{field_name} {stated!r} -> {source!r}")
        return source

    def status_of(self, given: FactStatus, evidence: Sequence[Evidence]) -> FactStatus:
        """The status the quote's reporting verb gives ("confirmed", "denied", "claimed", "said"), else the
        model's."""
        attribution = _first_attribution(self._sentences_of(evidence))
        return attribution.kind if attribution is not None else given

    def _sentences_of(self, evidence: Sequence[Evidence]) -> list[str]:
        """The article sentence around each found quote: a quote may leave out its "X said"."""
        text = self.doc.text
        found = []
        for e in evidence:
            if not e.found or e.start is None or e.end is None:
                continue
            start = max(text.rfind(mark, self.doc.article_start, e.start) for mark in (". ", "\n", "? ", "! "))
            ends = [i for mark in (". ", "\n", "? ", "! ") if (i := text.find(mark, e.end, self.doc.article_end)) >= 0]
            found.append(text[max(start + 1, self.doc.article_start) : min(ends, default=self.doc.article_end) + 1])
        return found

    def supported(self, value: str | None, field_name: str) -> str | None:
        """The value if the article mentions it, else None (and the removal is noted)."""
        if value is None or not value.strip():
            return None
        if value.strip().lower() in self.GENERIC_SOURCES or mentions(self.doc.article_text, value, _NO_ALIASES):
            return value.strip()
        self.removed.append(f"{field_name} {value.strip()!r}")
        return None

    def supported_list(self, values: Sequence[str], field_name: str) -> list[str]:
        """Values the article mentions, duplicates removed, in order."""
        kept = [v for v in (self.supported(value, field_name) for value in values) if v is not None]
        return list(dict.fromkeys(kept))

    def align(self, quote: str) -> Evidence:
        """Align one quote to the article body (not recorded in the stats)."""
        return self._aligner.align(quote)

    def ground(self, quote: str) -> Evidence:
        """Align one quote to the article body and count it in the stats."""
        evidence = self.align(quote)
        self.evidence.append(evidence)
        return evidence

    def non_article_source(self, quote: str) -> str | None:
        """If the quote is not in the article but is in excluded text, that region's reason."""
        if self.align(quote).match is not MatchKind.unmatched:
            return None
        if self._excluded is None:
            self._excluded = [(r.reason, aligner_for(self.doc.text, (r.start, r.end))) for r in self.doc.excluded]
        for reason, aligner in self._excluded:
            if aligner.align(quote).match is not MatchKind.unmatched:
                return reason
        return None

    def notes(self) -> list[str]:
        """Warnings about what grounding changed: sources replaced by the quotes' own, values removed."""
        notes = []
        if self.replaced:
            notes.append(f"sources replaced by the ones their quotes name: {', '.join(dict.fromkeys(self.replaced))}")
        if self.removed:
            notes.append(f"values not found in the article were removed: {', '.join(dict.fromkeys(self.removed))}")
        return notes

    def stats(self) -> GroundingStats:
        """Counts of exact, fuzzy and unmatched evidence kept in the record."""
        kinds = [e.match for e in self.evidence]
        return GroundingStats(
            exact=kinds.count(MatchKind.exact),
            fuzzy=kinds.count(MatchKind.fuzzy),
            altered=kinds.count(MatchKind.altered),
            unmatched=kinds.count(MatchKind.unmatched),
        )


ItemT = TypeVar("ItemT", bound=BaseModel)


def _unique(items: list[ItemT]) -> list[ItemT]:
    """Items without exact repeats, in order."""
    kept: list[ItemT] = []
    for item in items:
        if item not in kept:
            kept.append(item)
    return kept


def _as_record(verdict: SupportVerdict) -> Support:
    """The core's verdict as the record stores it."""
    return Support(verdict=verdict.verdict, reasons=list(verdict.reasons))


def _first_attribution(sentences: Sequence[str]) -> Attribution | None:
    """The first affirmative attribution the sentences make ("The NDS said ...")."""
    return next((found for text in sentences if (found := analyse(text).attribution) is not None), None)


def _year_of(published: str | None) -> int | None:
    match = re.search(r"\b(19|20)\d\d\b", published or "")
    return int(match.group()) if match else None


def _is_grounded(evidence: Sequence[Evidence]) -> bool:
    """At least one quote found as written (exact or fuzzy); an altered quote grounds nothing."""
    return any(e.found for e in evidence)


def build_key_facts(draft: FactsDraft, grounder: Grounder) -> tuple[list[KeyFact], list[DroppedClaim]]:
    """Ground each drafted fact; drop those supported only by non-article text."""
    facts: list[KeyFact] = []
    dropped: list[DroppedClaim] = []
    seen: set[tuple[str, str]] = set()
    for fact in draft.key_facts:
        identity = (normalise(fact.statement), normalise(fact.quote))
        if identity in seen:  # small models repeat themselves
            continue
        seen.add(identity)
        reason = grounder.non_article_source(fact.quote)
        if reason is not None:
            dropped.append(DroppedClaim(statement=fact.statement, reason=f"quote comes from {reason}"))
            continue
        evidence = [grounder.ground(fact.quote)]
        verdict = grounder.support(fact.statement, evidence)
        if verdict.verdict != "supported":
            dropped.append(
                DroppedClaim(statement=fact.statement, reason=_why(verdict), support=verdict, evidence=evidence)
            )
            continue
        facts.append(
            KeyFact(
                statement=fact.statement.strip(),
                attribution=grounder.source_of(fact.attribution, evidence, "attribution"),
                status=grounder.status_of(fact.status, evidence),
                evidence=evidence,
                support=verdict,
                grounded=_is_grounded(evidence),
            )
        )
    return facts, dropped


def _why(verdict: Support) -> str:
    detail = f": {'; '.join(verdict.reasons)}" if verdict.reasons else ""
    return f"{verdict.verdict} by its own quote{detail}"


def conservative_totals(claims: Sequence[CasualtyClaim]) -> EventTotals:
    """The declared rule (``acled_most_conservative``), for each counted group and outcome:

    1. each claim counts its lowest figure (a range "40 to 60" counts 40);
    2. one source's claims for the same group and outcome are distinct sub-groups, so they are
       added (NDS: 80 AQIS members, 3 Punjabi Taliban and 2 local Taliban killed is 85);
    3. across sources, the lowest of those sums is taken (NDS 85, a second source 60: 60);
    4. the groups are added for the event's total of that outcome.
    """
    by_source: dict[tuple[str, str], dict[str, int]] = {}
    for claim in claims:
        values = [v for v in (claim.low, claim.best, claim.high) if v is not None]
        if not values:
            continue
        sums = by_source.setdefault((claim.group, claim.outcome), {})
        source = normalise(claim.claimed_by).strip(" .,") or "unknown"
        sums[source] = sums.get(source, 0) + min(values)
    lowest = {key: min(sums.values()) for key, sums in by_source.items()}

    def total(outcome: str) -> int | None:
        counts = [count for (_, kind), count in lowest.items() if kind == outcome]
        return sum(counts) if counts else None

    return EventTotals(killed=total("killed"), captured=total("captured"), injured=total("injured"))


def ordered_counts(low: int | None, best: int | None, high: int | None) -> dict[str, int | None]:
    """Put a drafted count in order: low <= best <= high (the model may mix them up)."""
    values = sorted(v for v in (low, best, high) if v is not None)
    if not values:
        return {"low": None, "best": None, "high": None}
    if best is None or not values[0] <= best <= values[-1]:
        best = values[len(values) // 2]
    return {"low": values[0], "best": best, "high": values[-1]}


def build_event(
    event: DraftEvent, grounder: Grounder, more_quotes: Sequence[str] = ()
) -> tuple[EventRecord, list[DroppedClaim]]:
    """Turn a drafted event into a grounded record; casualty counts and person outcomes that their
    quotes do not state are moved to the dropped claims. ``more_quotes`` are further sentences that
    describe the event (the evidence strategy reads an event from several)."""
    claims: list[CasualtyClaim] = []
    dropped: list[DroppedClaim] = []
    seen: list[dict[str, object]] = []
    for c in event.casualties:
        claim = CasualtyClaim(
            group=c.group,
            outcome=c.outcome,
            **ordered_counts(c.low, c.best, c.high),
            claimed_by="unknown",
            evidence=[grounder.align(c.quote)],
        )
        claim = claim.model_copy(update={"claimed_by": grounder.source_of(c.claimed_by, claim.evidence, "claimed_by")})
        if claim.model_dump() in seen:  # small models repeat themselves
            continue
        seen.append(claim.model_dump())
        grounder.evidence.extend(claim.evidence)
        verdict = grounder.count_support(claim)
        if verdict.verdict != "supported":
            counts = "-".join(str(v) for v in dict.fromkeys((claim.low, claim.best, claim.high)) if v is not None)
            statement = f"casualties: {counts or '?'} {claim.group} {claim.outcome} (claimed by {claim.claimed_by})"
            dropped.append(
                DroppedClaim(statement=statement, reason=_why(verdict), support=verdict, evidence=claim.evidence)
            )
            continue
        claims.append(claim)
    evidence = [grounder.ground(quote) for quote in dict.fromkeys([event.quote, *more_quotes])]
    quotes = evidence + [e for claim in claims for e in claim.evidence]
    persons = []
    for p in event.persons:
        if not grounder.supported(p.name, "person"):
            continue
        person = NamedPerson(name=p.name.strip(), role=p.role.strip(), outcome=p.outcome)
        if person.outcome in ("killed", "captured", "injured"):
            verdict = grounder.outcome_support(person.name, person.outcome, quotes)
            if verdict.verdict != "supported":
                statement = f"person: {person.name} {person.outcome}"
                dropped.append(
                    DroppedClaim(statement=statement, reason=_why(verdict), support=verdict, evidence=quotes)
                )
                person = person.model_copy(update={"outcome": "none"})
        persons.append(person)
    start, end = event.date_start, event.date_end or event.date_start
    if start and end and end < start:
        start, end = end, start
    return EventRecord(
        event_type=SUB_EVENT_TO_EVENT[event.sub_event_type],  # type: ignore[arg-type]
        sub_event_type=event.sub_event_type,
        date=EventDate(start=start, end=end, precision=event.date_precision),
        location=Location(
            country=grounder.supported(event.country, "country"),
            admin1=grounder.supported(event.admin1, "admin1"),
            admin2=grounder.supported(event.admin2, "admin2"),
            place=grounder.supported(event.place, "place"),
            precision=event.location_precision,
        ),
        actors=_unique(
            [Actor(name=a.name.strip(), role=a.role) for a in event.actors if grounder.supported(a.name, "actor")]
        ),
        persons=_unique(persons),
        casualty_claims=claims,
        totals=conservative_totals(claims),
        sources=grounder.supported_list(event.sources, "source"),
        conflicting_reports=[event.conflicting_reports] if event.conflicting_reports else [],
        evidence=evidence,
        grounded=_is_grounded(evidence),
    ), dropped


def build_events(
    draft: EventsDraft, grounder: Grounder, more_quotes: Sequence[Sequence[str]] = ()
) -> tuple[list[EventRecord], list[DroppedClaim]]:
    """Ground each drafted event; drop those described only by non-article text. ``more_quotes[i]``
    are further sentences describing event ``i``."""
    events: list[EventRecord] = []
    dropped: list[DroppedClaim] = []
    for index, event in enumerate(draft.events):
        reason = grounder.non_article_source(event.quote)
        if reason is not None:
            dropped.append(DroppedClaim(statement=f"event: {event.quote[:120]}", reason=f"quote comes from {reason}"))
            continue
        record, lost = build_event(event, grounder, more_quotes[index] if index < len(more_quotes) else ())
        events.append(record)
        dropped.extend(lost)
    return events, dropped


def support_problems(draft: FactsDraft, doc: Document) -> list[str]:
    """Feedback lines for drafted facts whose own quote (found in the article) does not support them."""
    grounder = Grounder(doc)
    problems = []
    for fact in draft.key_facts:
        evidence = [grounder.align(fact.quote)]
        if not evidence[0].found:
            continue  # a quote not in the article is the grounding feedback's job
        verdict = grounder.support(fact.statement, evidence)
        if verdict.verdict != "supported":
            problems.append(
                f'your statement "{fact.statement.strip()[:160]}" is {verdict.verdict} by its quote '
                f"({'; '.join(verdict.reasons)[:200]}): state only what the quote says, or choose a quote that says it"
            )
    return problems[:MAX_SUPPORT_FEEDBACK]
