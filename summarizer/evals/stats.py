"""Bootstrap confidence intervals: 1000 resamples, a fixed seed, over documents and
over the units (facts, quotes, events) inside each document.

Every metric here is a pooled proportion of binary units (facts covered, quotes
grounded ...), so resampling a document's n units with replacement is drawing
Binomial(n, p) successes; two-stage resampling is then cheap and exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
SEED = 0
#: Below this many documents a 95% interval is not reported as meaningful: resampling two or
#: three documents mostly redraws the same ones, so the interval says little about new articles.
MIN_CI_DOCUMENTS = 5


@dataclass(frozen=True)
class Estimate:
    """A pooled value with its bootstrap 95% interval over ``documents`` documents."""

    value: float | None
    low: float | None
    high: float | None
    documents: int = 0

    @property
    def ci_meaningful(self) -> bool:
        """Enough documents (:data:`MIN_CI_DOCUMENTS`) for the interval to say something."""
        return self.documents >= MIN_CI_DOCUMENTS


def _pooled(successes: np.ndarray, totals: np.ndarray) -> np.ndarray:
    denominator = totals.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, successes.sum(axis=-1) / np.maximum(denominator, 1), np.nan)


def bootstrap(per_doc: Sequence[tuple[float, float]], resamples: int = RESAMPLES, seed: int = SEED) -> Estimate:
    """Pooled numerator/denominator over documents, with a two-stage bootstrap 95% CI."""
    docs = [(round(n), round(d)) for n, d in per_doc if d > 0]
    if not docs:
        return Estimate(None, None, None)
    hits = np.array([n for n, _ in docs])
    totals = np.array([d for _, d in docs])
    value = float(hits.sum() / totals.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(docs), size=(resamples, len(docs)))
    drawn = rng.binomial(totals[picks], hits[picks] / totals[picks])
    samples = _pooled(drawn, totals[picks])
    low, high = np.nanpercentile(samples, [2.5, 97.5])
    return Estimate(value, float(low), float(high), len(docs))


def paired_difference(
    current: Sequence[tuple[float, float]],
    baseline: Sequence[tuple[float, float]],
    paired_units: Sequence[Sequence[tuple[bool, bool]]] | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Estimate:
    """current - baseline, resampling the same documents for both runs.

    With ``paired_units`` (per document, the same units scored in both runs, e.g. the
    reference facts) units are resampled jointly; otherwise each run's units are
    resampled within the shared document draw.
    """
    keep = [i for i, ((_, d1), (_, d2)) in enumerate(zip(current, baseline, strict=True)) if d1 > 0 and d2 > 0]
    if not keep:
        return Estimate(None, None, None)
    cur = np.array([current[i] for i in keep], dtype=float)
    base = np.array([baseline[i] for i in keep], dtype=float)
    value = float(cur[:, 0].sum() / cur[:, 1].sum() - base[:, 0].sum() / base[:, 1].sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(keep), size=(resamples, len(keep)))
    if paired_units is not None:
        units = [np.array(paired_units[i], dtype=float).reshape(-1, 2) for i in keep]
        diffs = np.empty(resamples)
        for r in range(resamples):
            a = b = n = 0.0
            for doc in picks[r]:
                unit = units[doc]
                draw = unit[rng.integers(0, len(unit), size=len(unit))] if len(unit) else unit
                a, b, n = a + draw[:, 0].sum(), b + draw[:, 1].sum(), n + len(unit)
            diffs[r] = (a - b) / n if n else np.nan
    else:
        drawn_cur = rng.binomial(cur[picks, 1].astype(int), cur[picks, 0] / cur[picks, 1])
        drawn_base = rng.binomial(base[picks, 1].astype(int), base[picks, 0] / base[picks, 1])
        diffs = _pooled(drawn_cur, cur[picks, 1]) - _pooled(drawn_base, base[picks, 1])
    low, high = np.nanpercentile(diffs, [2.5, 97.5])
    return Estimate(value, float(low), float(high), len(keep))
