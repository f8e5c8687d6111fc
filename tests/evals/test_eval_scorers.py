"""Scorers on hand-built outputs (tests/hand_built.py) against the real reference cases."""

from __future__ import annotations

from pathlib import Path

from hand_built import ROOT, hand_built_event, hand_built_record

from summarizer.evals.samples import load_cases, make_sample
from summarizer.evals.scorers import score_sample
from summarizer.evals.scorers.events import event_scores
from summarizer.evals.scorers.facts import contradiction_rate, fact_recall, fact_reference_precision, key_fact_recall
from summarizer.evals.scorers.negatives import negative_hits
from summarizer.evals.scores import Sample
from summarizer.evals.stats import bootstrap, paired_difference

CONFIG, CASES = load_cases(ROOT / "evals" / "config.yaml")
CASE_000, CASE_004 = CASES[:2]


def sample(record: object, case: object = CASE_000) -> Sample:
    return make_sample(case, CONFIG, record.model_dump(mode="json"), None)  # type: ignore[attr-defined]


def item(score: object, item_id: str) -> object:
    return next(i for i in score.items if i.id == item_id)  # type: ignore[attr-defined]


def test_paraphrase_and_alias_earn_recall_credit() -> None:
    record = hand_built_record(
        [
            "Afghan intelligence said six other AQIS militants died in the operation.",
            "Asim Umar, who headed al-Qaida in the Indian Subcontinent, died in a raid on Sept. 23.",
        ]
    )
    recall = fact_recall(sample(record))
    assert item(recall, "f08").ok  # six = 6, killed = died
    assert item(recall, "f01").ok  # Asim Umar = Asim Omar, Sept. 23 = 2019-09-23
    assert item(recall, "f02").ok  # headed = leader, alias of AQIS


def test_killed_60_instead_of_six_loses_the_fact_and_says_why() -> None:
    good = fact_recall(sample(hand_built_record(["The NDS said it killed six other AQIS members."])))
    bad = fact_recall(sample(hand_built_record(["The NDS said it killed 60 other AQIS members."])))
    assert item(good, "f08").ok and not item(bad, "f08").ok
    assert bad.value is not None and good.value is not None and bad.value < good.value
    assert "missing number 6 killed (stated: 60 killed)" in item(bad, "f08").reason


def test_wrong_date_wrong_person_and_swap_earn_nothing() -> None:
    recall = fact_recall(
        sample(
            hand_built_record(
                [
                    "A raid on Sept. 21 killed Asim Omar.",  # wrong date
                    "A raid on Sept. 23 killed Ayman al-Zawahiri.",  # wrong person
                    "Asim Omar was captured on Sept. 23.",  # killed/captured swap
                ]
            )
        )
    )
    assert not item(recall, "f01").ok


def test_reader_comment_claim_and_swap_are_negative_hits() -> None:
    comment = hand_built_record(["The US should buy the opium crops directly from the farmers."])
    hits = negative_hits(sample(comment, CASE_004))
    assert hits.numerator >= 1 and any("comment" in i.reason.lower() for i in hits.items if i.ok)
    swap = negative_hits(sample(hand_built_record(["Asim Omar was captured in the raid."])))
    assert item(swap, "n01").ok and "HIT" in item(swap, "n01").reason


def test_reference_precision_is_not_one_by_construction() -> None:
    # Both facts carry a quote found verbatim in the article; only one states a reference fact.
    record = hand_built_record(
        ["The NDS said it killed six other AQIS members.", "Shawn Snow"],
        quotes=["The NDS said it killed six other AQIS members", "Shawn Snow"],
    )
    precision = fact_reference_precision(sample(record))
    assert precision.numerator == 1 and precision.denominator == 2
    assert "matches no reference fact" in precision.items[1].reason


def test_key_fact_recall_counts_only_key_facts() -> None:
    record = hand_built_record(["Ayman al-Zawahiri has led al-Qaida since Osama bin Laden was killed."])
    assert item(fact_recall(sample(record)), "f11").ok  # a detail fact
    key = key_fact_recall(sample(record))
    assert key.numerator == 0 and key.denominator == sum(f.importance == "key" for f in CASE_000.case.facts)


def test_contradictions_are_counted_and_named() -> None:
    record = hand_built_record(
        ["Asim Omar was not killed in the Sept. 23 raid.", "Resolute Support said six other AQIS members were killed.",
         "The NDS said six other AQIS members were killed."]
    )  # fmt: skip
    rate = contradiction_rate(sample(record))
    # the record's attribution field says NDS, so the second claim names the right source too
    assert [i.ok for i in rate.items[:3]] == [True, False, False]
    assert "contradicts" in rate.items[0].reason


def test_event_matching_fields_and_killed_captured_confusion() -> None:
    scores = {s.name: s for s in event_scores(sample(hand_built_record([], events=[hand_built_event()])))}
    assert scores["event_recall"].numerator == 1 and scores["event_precision"].value == 1.0
    assert scores["event_sub_type_accuracy"].value == 1.0
    assert scores["event_location_accuracy"].value == 1.0
    assert scores["event_date_accuracy"].value == 1.0  # Sept. 23 inside the Sept. 22-23 window
    # NDS's 6-7 killed is matched; the MoD's 22 killed and 14 arrested are missing
    assert (scores["event_counts_accuracy"].numerator, scores["event_counts_accuracy"].denominator) == (1, 3)
    assert scores["event_attribution_accuracy"].value == 1.0
    confusion = scores["event_counts_accuracy"].extra["killed_captured_confusion"]
    assert confusion["killed"] == {"killed": 2, "missing": 1} and confusion["captured"] == {"missing": 1}

    swapped = hand_built_event()
    swapped["casualty_claims"][0]["outcome"] = "captured"
    swapped["persons"][0]["outcome"] = "captured"
    scores = {s.name: s for s in event_scores(sample(hand_built_record([], events=[swapped])))}
    assert scores["event_counts_accuracy"].value == 0.0
    assert scores["event_counts_accuracy"].extra["killed_captured_confusion"]["killed"] == {"captured": 2, "missing": 1}


def test_event_outside_window_or_place_loses_field_credit() -> None:
    wrong = hand_built_event(date={"start": "2019-10-05", "end": "2019-10-05", "precision": "day"})
    wrong["location"]["admin2"] = "Kajaki"
    scores = {s.name: s for s in event_scores(sample(hand_built_record([], events=[wrong])))}
    assert scores["event_date_accuracy"].value == 0.0
    assert scores["event_location_accuracy"].value is not None and scores["event_location_accuracy"].value < 1.0


def test_all_scorers_run_on_an_empty_output() -> None:
    scores = score_sample(make_sample(CASE_000, CONFIG, None, "provider_error"))
    assert scores["fact_recall"].value == 0.0 and scores["schema_validity"].value == 0.0


def test_a_schema_invalid_output_is_scored_invalid_not_raised() -> None:
    broken = hand_built_record(["Asim Omar was killed."]).model_dump(mode="json")
    broken["events"] = [{"event_type": "Picnic"}]
    scores = score_sample(make_sample(CASE_000, CONFIG, broken, None))
    assert scores["schema_validity"].value == 0.0 and scores["fact_recall"].value == 0.0


def test_bootstrap_is_deterministic_and_brackets_the_value() -> None:
    first, second = bootstrap([(5, 14), (3, 22)]), bootstrap([(5, 14), (3, 22)])
    assert first == second
    assert first.low is not None and first.high is not None and first.value is not None
    assert first.low <= first.value <= first.high
    units = [[(True, True)] * 5 + [(False, False)] * 9, [(True, True)] * 3 + [(False, False)] * 19]
    same = paired_difference([(5, 14), (3, 22)], [(5, 14), (3, 22)], units)
    assert same.value == 0.0 and same.low == 0.0 and same.high == 0.0
    better = paired_difference(
        [(6, 14), (3, 22)], [(5, 14), (3, 22)], [[*units[0][:5], (True, False), *units[0][6:]], units[1]]
    )
    assert better.value is not None and better.value > 0 and better.low is not None and better.low >= 0


def test_case_files_carry_their_schema_line() -> None:
    for path in sorted((ROOT / "evals" / "cases").glob("*.yaml")):
        assert "$schema: ../schema/case.schema.json" in Path(path).read_text(encoding="utf-8")


def test_grounding_validity_and_reask_scorers_on_hand_built_outputs() -> None:
    from summarizer.evals.scorers.output_quality import (
        first_try_validity,
        quotes_found_rate,
        reask_rate,
        schema_validity,
    )

    record = hand_built_record(
        ["The NDS said it killed six other AQIS members.", "Aliens landed."],
        quotes=["The NDS said it killed six other AQIS members", "Aliens landed in Kabul yesterday evening"],
    )
    grounding = quotes_found_rate(sample(record))
    assert grounding.extra == {"exact": 1, "fuzzy": 0, "altered": 0, "unmatched": 1} and grounding.value == 0.5
    assert schema_validity(sample(record)).value == 1.0
    broken = record.model_dump(mode="json")
    broken["events"] = [{"event_type": "Picnic"}]
    assert schema_validity(Sample(case=CASE_000.case, output=None, raw_output=broken)).value == 0.0
    record.provenance.reasks, record.provenance.attempts, record.provenance.first_try_valid = 1, 3, False
    assert reask_rate(sample(record)).value == 1 / 3
    assert first_try_validity(sample(record)).value == 0.0


# Quotes are seed 000's sentences; the statements are hand-built, faithful or adversarial.
SIX = "The NDS said it killed six other AQIS members"


def test_unsupported_as_grounded_counts_grounded_claims_their_quotes_do_not_support() -> None:
    from summarizer.evals.scorers.support import unsupported_as_grounded

    faithful = hand_built_record(["The NDS said it killed six other AQIS members."], quotes=[SIX])
    score = unsupported_as_grounded(sample(faithful))
    assert (score.numerator, score.denominator) == (0, 1)
    adversarial = [
        "The NDS said it killed seven other AQIS members.",  # altered number
        "The NDS said it captured six other AQIS members.",  # swapped outcome
        "The NDS said it did not kill six other AQIS members.",  # negation
        "Shawn Snow",  # a byline as a fact
    ]
    record = hand_built_record(adversarial, quotes=[SIX] * 4)
    assert all(f.grounded for f in record.key_facts)  # hand-built: marked grounded, as an old record would be
    score = unsupported_as_grounded(sample(record))
    assert (score.numerator, score.denominator) == (4, 4), [i.reason for i in score.items]
    assert score.higher_is_better is False


def test_unsupported_as_grounded_skips_what_the_output_does_not_call_grounded() -> None:
    from summarizer.evals.scorers.support import unsupported_as_grounded

    record = hand_built_record(["Shawn Snow"], quotes=["A sentence that is nowhere in the article at all"])
    assert not record.key_facts[0].grounded
    assert unsupported_as_grounded(sample(record)).denominator == 0
