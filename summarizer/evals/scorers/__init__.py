"""Deterministic scorers. Each takes a Sample and returns Score(s) with explanations."""

from __future__ import annotations

from collections.abc import Callable

from summarizer.evals.scorers.events import event_scores
from summarizer.evals.scorers.facts import fact_precision, fact_recall, fact_reference_precision
from summarizer.evals.scorers.negatives import negative_hits
from summarizer.evals.scorers.output_quality import first_try_validity, grounding_rate, reask_rate, schema_validity
from summarizer.evals.scores import Sample, Score

SCORERS: list[Callable[[Sample], Score | list[Score]]] = [
    fact_recall,
    fact_precision,
    fact_reference_precision,
    grounding_rate,
    schema_validity,
    first_try_validity,
    reask_rate,
    negative_hits,
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
