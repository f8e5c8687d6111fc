"""``summarizer summarize``: files, directories or stdin in; JSON, JSONL or Markdown out."""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from summarizer.cache import ResponseCache
from summarizer.cassette import Cassette, RecordMode
from summarizer.cli import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, app, fail, say, setup_logging, stderr
from summarizer.cli.cache import CacheOption, open_cache, report_cache
from summarizer.cli.options import (
    BaseUrlOption,
    ConcurrencyOption,
    ContextTokensOption,
    EndpointKindOption,
    EventsOption,
    MaxBytesOption,
    MaxReasksOption,
    MaxRetriesOption,
    MaxTokensOption,
    ModelOption,
    TemperatureOption,
    TimeoutOption,
    TokenBudgetOption,
    VerboseOption,
)
from summarizer.cli.strategy import (
    AssistOption,
    PublishedOption,
    SmallModelOption,
    StrategyOption,
    strategy_settings,
)
from summarizer.errors import SummarizerError
from summarizer.load import DEFAULT_MAX_BYTES, expand_paths
from summarizer.pipeline import DocumentRecordT, Pipeline, PipelineSettings, calls_model
from summarizer.retry import RetryPolicy
from summarizer.runs import RunLimits, record_resume_key
from summarizer.schema import ErrorRecord, SummaryRecord
from summarizer.session import EndpointOptions, open_client
from summarizer.validate import CallSettings
from summarizer.write import FORMATS, JsonlWriter, keep_finished, output_name, render, write_atomic

QUOTE_POLICIES: dict[str, bool | None] = {"auto": None, "sentences": True, "free": False}


def exit_code(records: list[DocumentRecordT]) -> int:
    """0 all ok; 1 a model-stage failure; 2 only input failures; 4 no failure, but a partial record."""
    errors = [r for r in records if isinstance(r, ErrorRecord)]
    if not errors:
        partial = any(isinstance(r, SummaryRecord) and r.failed_calls for r in records)
        return EXIT_PARTIAL if partial else EXIT_OK
    if all(r.error.type == "input_error" for r in errors):
        return EXIT_USAGE
    return EXIT_FAILED


class _Sink:
    """Where records go as they finish: stdout, one file, or one file per document."""

    def __init__(
        self, fmt: str, output: Path | None, stack: ExitStack, sources: list[str], append: bool = False
    ) -> None:
        self.fmt = fmt
        self.output = output
        self.to_dir = output is not None and output.is_dir()
        taken: set[str] = set()  # names follow the input order, not the order documents finish in
        self.names = {source: output_name(source, fmt, taken) for source in sources}
        self.jsonl: JsonlWriter | None = None
        #: Streamed runs keep only the failed and partial records (for the exit code and the messages).
        self.kept: list[DocumentRecordT] = []
        if fmt == "jsonl" and not self.to_dir:
            if output is None:
                stream = sys.stdout
            else:
                output.parent.mkdir(parents=True, exist_ok=True)
                stream = stack.enter_context(output.open("a" if append else "w", encoding="utf-8"))
            self.jsonl = JsonlWriter(stream)

    @property
    def streams(self) -> bool:
        """Records are written as they finish (JSONL, or a file per document), not all at the end."""
        return self.jsonl is not None or self.to_dir

    def add(self, record: DocumentRecordT) -> None:
        if self.streams and (isinstance(record, ErrorRecord) or record.failed_calls):
            self.kept.append(record)
        if self.jsonl is not None:
            self.jsonl.write(record)
        elif self.to_dir:
            assert self.output is not None
            source = record.source if isinstance(record, ErrorRecord) else record.provenance.source.path
            write_atomic(self.output / self.names[source], render([record], self.fmt))

    def finish(self, records: list[DocumentRecordT]) -> None:
        if self.streams:
            return
        text = render(records, self.fmt)
        if self.output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_atomic(self.output, text)


@app.command()
def summarize(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, or - for standard input.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, jsonl or md.")] = "json",
    output_arg: Annotated[
        Optional[str], typer.Option("--output", "-o", help="Output file, or directory (existing, or ending in /).")
    ] = None,
    concurrency: ConcurrencyOption = 4,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    endpoint_kind: EndpointKindOption = None,
    mode: Annotated[
        Optional[str], typer.Option(help="Structured-output mode: tools, tools_strict, json_schema, json, md_json.")
    ] = None,
    max_tokens: MaxTokensOption = 2048,
    temperature: TemperatureOption = 0.0,
    max_reasks: MaxReasksOption = 2,
    token_budget: TokenBudgetOption = 60_000,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    context_tokens: ContextTokensOption = None,
    events: EventsOption = True,
    quotes: Annotated[
        str,
        typer.Option(
            help="auto: constrain quotes to article sentences when the server decodes with a grammar; "
            "sentences: always; free: never."
        ),
    ] = "auto",
    timeout: TimeoutOption = 600.0,
    max_retries: MaxRetriesOption = 4,
    resume: Annotated[bool, typer.Option(help="Skip documents already summarized in the --output JSONL file.")] = False,
    deadline: Annotated[Optional[float], typer.Option(min=0.1, help="Seconds for the whole run.")] = None,
    doc_timeout: Annotated[Optional[float], typer.Option(min=0.1, help="Seconds per document.")] = None,
    run_token_budget: Annotated[Optional[int], typer.Option(min=1, help="Tokens for the whole run.")] = None,
    cassette: Annotated[Optional[Path], typer.Option(help="Record/replay model calls in this YAML file.")] = None,
    record_mode: Annotated[str, typer.Option(help="none (replay only), once, new or rewrite.")] = "none",
    strategy: StrategyOption = "auto",
    assist: AssistOption = [],  # noqa: B006  (typer reads the default)
    small_model: SmallModelOption = False,
    published: PublishedOption = None,
    cache: CacheOption = None,
    verbose: VerboseOption = 0,
) -> None:
    """Summarize articles into grounded, schema-valid records."""
    setup_logging(verbose)
    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if quotes not in QUOTE_POLICIES:
        raise fail(f"--quotes must be one of {', '.join(QUOTE_POLICIES)}, not {quotes!r}")
    sources = expand_paths(paths)
    if not sources:
        raise fail("no input documents found")
    settings = PipelineSettings(
        call=CallSettings(max_tokens=max_tokens, temperature=temperature, max_reasks=max_reasks),
        token_budget=token_budget,
        max_bytes=max_bytes,
        context_tokens=context_tokens,
        extract_events=events,
        quote_choices=QUOTE_POLICIES[quotes],
        **strategy_settings(strategy, assist, small_model, published),
    )
    options = EndpointOptions.from_env(
        base_url=base_url, model=model, kind=endpoint_kind, mode=mode, timeout=timeout,
        retry=RetryPolicy(max_attempts=max_retries + 1),
    )  # fmt: skip
    output = Path(output_arg) if output_arg else None
    if output is not None and output_arg and output_arg.endswith(("/", os.sep)):
        output.mkdir(parents=True, exist_ok=True)
    recorder = open_cassette(cassette, record_mode)
    responses = open_cache(cache)
    done: frozenset[str] = frozenset()
    if resume:
        if fmt != "jsonl" or output is None or output.is_dir():
            raise fail("--resume needs --format jsonl and --output FILE")
        try:
            done = frozenset(record_resume_key(r) for r in keep_finished(output))
        except SummarizerError as exc:
            raise fail(str(exc)) from None
        stderr.print(f"resuming: {len(done)} documents already done", highlight=False)
    limits = RunLimits(deadline_s=deadline, doc_timeout_s=doc_timeout, run_token_budget=run_token_budget, done=done)
    with ExitStack() as stack:
        sink = _Sink(fmt, output, stack, sources, append=resume)
        try:
            records = asyncio.run(_run(sources, options, settings, concurrency, sink, recorder, limits, responses))
        except SummarizerError as exc:
            raise fail(str(exc)) from None
        sink.finish(records)
        records = sink.kept if sink.streams else records
    report_cache(responses)
    for record in records:
        if isinstance(record, ErrorRecord):
            say("failed", "red", f"{record.source}: {record.error.type}: {record.error.message}")
        else:
            for call in record.failed_calls:
                say("partial", "yellow", f"{record.provenance.source.path}: {call.part} missing: {call.error.type}")
    raise typer.Exit(exit_code(records))


def open_cassette(path: Path | None, record_mode: str) -> Cassette | None:
    if record_mode not in RecordMode.__members__:
        raise fail(f"--record-mode must be one of {', '.join(RecordMode.__members__)}, not {record_mode!r}")
    if path is None:
        return None
    try:
        return Cassette.load(path, record_mode)
    except SummarizerError as exc:
        raise fail(str(exc)) from None


async def _run(
    sources: list[str],
    options: EndpointOptions,
    settings: PipelineSettings,
    concurrency: int,
    sink: _Sink,
    recorder: Cassette | None = None,
    limits: RunLimits | None = None,
    responses: ResponseCache | None = None,
) -> list[DocumentRecordT]:
    show_progress = stderr.is_terminal and len(sources) > 1
    progress = Progress(
        TextColumn("[bold]summarizing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, disable=not show_progress,
    )  # fmt: skip
    with progress:
        task = progress.add_task("docs", total=len(sources))
        kind = options.expected_kind(recorder is not None and not recorder.needs_live_endpoint)
        start = calls_model(settings, kind)
        async with open_client(options, recorder, start_builtin=start, cache=responses) as client:
            pipeline = Pipeline(client, settings)

            def done(record: DocumentRecordT) -> None:
                sink.add(record)
                progress.advance(task)

            return await pipeline.run_batch(
                sources, concurrency=concurrency, on_record=done, limits=limits, keep=not sink.streams
            )
