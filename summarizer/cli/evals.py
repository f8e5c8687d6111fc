"""``summarizer eval``: run the dataset, report on a run, or score ``summarize`` outputs,
the last two without calling the model.

Exit codes: 0 ok; 1 some samples failed to run (for ``score``: some outputs are error
records); 2 usage error; 3 a threshold was missed or (with --fail-on-regression) a metric
regressed against the baseline.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from summarizer.cassette import RecordMode
from summarizer.cli import EXIT_FAILED, EXIT_OK, EXIT_REGRESSION, app, fail, say, setup_logging, stderr, stdout
from summarizer.cli.cache import CacheOption, open_cache, report_cache
from summarizer.cli.options import MaxReasksOption, MaxTokensOption, ModelOption, TemperatureOption
from summarizer.cli.strategy import (
    AssistOption,
    PublishedOption,
    SmallModelOption,
    StrategyOption,
    strategy_settings,
)
from summarizer.errors import SummarizerError
from summarizer.write import write_atomic

if TYPE_CHECKING:
    from summarizer.evals.report import Report
    from summarizer.evals.runlog import RunLog, SampleLog
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate outputs against hand-written references.")
app.add_typer(eval_app, name="eval")

FailUnder = Annotated[list[str], typer.Option("--fail-under", help="METRIC=VALUE: exit 3 if below (repeatable).")]
FailOver = Annotated[list[str], typer.Option("--fail-over", help="METRIC=VALUE: exit 3 if above (repeatable).")]
Junit = Annotated[Optional[Path], typer.Option("--junit", help="Also write JUnit XML here.")]
REPORT_FORMATS = ("table", "md", "json", "html")


def _gate(report: Report, fail_under: list[str], fail_over: list[str], junit: Path | None,
          fail_on_regression: bool = False) -> int:  # fmt: skip
    from summarizer.evals.render import junit_xml
    from summarizer.evals.report import parse_thresholds, threshold_failures

    failures = threshold_failures(report, parse_thresholds(fail_under), parse_thresholds(fail_over))
    if fail_on_regression and report.comparison:
        failures += [f"{r.name} regressed: {r.difference.value:+.3f}" for r in report.comparison.rows if r.regressed]
    if junit is not None:
        write_atomic(junit, junit_xml(report, failures))
    for failure in failures:
        say("threshold:", "bold red", failure)
    if report.failed_samples:
        say("samples that failed to run:", "red", ", ".join(report.failed_samples))
        return EXIT_FAILED
    return EXIT_REGRESSION if failures else EXIT_OK


@eval_app.command("run")
def eval_run(
    config: Annotated[Path, typer.Option(help="Eval config.")] = Path("evals/config.yaml"),
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Run log path.")] = None,
    record_mode: Annotated[str, typer.Option(help="none (replay, default), once, new or rewrite.")] = "none",
    model: ModelOption = None,
    base_url: Annotated[Optional[str], typer.Option(help="OpenAI-compatible base URL.")] = None,
    endpoint_kind: Annotated[Optional[str], typer.Option(help="Endpoint kind.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="Structured-output mode.")] = None,
    case: Annotated[
        list[str], typer.Option("--case", help="Run only this case: an id or a glob such as '00*' (repeatable).")
    ] = [],  # noqa: B006
    temperature: TemperatureOption = 0.0,
    seed: Annotated[int, typer.Option(help="Sampling seed (sent to servers that take one).")] = 0,
    max_tokens: MaxTokensOption = 2048,
    max_reasks: MaxReasksOption = 2,
    fail_under: FailUnder = [],  # noqa: B006  (typer reads the default)
    fail_over: FailOver = [],  # noqa: B006
    junit: Junit = None,
    judge: Annotated[
        bool, typer.Option(help="Also ask an LLM judge (same client, own cassette); off by default.")
    ] = False,
    strategy: StrategyOption = "auto",
    assist: AssistOption = [],  # noqa: B006
    small_model: SmallModelOption = False,
    published: PublishedOption = None,
    cache: CacheOption = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
) -> None:
    """Summarize every case (through cassettes by default), score, and write a run log.

    The evidence strategy replays ``<case>.evidence.yaml``, the llm strategy ``<case>.yaml``; each
    case's publication date (or year) is given to the pipeline as --published would be.

    A cassette answers only the requests it recorded, and the sampling options are part of
    each request: other values than the recording's fail those samples (exit 1)."""
    from summarizer.evals.render import table
    from summarizer.evals.report import build_report
    from summarizer.evals.run import run_eval
    from summarizer.evals.runlog import now_utc, write_run_log
    from summarizer.pipeline import PipelineSettings
    from summarizer.session import EndpointOptions
    from summarizer.validate import CallSettings

    setup_logging(verbose)
    if record_mode not in RecordMode.__members__:
        raise fail(f"--record-mode must be one of {', '.join(RecordMode.__members__)}")
    options = EndpointOptions.from_env(base_url=base_url, model=model, kind=endpoint_kind, mode=mode, seed=seed)
    settings = PipelineSettings(call=CallSettings(max_tokens=max_tokens, temperature=temperature,
                                                  max_reasks=max_reasks),
                                **strategy_settings(strategy, assist, small_model, published))  # fmt: skip
    path = output or Path("runs") / f"eval-{now_utc().replace(':', '')}.json"

    def progress(sample: SampleLog) -> None:
        status = f"failed: {sample.error.message}" if sample.error else f"{sample.duration_s:.1f}s"
        stderr.print(f"  {sample.id}: {status}", highlight=False)

    try:
        responses = open_cache(cache)
        run = asyncio.run(run_eval(config, options, settings, RecordMode(record_mode), progress, judge, case,
                                   responses))  # fmt: skip
        write_run_log(run, path)
        report = build_report(run)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    stdout.print(table(report))
    stderr.print(f"run log: {path}", highlight=False)
    report_cache(responses)
    raise typer.Exit(_gate(report, fail_under, fail_over, junit))


@eval_app.command("report")
def eval_report(
    run: Annotated[Path, typer.Argument(help="Run log from 'eval run'.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, md, json or html.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    baseline: Annotated[Optional[Path], typer.Option(help="Baseline run log for a paired comparison.")] = None,
    fail_under: FailUnder = [],  # noqa: B006
    fail_over: FailOver = [],  # noqa: B006
    fail_on_regression: Annotated[bool, typer.Option(help="Exit 3 when a metric's paired CI is all worse.")] = False,
    junit: Junit = None,
) -> None:
    """Re-score a run log (no model call) and render it."""
    from summarizer.evals.report import build_report
    from summarizer.evals.runlog import read_run_log

    _check_format(fmt)
    try:
        current = _with_config_located(read_run_log(run), run)
        base: RunLog | None = _with_config_located(read_run_log(baseline), baseline) if baseline else None
        report = build_report(current, base, str(baseline) if baseline else "baseline")
        code = _gate(report, fail_under, fail_over, junit, fail_on_regression)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    _emit(report, fmt, output)
    raise typer.Exit(code)


@eval_app.command("score")
def eval_score(
    outputs: Annotated[list[Path], typer.Argument(help="Records from 'summarize': .json, .jsonl, or folders of them.")],
    config: Annotated[Path, typer.Option(help="Eval config whose cases the outputs are scored against.")] = Path(
        "evals/config.yaml"
    ),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, md, json or html.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    fail_under: FailUnder = [],  # noqa: B006
    fail_over: FailOver = [],  # noqa: B006
    junit: Junit = None,
) -> None:
    """Score records written by 'summarize' against the config's cases (no model, no cassette).

    Each record is matched to its case by the sha256 of its document's text, then by path.
    Records with no case are listed and not scored; error records are failed samples."""
    from summarizer.evals.score_outputs import score_outputs

    _check_format(fmt)
    try:
        report = score_outputs(outputs, config)
        code = _gate(report, fail_under, fail_over, junit)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    for unmatched in report.run.unmatched:
        say("no case:", "yellow", f"{unmatched.describe()} (not scored)")
    for warning in report.warnings:
        say("warning:", "yellow", warning)
    _emit(report, fmt, output)
    raise typer.Exit(code)


def _check_format(fmt: str) -> None:
    if fmt not in REPORT_FORMATS:
        raise fail(f"--format must be one of {', '.join(REPORT_FORMATS)}")


def _emit(report: Report, fmt: str, output: Path | None) -> None:
    """Print the report (a table on a terminal by default), or write it to ``output``."""
    from summarizer.evals.html import render_html
    from summarizer.evals.render import json_text, markdown, table

    if fmt == "table" and output is None:
        stdout.print(table(report))
        return
    rendered = {"table": markdown, "md": markdown, "json": json_text, "html": render_html}[fmt](report)
    if output is None:
        sys.stdout.write(rendered)
    else:
        write_atomic(output, rendered)
        stderr.print(f"wrote {output}", highlight=False)


def _with_config_located(log: RunLog, path: Path) -> RunLog:
    """The run log with its (often relative) config path found from the current directory, or
    else next to the log or in a folder above it, so reports work from any directory."""
    config = Path(log.spec.config)
    if config.is_absolute() or config.exists():
        return log
    for folder in path.resolve().parents:
        if (folder / config).exists():
            return log.model_copy(update={"spec": log.spec.model_copy(update={"config": str(folder / config)})})
    return log


@eval_app.command("schema")
def eval_schema() -> None:
    """Print the JSON Schema of an eval case file."""
    from summarizer.evals.dataset import case_json_schema

    sys.stdout.write(json.dumps(case_json_schema(), indent=2) + "\n")


@eval_app.command("validity")
def eval_validity(
    config: Annotated[Path, typer.Option(help="Eval config (for the shared aliases).")] = Path("evals/config.yaml"),
    directory: Annotated[Path, typer.Option("--dir", help="Folder of validity files.")] = Path("evals/validity"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    show: Annotated[int, typer.Option(help="List at most this many disagreements.")] = 20,
) -> None:
    """Measure the matcher against an analyst's verdicts: agreement, Cohen's kappa, confusion, and
    whether every deliberate error loses credit. Exit 3 when a target is missed."""
    from summarizer.evals.dataset import load_config
    from summarizer.evals.validity import TARGETS, score_validity

    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise fail(f"{directory}: no validity files (*.yaml)")
    try:
        report = score_validity(paths, load_config(config).aliases)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    figures = report.figures()
    if fmt == "json":
        data = {
            "candidates": report.candidates,
            "figures": figures,
            "targets": TARGETS,
            "facts_confusion": {"tp": report.facts.tp, "fp": report.facts.fp, "fn": report.facts.fn,
                                "tn": report.facts.tn},
            "negatives_confusion": {"tp": report.negatives.tp, "fp": report.negatives.fp, "fn": report.negatives.fn,
                                    "tn": report.negatives.tn},
            "errors_by_class": {k: {"written": v[0], "kept_credit": v[1]} for k, v in report.by_error.items()},
            "errors_kept_credit": report.errors_kept_credit,
            "disagreements": report.facts.disagreements + report.negatives.disagreements,
            "misses": report.misses(),
        }  # fmt: skip
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        lines = [f"{report.candidates} candidates in {len(paths)} files"]
        lines += [f"{name:<24} {value:.3f}" + (f"  (target {TARGETS[name]})" if name in TARGETS else "")
                  for name, value in figures.items()]  # fmt: skip
        for title, agreement in (("facts", report.facts), ("negatives", report.negatives)):
            lines.append(f"{title} confusion (analyst x matcher): both credit {agreement.tp}, matcher only "
                         f"{agreement.fp}, analyst only {agreement.fn}, neither {agreement.tn}")  # fmt: skip
        kept = sum(v[1] for v in report.by_error.values())
        lines.append(f"deliberate errors: {report.errors_total}, kept credit: {kept}")
        lines += [f"  {cls:<12} {v[1]}/{v[0]} kept credit" for cls, v in sorted(report.by_error.items())]
        listed = (report.errors_kept_credit + report.facts.disagreements + report.negatives.disagreements)[:show]
        lines += ["disagreements:"] + [f"  {d}" for d in listed] if listed else []
        stdout.print("\n".join(lines), highlight=False, markup=False)
    missed = report.misses()
    for line in missed:
        stderr.print(f"target missed: {line}", highlight=False, markup=False)
    raise typer.Exit(EXIT_REGRESSION if missed else EXIT_OK)
