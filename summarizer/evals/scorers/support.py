"""Unsupported as grounded: claims the output presents as grounded that their own quotes do not
support (the run-time verdict, recomputed here with the same core) or that the references say
are wrong (a contradicted reference fact, a negative). The promise `grounded` makes, measured."""

from __future__ import annotations

from summarizer.claims.match import OutputClaim
from summarizer.claims.support import count_support, support
from summarizer.evals.scorers.facts import contradiction_of
from summarizer.evals.scores import ItemResult, Sample, Score


def unsupported_as_grounded(sample: Sample) -> Score:
    """Share of the claims an output marks grounded (key facts with ``grounded: true``, kept casualty
    claims) that their quotes do not support or the references contradict. Target 0."""
    items: list[ItemResult] = []
    output = sample.output
    for i, fact in enumerate(output.key_facts if output else []):
        if not fact.grounded:
            continue
        verdict = support(
            fact.statement,
            [e.words for e in fact.evidence if e.found],
            year=sample.year,
            published=sample.case.published,
        )
        why = "" if verdict.verdict == "supported" else f"{verdict.verdict}: {'; '.join(verdict.reasons)}"
        why = why or contradiction_of(sample, OutputClaim(fact.statement, fact.attribution))
        items.append(ItemResult(id=f"fact[{i}]", ok=bool(why), reason=f"{why or 'supported'}: {fact.statement}"))
    for e, event in enumerate(output.events if output else []):
        for c, claim in enumerate(event.casualty_claims):
            values = [v for v in (claim.low, claim.best, claim.high) if v is not None]
            if not values:
                continue
            verdict = count_support(
                min(values), max(values), claim.outcome, [e.words for e in claim.evidence if e.found]
            )
            why = "" if verdict.verdict == "supported" else f"{verdict.verdict}: {'; '.join(verdict.reasons)}"
            shown = f"{'-'.join(map(str, dict.fromkeys(values)))} {claim.group} {claim.outcome}"
            items.append(
                ItemResult(id=f"event[{e}].casualty[{c}]", ok=bool(why), reason=f"{why or 'supported'}: {shown}")
            )
    return Score.from_items("unsupported_as_grounded", items, "grounded claims not supported", higher_is_better=False)
