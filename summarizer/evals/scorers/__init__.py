"""Deterministic scorers. Each takes a Sample and returns Score(s) with explanations."""

from __future__ import annotations

from collections.abc import Callable

from summarizer.evals.scorers.events import event_scores
from summarizer.evals.scorers.facts import contradiction_rate, fact_recall, fact_reference_precision, key_fact_recall
from summarizer.evals.scorers.negatives import negative_hits
from summarizer.evals.scorers.output_quality import (
    first_try_validity,
    quotes_found_rate,
    reask_rate,
    repair_rate,
    schema_validity,
)
from summarizer.evals.scorers.support import unsupported_as_grounded
from summarizer.evals.scores import Sample, Score

SCORERS: list[Callable[[Sample], Score | list[Score]]] = [
    key_fact_recall,
    fact_recall,
    fact_reference_precision,
    contradiction_rate,
    unsupported_as_grounded,
    negative_hits,
    quotes_found_rate,
    schema_validity,
    first_try_validity,
    repair_rate,
    reask_rate,
    event_scores,
]


def score_sample(sample: Sample) -> dict[str, Score]:
    """Every deterministic score of one sample, by metric name."""
    scores: dict[str, Score] = {}
    for scorer in SCORERS:
        result = scorer(sample)
        for score in result if isinstance(result, list) else [result]:
            scores[score.name] = score
    return scores
