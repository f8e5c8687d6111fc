"""Key-fact recall (FineSurE completeness) and fact precision (faithfulness)."""

from __future__ import annotations

from summarizer.evals.claims import fact_texts
from summarizer.evals.matching import best_match, check_elements
from summarizer.evals.scores import ItemResult, Sample, Score
from summarizer.schema import MatchKind


def fact_recall(sample: Sample) -> Score:
    """Share of reference facts covered by the output's key facts and summary."""
    texts = fact_texts(sample.output) if sample.output else []
    items = []
    for fact in sample.case.facts:
        match = best_match(fact.elements, texts, sample.aliases, sample.year)
        items.append(ItemResult(id=fact.id, ok=match.matched, reason=match.reason))
    return Score.from_items("fact_recall", items, "reference facts covered")


def fact_precision(sample: Sample) -> Score:
    """Share of output facts supported by grounded evidence or by a reference fact."""
    items = []
    for index, fact in enumerate(sample.output.key_facts if sample.output else []):
        grounded = any(e.match is not MatchKind.unmatched for e in fact.evidence)
        reference = next(
            (
                ref.id
                for ref in sample.case.facts
                if check_elements(ref.elements, fact.statement, sample.aliases, sample.year).ok
            ),
            None,
        )
        if reference:
            reason = f"matches reference {reference}"
        elif grounded:
            reason = "grounded evidence only"
        else:
            reason = "UNSUPPORTED: no grounded evidence and no reference fact"
        items.append(
            ItemResult(
                id=f"output[{index}]",
                ok=grounded or bool(reference),
                reason=f"{reason}: {fact.statement}",
                group="reference" if reference else None,
            )
        )
    return Score.from_items("fact_precision", items, "output facts supported")


def fact_reference_precision(sample: Sample) -> Score:
    """Stricter: share of output facts that match a reference fact (grounding alone does not count)."""
    base = fact_precision(sample)
    items = [i.model_copy(update={"ok": i.group == "reference"}) for i in base.items]
    return Score.from_items("fact_reference_precision", items, "output facts match a reference fact")
