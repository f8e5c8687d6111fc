"""Key-fact recall (FineSurE completeness), reference precision and contradictions (faithfulness)."""

from __future__ import annotations

from functools import partial

from summarizer.claims.match import BestMatch, OutputClaim, best_match
from summarizer.evals.claims import all_claims, fact_claims
from summarizer.evals.scores import ItemResult, Sample, Score


def best_of(sample: Sample, item_id: str, claims: list[OutputClaim]) -> BestMatch:
    """The output claim closest to one reference item, through the sample's shared checks."""
    return best_match(sample.reference(item_id), claims, partial(sample.check, item_id))


def _recall_items(sample: Sample, importance: str | None) -> list[ItemResult]:
    claims = fact_claims(sample.output) if sample.output else []
    items = []
    for fact in sample.case.facts:
        if importance and fact.importance != importance:
            continue
        match = best_of(sample, fact.id, claims)
        items.append(ItemResult(id=fact.id, ok=match.matched, reason=match.reason, group=fact.importance))
    return items


def fact_recall(sample: Sample) -> Score:
    """Share of reference facts covered by the output's key facts and summary."""
    return Score.from_items("fact_recall", _recall_items(sample, None), "reference facts covered")


def key_fact_recall(sample: Sample) -> Score:
    """Share of the *key* reference facts covered: the headline metric."""
    return Score.from_items("key_fact_recall", _recall_items(sample, "key"), "key reference facts covered")


def fact_reference_precision(sample: Sample) -> Score:
    """Share of output key facts that state a reference fact with the right polarity, numbers and
    attribution. Grounding alone earns nothing."""
    items = []
    claims = fact_claims(sample.output) if sample.output else []
    for index, fact in enumerate(sample.output.key_facts if sample.output else []):
        claim = claims[index]
        matched = next((ref.id for ref in sample.case.facts if sample.check(ref.id, claim).ok), None)
        reason = f"matches reference {matched}" if matched else "matches no reference fact"
        items.append(ItemResult(id=f"output[{index}]", ok=bool(matched), reason=f"{reason}: {fact.statement}"))
    return Score.from_items("fact_reference_precision", items, "output facts match a reference fact")


def contradiction_of(sample: Sample, claim: OutputClaim) -> str:
    """Why the references say a claim is wrong (a negative it states, a fact it contradicts), or ''."""
    for negative in sample.case.negatives:
        if sample.check(negative.id, claim).ok:
            return f"states negative {negative.id} ({negative.why})"
    for fact in sample.case.facts:
        check = sample.check(fact.id, claim)
        if check.contradiction:
            return f"contradicts {fact.id}: {'; '.join(check.conflicts)}"
    return ""


def contradiction_rate(sample: Sample) -> Score:
    """Share of output claims that hit a negative or contradict a reference fact (negated, outcome
    swapped, or given to another source). Lower is better."""
    items = []
    for index, claim in enumerate(all_claims(sample.output) if sample.output else []):
        why = contradiction_of(sample, claim)
        items.append(
            ItemResult(id=f"claim[{index}]", ok=bool(why), reason=f"{why or 'no contradiction'}: {claim.text}")
        )
    return Score.from_items("contradiction_rate", items, "output claims contradict the references", False)
