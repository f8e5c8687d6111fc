"""Negative hits: output claims that match a claim which must not appear."""

from __future__ import annotations

from summarizer.evals.claims import all_claims
from summarizer.evals.scorers.facts import best_of
from summarizer.evals.scores import ItemResult, Sample, Score


def negative_hits(sample: Sample) -> Score:
    """Negatives the output asserts (lower is better); each hit names the claim that made it."""
    claims = all_claims(sample.output) if sample.output else []
    items = []
    for negative in sample.case.negatives:
        match = best_of(sample, negative.id, claims)
        reason = f"HIT ({negative.why}): {match.text}" if match.matched else f"not asserted ({negative.why})"
        items.append(ItemResult(id=negative.id, ok=match.matched, reason=reason))
    return Score.from_items("negative_hits", items, "negative claims asserted", higher_is_better=False)
