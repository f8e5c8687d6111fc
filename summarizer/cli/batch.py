"""``summarizer batch prepare|submit|status|collect``: the OpenAI Batch JSONL path.

Exit codes: 0 ok; 1 some document failed in the model stage, or the Batch API failed; 2 usage
error or bad input (a missing or malformed requests, manifest or results file, a result whose
custom_id no requests file has, a document refused as input); 4 no failure, but a partial record;
5 (``collect``) some document is pending (a follow-up requests file was written), or the batch is
still running. Codes 1 and 2 take precedence over 5, and 5 over 4.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from summarizer.batch import api
from summarizer.batch.lines import (
    BatchSettings,
    Manifest,
    RequestLine,
    ResultLine,
    manifest_path,
    read_manifest,
    read_requests,
    read_results,
    write_batch,
)
from summarizer.batch.run import Collected, answers_by_key, collect, prepare
from summarizer.cli import EXIT_FAILED, EXIT_OK, EXIT_PENDING, EXIT_USAGE, app, fail, say, setup_logging, stderr
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
from summarizer.cli.summarize import QUOTE_POLICIES, exit_code
from summarizer.errors import BatchNotFinished, InputError, SummarizerError
from summarizer.load import DEFAULT_MAX_BYTES, expand_paths
from summarizer.redact import redact
from summarizer.retry import RetryPolicy
from summarizer.schema import ErrorRecord
from summarizer.session import EndpointOptions
from summarizer.write import JsonlWriter

batch_app = typer.Typer(no_args_is_help=True, help="OpenAI Batch JSONL: prepare, submit, status, collect.")
app.add_typer(batch_app, name="batch")

BaseUrl = Annotated[Optional[str], typer.Option(help="Base URL of the Batch API (or OPENAI_BASE_URL; default OpenAI).")]


def _api_options(base_url: str | None, timeout: float = 600.0, max_retries: int = 4) -> EndpointOptions:
    return EndpointOptions.from_env(base_url=base_url, timeout=timeout, retry=RetryPolicy(max_attempts=max_retries + 1))


def _error_exit(exc: SummarizerError) -> typer.Exit:
    """One line on stderr: bad input exits 2, a batch still running 5, any other failure 1."""
    if isinstance(exc, BatchNotFinished):
        return fail(redact(str(exc)), EXIT_PENDING)
    code = EXIT_USAGE if exc.kind in ("input_error", "config_error") else EXIT_FAILED
    return fail(redact(str(exc)), code)


@batch_app.command("prepare")
def prepare_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files or directories (not standard input).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The requests file to write (JSONL).")],
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    endpoint_kind: EndpointKindOption = None,
    mode: Annotated[Optional[str], typer.Option(help="Structured-output mode (see summarize).")] = None,
    max_tokens: MaxTokensOption = 2048,
    temperature: TemperatureOption = 0.0,
    max_reasks: MaxReasksOption = 2,
    token_budget: TokenBudgetOption = 60_000,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    context_tokens: ContextTokensOption = None,
    events: EventsOption = True,
    quotes: Annotated[str, typer.Option(help="auto, sentences or free (see summarize).")] = "auto",
    published: Annotated[Optional[str], typer.Option(help="Publication date (see summarize).")] = None,
    concurrency: ConcurrencyOption = 4,
    verbose: VerboseOption = 0,
) -> None:
    """Write one request line per model call (llm strategy) and a manifest; nothing is sent."""
    setup_logging(verbose)
    if quotes not in QUOTE_POLICIES:
        raise fail(f"--quotes must be one of {', '.join(QUOTE_POLICIES)}, not {quotes!r}")
    sources = expand_paths(paths)
    if "-" in sources:
        raise fail("batch prepare reads files, not standard input: collect must read the documents again")
    if not sources:
        raise fail("no input documents found")
    settings = BatchSettings(max_tokens=max_tokens, temperature=temperature, max_reasks=max_reasks,
                             token_budget=token_budget, max_bytes=max_bytes, extract_events=events,
                             quote_choices=QUOTE_POLICIES[quotes], published=published,
                             context_tokens=context_tokens)  # fmt: skip
    options = EndpointOptions.from_env(base_url=base_url, model=model, kind=endpoint_kind, mode=mode)
    try:
        prepared = asyncio.run(prepare(sources, options, settings, output.name, concurrency))
    except SummarizerError as exc:
        raise _error_exit(exc) from None
    for record in prepared.refused:
        say("failed", "red", f"{record.source}: {record.error.type}: {record.error.message}")
    batch = prepared.batch
    if not batch.lines:
        raise fail("nothing to batch: no document could be read")
    write_batch(output, batch.lines, batch.manifest)
    stderr.print(f"{len(batch.lines)} requests for {len(batch.manifest.documents)} documents in {output} "
                 f"(manifest {manifest_path(output)})", highlight=False)  # fmt: skip
    raise typer.Exit(EXIT_USAGE if prepared.refused else EXIT_OK)


@batch_app.command("submit")
def submit_cmd(
    requests: Annotated[Path, typer.Argument(help="A requests file written by batch prepare or collect.")],
    base_url: BaseUrl = None,
    timeout: TimeoutOption = 600.0,
    max_retries: MaxRetriesOption = 4,
    verbose: VerboseOption = 0,
) -> None:
    """Upload a requests file and create its batch (24h window); print the batch id."""
    setup_logging(verbose)
    try:
        lines = read_requests(requests)
        file_id, batch = asyncio.run(api.submit(requests, _api_options(base_url, timeout, max_retries)))
    except SummarizerError as exc:
        raise _error_exit(exc) from None
    stderr.print(f"uploaded {requests} ({len(lines)} requests) as {file_id}; batch {batch.id} is {batch.status}",
                 highlight=False)  # fmt: skip
    sys.stdout.write(batch.id + "\n")


@batch_app.command("status")
def status_cmd(
    batch_id: Annotated[str, typer.Argument(help="The batch id submit printed.")],
    base_url: BaseUrl = None,
    timeout: TimeoutOption = 600.0,
    verbose: VerboseOption = 0,
) -> None:
    """Print a batch's status, request counts, output and error file ids, as JSON."""
    setup_logging(verbose)
    try:
        batch = asyncio.run(api.status(batch_id, _api_options(base_url, timeout)))
    except SummarizerError as exc:
        raise _error_exit(exc) from None
    sys.stdout.write(json.dumps(api.describe(batch), indent=2) + "\n")


def _results(sources: list[str], options: EndpointOptions) -> list[tuple[str, list[ResultLine]]]:
    """Each results argument's lines: a file that exists is read; anything else is a batch id, downloaded."""
    out: list[tuple[str, list[ResultLine]]] = []
    for source in sources:
        path = Path(source)
        if path.is_file():
            out.append((source, read_results(path)))
        elif path.suffix == ".jsonl" or "/" in source:
            raise InputError(f"{source}: no such results file")
        else:
            out.append((f"batch {source}", asyncio.run(api.download(source, options))))
    return out


@batch_app.command("collect")
def collect_cmd(
    results: Annotated[list[str], typer.Argument(help="Results files (output or error JSONL), or batch ids.")],
    requests: Annotated[
        list[Path], typer.Option("--requests", "-r", help="The requests file of each round (repeat for rounds).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The records file to write (JSONL).")],
    followup: Annotated[
        Optional[Path], typer.Option(help="Where unanswered requests go (default: OUTPUT's name + .followup.jsonl).")
    ] = None,
    base_url: BaseUrl = None,
    timeout: TimeoutOption = 600.0,
    concurrency: ConcurrencyOption = 4,
    verbose: VerboseOption = 0,
) -> None:
    """Validate, ground and verify the answers as a live run does; write the records, and the
    requests still unanswered (a missing line, a re-ask) to a follow-up file for another round."""
    setup_logging(verbose)
    followup = followup or output.with_name(output.stem + ".followup.jsonl")
    try:
        lines: list[RequestLine] = []
        manifests: list[tuple[str, Manifest]] = []
        for path in requests:
            lines += read_requests(path)
            manifests.append((str(path), read_manifest(path)))
        found = _results(results, _api_options(base_url, timeout))
        answers = answers_by_key(lines, found, [str(p) for p in requests])
        collected = asyncio.run(collect(manifests, answers, followup.name, concurrency))
    except SummarizerError as exc:
        raise _error_exit(exc) from None
    raise typer.Exit(_write_collected(collected, output, followup))


def _write_collected(collected: Collected, output: Path, followup: Path) -> int:
    """Write the records and the follow-up round; report on stderr; return the exit code."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as stream:
        writer = JsonlWriter(stream)
        for record in collected.records:
            writer.write(record)
    code = exit_code(collected.records)
    for record in collected.records:
        if isinstance(record, ErrorRecord):
            say("failed", "red", f"{record.source}: {record.error.type}: {record.error.message}")
        else:
            for call in record.failed_calls:
                say("partial", "yellow", f"{record.provenance.source.path}: {call.part} missing: {call.error.type}")
    if collected.followup is None:
        stderr.print(f"{len(collected.records)} records in {output}; every document is finished", highlight=False)
        return code
    write_batch(followup, collected.followup.lines, collected.followup.manifest)
    for path in collected.pending:
        say("pending", "yellow", path)
    stderr.print(f"{len(collected.records)} records in {output}; {len(collected.pending)} documents pending: "
                 f"submit {followup} ({len(collected.followup.lines)} requests), then collect every round's "
                 "results with every round's --requests", highlight=False)  # fmt: skip
    return code if code in (EXIT_FAILED, EXIT_USAGE) else EXIT_PENDING
