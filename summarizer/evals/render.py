"""Render a report: a terminal table, Markdown, JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from rich.table import Table

from summarizer.evals.report import Report
from summarizer.evals.stats import MIN_CI_DOCUMENTS, Estimate

#: How reports describe their intervals.
CI_NOTE = (
    f"CIs: bootstrap 95%, 1000 resamples over documents and units, seed 0; "
    f"with fewer than {MIN_CI_DOCUMENTS} documents no interval is given (n<{MIN_CI_DOCUMENTS}: no CI)"
)


def fmt(value: float | None, digits: int = 3) -> str:
    """A number, or n/a."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def fmt_ci(estimate: Estimate) -> str:
    """'value [low, high]', or 'value (n=2<5: no CI)' when too few documents make the interval meaningless."""
    if estimate.value is None:
        return "n/a"
    if not estimate.ci_meaningful:
        return f"{fmt(estimate.value)} (n={estimate.documents}<{MIN_CI_DOCUMENTS}: no CI)"
    return f"{fmt(estimate.value)} [{fmt(estimate.low)}, {fmt(estimate.high)}]"


def _ci_json(estimate: Estimate) -> dict[str, Any]:
    """The interval's numbers, with how many documents it rests on and whether that is enough."""
    return {"ci95": [estimate.low, estimate.high], "documents": estimate.documents,
            "ci_meaningful": estimate.ci_meaningful}  # fmt: skip


def _direction(higher_is_better: bool) -> str:
    return "↑" if higher_is_better else "↓"


def table(report: Report) -> Table:
    """A rich table of metrics with CIs and per-sample values."""
    ids = [s.log.id for s in report.samples]
    caption = "\n".join(f"no case (not scored): {u.describe()}" for u in report.run.unmatched) or None
    spec = report.run.spec
    title = f"summarizer eval ({spec.model or 'no model'}, {spec.strategy} strategy, {len(ids)} documents)"
    result = Table(title=title, caption=caption, caption_justify="left")
    result.add_column("metric")
    compared = {r.name: r for r in report.comparison.rows} if report.comparison else None
    if compared is not None:
        result.add_column("baseline (paired)", justify="right")
    result.add_column("value [95% CI]", justify="right")
    if compared is not None:
        result.add_column("difference [95% CI]", justify="right")
    for sample_id in ids:
        result.add_column(sample_id[:12], justify="right")
    for metric in report.metrics.values():
        row = [f"{metric.name} {_direction(metric.higher_is_better)}"]
        side = compared.get(metric.name) if compared is not None else None
        if compared is not None:
            row.append(fmt(side.baseline) if side else "n/a")
        row.append(fmt_ci(metric.estimate))
        if compared is not None:
            row.append(fmt_ci(side.difference) + (" REGRESSED" if side.regressed else "") if side else "n/a")
        row += [fmt(metric.per_sample.get(i)) for i in ids]
        result.add_row(*row)
    return result


def markdown(report: Report) -> str:
    """The report as Markdown."""
    spec = report.run.spec
    ids = [s.log.id for s in report.samples]
    lines = [
        "# summarizer eval report",
        "",
        f"- model: {spec.model} ({spec.endpoint_kind}, {spec.mode}); strategy: {spec.strategy}; "
        f"record mode: {spec.record_mode}",
        f"- git: {spec.git_revision or 'n/a'}{' (dirty)' if spec.git_dirty else ''}; run at {spec.created_at}",
        f"- schema {spec.schema_version} ({spec.schema_sha256[:12]}); templates: "
        + ", ".join(f"{t.name}@{t.sha256[:12]}" for t in spec.templates),
        f"- {CI_NOTE}",
    ]
    if spec.sampling:
        lines.append("- sampling: " + ", ".join(f"{name} {value}" for name, value in spec.sampling.items()))
    if spec.outputs:
        lines.append("- scored outputs (eval score, no model call): " + ", ".join(spec.outputs))
    lines += [
        "",
        "| metric | value [95% CI] | " + " | ".join(ids) + " |",
        "|---|---|" + "---|" * len(ids),
    ]
    for metric in report.metrics.values():
        cells = [fmt(metric.per_sample.get(i)) for i in ids]
        name = f"{metric.name} {_direction(metric.higher_is_better)}"
        lines.append(f"| {name} | {fmt_ci(metric.estimate)} | " + " | ".join(cells) + " |")
    confusion = report.metrics.get("event_counts_accuracy")
    matrix = _confusion(report)
    if confusion and matrix:
        lines += ["", "## Killed vs captured (reference → output)", "", "| reference | " + " | ".join(matrix[1]) + " |",
                  "|---|" + "---|" * len(matrix[1])]  # fmt: skip
        for ref, counts in matrix[0].items():
            lines.append(f"| {ref} | " + " | ".join(str(counts.get(col, 0)) for col in matrix[1]) + " |")
    judged = [(s.log.id, s.log.judge) for s in report.samples if s.log.judge]
    if judged:
        lines += ["", f"## {judged[0][1]['label']}", "", "Kept apart from the metrics above.", ""]
        for sample_id, verdict in judged:
            detail = f" (error: {verdict['error']})" if verdict.get("error") else ""
            lines.append(f"- {sample_id}: {verdict['supported']}/{verdict['total']} facts judged supported "
                         f"by {verdict['model']}{detail}")  # fmt: skip
    if report.comparison:
        comp = report.comparison
        header = "| metric | baseline | this run | difference [95% CI] | regressed |"
        lines += ["", f"## Compared with {comp.baseline}", "", header, "|---|---|---|---|---|"]
        for row in comp.rows:
            sides = " | ".join("n/a" if v is None else f"{v:.3f}" for v in (row.baseline, row.current))
            lines.append(f"| {row.name} | {sides} | {fmt_ci(row.difference)} | {'YES' if row.regressed else ''} |")
        for sample_id in comp.facts_gained:
            gained, lost = comp.facts_gained[sample_id], comp.facts_lost[sample_id]
            lines.append(f"- {sample_id}: gained {', '.join(gained) or 'none'}; lost {', '.join(lost) or 'none'}")
    if report.run.unmatched:
        lines += ["", "## Outputs with no case (not scored)", ""]
        lines += [f"- {u.describe()}" for u in report.run.unmatched]
    for scored in report.samples:
        lines += ["", f"## {scored.log.id}", ""]
        if scored.log.scored_from:
            lines += [f"Scored from {scored.log.scored_from}.", ""]
        if scored.log.error:
            lines.append(f"**Failed:** {scored.log.error.type}: {scored.log.error.message}")
        for name in DETAIL_METRICS:
            score = scored.scores.get(name)
            if score is None:
                continue
            lines += [f"### {name}: {score.explanation}", ""]
            lines += [f"- {'✔' if i.ok else '✘'} **{i.id}** {i.reason}" for i in score.items]
            lines.append("")
    if report.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in report.warnings]
    return "\n".join(lines).rstrip() + "\n"


#: Metrics whose items are listed per document.
DETAIL_METRICS = ("key_fact_recall", "fact_recall", "fact_reference_precision", "contradiction_rate", "negative_hits")


def _confusion(report: Report) -> tuple[dict[str, dict[str, int]], list[str]] | None:
    total: dict[str, dict[str, int]] = {}
    for scored in report.samples:
        score = scored.scores.get("event_counts_accuracy")
        for ref, row in (score.extra.get("killed_captured_confusion", {}) if score else {}).items():
            for out, count in row.items():
                total.setdefault(ref, {})[out] = total.setdefault(ref, {}).get(out, 0) + count
    total = {ref: row for ref, row in total.items() if row}
    if not total:
        return None
    columns = sorted({c for row in total.values() for c in row}, key=lambda c: (c == "missing", c))
    return total, columns


def as_json(report: Report) -> dict[str, Any]:
    """The report as plain data."""
    data: dict[str, Any] = {
        "spec": report.run.spec.model_dump(mode="json"),
        "metrics": {
            m.name: {
                "value": m.estimate.value,
                **_ci_json(m.estimate),
                "higher_is_better": m.higher_is_better,
                "per_sample": m.per_sample,
            }
            for m in report.metrics.values()
        },
        "samples": {
            s.log.id: {name: score.model_dump(mode="json") for name, score in s.scores.items()} for s in report.samples
        },
        "failed_samples": report.failed_samples,
        "unmatched_outputs": [u.model_dump(mode="json") for u in report.run.unmatched],
        "scored_from": {s.log.id: s.log.scored_from for s in report.samples if s.log.scored_from},
        "llm_judge": {s.log.id: s.log.judge for s in report.samples if s.log.judge},
        "warnings": report.warnings,
    }
    if report.comparison:
        comp = report.comparison
        data["comparison"] = {
            "baseline": comp.baseline,
            "metrics": {r.name: {"baseline": r.baseline, "current": r.current, "difference": r.difference.value,
                                 **_ci_json(r.difference), "regressed": r.regressed} for r in comp.rows},
            "facts_gained": comp.facts_gained,
            "facts_lost": comp.facts_lost,
        }  # fmt: skip
    return data


def json_text(report: Report) -> str:
    """The report as JSON text."""
    return json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"


def junit_xml(report: Report, failures: list[str]) -> str:
    """JUnit XML: one case per sample (errors fail) and one per threshold."""
    suite = ET.Element("testsuite", name="summarizer-eval")
    cases = 0
    for scored in report.samples:
        case = ET.SubElement(suite, "testcase", classname="summarizer.eval.sample", name=scored.log.id)
        cases += 1
        if scored.log.error:
            ET.SubElement(case, "failure", message=scored.log.error.message).text = scored.log.error.type
    case = ET.SubElement(suite, "testcase", classname="summarizer.eval.thresholds", name="thresholds")
    cases += 1
    for failure in failures:
        ET.SubElement(case, "failure", message=failure).text = failure
    suite.set("tests", str(cases))
    suite.set("failures", str(len(report.failed_samples) + (1 if failures else 0)))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
