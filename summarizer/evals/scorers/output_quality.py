"""Quotes found, schema validity, first-try validity, repairs and re-asks: properties of the output,
never of its faithfulness (that is :mod:`.facts`)."""

from __future__ import annotations

from pydantic import ValidationError

from summarizer.evals.scores import ItemResult, Sample, Score
from summarizer.schema import MatchKind, SummaryRecord


def quotes_found_rate(sample: Sample) -> Score:
    """Share of evidence quotes found in the article (exact or fuzzy); counts by kind in ``extra``.

    A found quote says the words exist in the article, not that they support the claim."""
    counts = {kind.value: 0 for kind in MatchKind}
    if sample.output:
        evidence = [e for f in sample.output.key_facts for e in f.evidence]
        for event in sample.output.events:
            evidence += event.evidence + [e for c in event.casualty_claims for e in c.evidence]
        for item in evidence:
            counts[item.match.value] += 1
    total = sum(counts.values())
    grounded = counts["exact"] + counts["fuzzy"]
    explanation = (
        f"quotes found: {counts['exact']} exact, {counts['fuzzy']} fuzzy, "
        f"{counts['altered']} altered, {counts['unmatched']} unmatched"
    )
    return Score(name="quotes_found_rate", numerator=grounded, denominator=total, extra=counts, explanation=explanation)


def schema_validity(sample: Sample) -> Score:
    """1 when the stored output validates against the output schema."""
    if sample.raw_output is None:
        return Score(
            name="schema_validity",
            numerator=0,
            denominator=1,
            explanation=f"no output: {sample.error}",
            items=[ItemResult(id="output", ok=False, reason=sample.error or "missing")],
        )
    try:
        SummaryRecord.model_validate(sample.raw_output)
    except ValidationError as exc:
        reason = f"invalid: {exc.error_count()} errors"
        return Score(
            name="schema_validity",
            numerator=0,
            denominator=1,
            explanation=reason,
            items=[ItemResult(id="output", ok=False, reason=reason)],
        )
    return Score(name="schema_validity", numerator=1, denominator=1, explanation="valid")


def first_try_validity(sample: Sample) -> Score:
    """1 when every model call's first answer was schema-valid as sent (repaired answers do not count)."""
    ok = bool(sample.output and sample.output.provenance.first_try_valid)
    return Score(
        name="first_try_validity",
        numerator=int(ok),
        denominator=1,
        explanation="first answers valid" if ok else "a first answer was invalid or missing",
    )


def _per_attempt(sample: Sample, name: str, count: str, what: str) -> Score:
    """A provenance counter per model call attempt (lower is better)."""
    if not sample.output:
        return Score(name=name, numerator=0, denominator=0, higher_is_better=False, explanation="no output")
    prov = sample.output.provenance
    value = getattr(prov, count)
    return Score(name=name, numerator=value, denominator=prov.attempts, higher_is_better=False,
                 explanation=f"{value} {what} in {prov.attempts} attempts")  # fmt: skip


def repair_rate(sample: Sample) -> Score:
    """Answers that parsed only after repairing near-JSON, per attempt (lower is better)."""
    return _per_attempt(sample, "repair_rate", "repairs", "repaired answers")


def reask_rate(sample: Sample) -> Score:
    """Re-asks per model call attempt (lower is better)."""
    return _per_attempt(sample, "reask_rate", "reasks", "re-asks")
