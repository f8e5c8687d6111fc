"""``eval report``: re-score a run log (no model call), aggregate with bootstrap CIs,
compare with a baseline, and check thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.evals.dataset import load_config
from summarizer.evals.runlog import RunLog, SampleLog, file_sha256
from summarizer.evals.samples import LoadedCase, load_cases, make_sample
from summarizer.evals.scorers import score_sample
from summarizer.evals.scores import Sample, Score
from summarizer.evals.stats import Estimate, bootstrap, paired_difference

#: Metrics in report order; event field accuracies follow.
HEADLINE_METRICS = (
    "key_fact_recall",
    "fact_recall",
    "fact_reference_precision",
    "contradiction_rate",
    "negative_hits",
    "quotes_found_rate",
    "schema_validity",
    "first_try_validity",
    "repair_rate",
    "reask_rate",
    "event_recall",
    "event_precision",
)


@dataclass
class ScoredSample:
    """A sample, its scores and the stored log entry."""

    log: SampleLog
    sample: Sample
    scores: dict[str, Score]
    text: str | None


@dataclass
class MetricSummary:
    """One metric over the run."""

    name: str
    estimate: Estimate
    higher_is_better: bool
    per_sample: dict[str, float | None]


@dataclass
class ComparisonRow:
    """current - baseline for one metric, with a paired bootstrap CI."""

    name: str
    difference: Estimate
    higher_is_better: bool
    #: Pooled values over the paired documents, side by side (None when nothing was scored).
    baseline: float | None = None
    current: float | None = None

    @property
    def regressed(self) -> bool:
        """The whole 95% interval lies on the worse side of zero."""
        if self.difference.low is None or self.difference.high is None:
            return False
        return self.difference.high < 0 if self.higher_is_better else self.difference.low > 0


def _pooled(scores: list[Score]) -> float | None:
    """Sum of numerators over sum of denominators (None when nothing was scored)."""
    denominator = sum(s.denominator for s in scores)
    return sum(s.numerator for s in scores) / denominator if denominator else None


@dataclass
class Comparison:
    """A paired comparison with a baseline run."""

    baseline: str
    rows: list[ComparisonRow]
    facts_gained: dict[str, list[str]]
    facts_lost: dict[str, list[str]]


@dataclass
class Report:
    """Everything the renderers need."""

    run: RunLog
    samples: list[ScoredSample]
    metrics: dict[str, MetricSummary]
    comparison: Comparison | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def failed_samples(self) -> list[str]:
        """Ids of samples with no output."""
        return [s.log.id for s in self.samples if s.log.output is None]


def rescore(run: RunLog) -> tuple[list[ScoredSample], list[str]]:
    """Score every stored output again with the current scorers and cases."""
    config_path = Path(run.spec.config)
    try:
        config = load_config(config_path)
        _, loaded = load_cases(config_path)
    except ConfigError as exc:
        raise ConfigError(f"cannot re-score: {exc}") from exc
    by_id = {c.case.id: c for c in loaded}
    warnings = []
    for ref in run.spec.cases:
        if Path(ref.path).exists() and file_sha256(Path(ref.path)) != ref.sha256:
            warnings.append(f"case {ref.id} changed since the run; scores use the current file")
    scored = []
    for log in run.samples:
        case: LoadedCase | None = by_id.get(log.id)
        if case is None:
            warnings.append(f"sample {log.id} has no case in {config_path}; skipped")
            continue
        sample = make_sample(case, config, log.output, log.error.message if log.error else None)
        text = case.document.read_text(encoding="utf-8") if case.document.exists() else None
        scored.append(ScoredSample(log=log, sample=sample, scores=score_sample(sample), text=text))
    return scored, warnings


def metric_names(samples: list[ScoredSample]) -> list[str]:
    """Headline metrics first, then the rest in scorer order."""
    seen = [name for s in samples for name in s.scores]
    rest = [n for n in dict.fromkeys(seen) if n not in HEADLINE_METRICS]
    return [n for n in HEADLINE_METRICS if n in seen] + rest


def aggregate(samples: list[ScoredSample]) -> dict[str, MetricSummary]:
    """Pooled value and bootstrap CI of every metric."""
    metrics = {}
    for name in metric_names(samples):
        scores = [(s.log.id, s.scores[name]) for s in samples if name in s.scores]
        estimate = bootstrap([(score.numerator, score.denominator) for _, score in scores])
        metrics[name] = MetricSummary(
            name=name,
            estimate=estimate,
            higher_is_better=scores[0][1].higher_is_better,
            per_sample={sample_id: score.value for sample_id, score in scores},
        )
    return metrics


def compare(current: list[ScoredSample], baseline: list[ScoredSample], baseline_name: str) -> Comparison:
    """Paired comparison over the samples both runs have."""
    base_by_id = {s.log.id: s for s in baseline}
    pairs = [(s, base_by_id[s.log.id]) for s in current if s.log.id in base_by_id]
    rows = []
    for name in metric_names(current):
        both = [(a.scores[name], b.scores[name]) for a, b in pairs if name in a.scores and name in b.scores]
        if not both:
            continue
        units = None
        if all([i.id for i in a.items] == [i.id for i in b.items] and a.items for a, b in both):
            units = [[(i.ok, j.ok) for i, j in zip(a.items, b.items, strict=True)] for a, b in both]
        difference = paired_difference(
            [(a.numerator, a.denominator) for a, _ in both], [(b.numerator, b.denominator) for _, b in both], units
        )
        rows.append(
            ComparisonRow(
                name=name,
                difference=difference,
                higher_is_better=both[0][0].higher_is_better,
                baseline=_pooled([b for _, b in both]),
                current=_pooled([a for a, _ in both]),
            )
        )
    gained: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    for a, b in pairs:
        now = {i.id for i in a.scores["fact_recall"].items if i.ok}
        before = {i.id for i in b.scores["fact_recall"].items if i.ok}
        gained[a.log.id], lost[a.log.id] = sorted(now - before), sorted(before - now)
    return Comparison(baseline=baseline_name, rows=rows, facts_gained=gained, facts_lost=lost)


def build_report(run: RunLog, baseline: RunLog | None = None, baseline_name: str = "baseline") -> Report:
    """Re-score a run (and a baseline) and aggregate."""
    samples, warnings = rescore(run)
    report = Report(run=run, samples=samples, metrics=aggregate(samples), warnings=warnings)
    if baseline is not None:
        base_samples, base_warnings = rescore(baseline)
        report.warnings += [f"baseline: {w}" for w in base_warnings]
        report.comparison = compare(samples, base_samples, baseline_name)
    return report


def parse_thresholds(specs: list[str]) -> dict[str, float]:
    """'METRIC=VALUE' strings to a mapping; raises ConfigError on bad input."""
    thresholds = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"threshold must look like METRIC=VALUE, got {spec!r}") from None
        if not sep or not name.strip():
            raise ConfigError(f"threshold must look like METRIC=VALUE, got {spec!r}")
    return thresholds


def threshold_failures(report: Report, fail_under: dict[str, float], fail_over: dict[str, float]) -> list[str]:
    """Messages for every metric below its --fail-under or above its --fail-over value."""
    failures = []
    for name in [*fail_under, *fail_over]:
        if name not in report.metrics:
            raise ConfigError(f"unknown metric {name!r}; known: {', '.join(report.metrics)}")
    for name, limit in fail_under.items():
        value = report.metrics[name].estimate.value
        if value is None or value < limit:
            failures.append(f"{name} = {_fmt(value)} is under {limit:g}")
    for name, limit in fail_over.items():
        value = report.metrics[name].estimate.value
        if value is None or value > limit:
            failures.append(f"{name} = {_fmt(value)} is over {limit:g}")
    return failures


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
