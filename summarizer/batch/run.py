"""Prepare and collect: the pipeline's own code run over the batch transport.

``prepare`` runs every document with no answers at all: each model call is captured as a request
line and the document stops. ``collect`` runs them again with the results as answers: the pipeline
validates, re-asks, grounds and verifies as it does live and writes the same records; a request it
has no answer for (a missing line, or a re-ask) is captured for a follow-up round and its document
is left pending. Only the llm strategy is batched: the evidence strategy makes no model call, or
assist calls one after another.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from summarizer.batch.lines import (
    BatchSettings,
    EndpointInfo,
    Manifest,
    ManifestDocument,
    ManifestRequest,
    RequestLine,
    ResultLine,
    chat_key,
)
from summarizer.batch.transport import BatchCalls, current_document
from summarizer.errors import CallDeferred, InputError, SummarizerError
from summarizer.load import Document
from summarizer.pipeline import DocumentRecordT, Pipeline, PipelineSettings, load_source
from summarizer.providers import Endpoint
from summarizer.retry import RetryPolicy
from summarizer.runs import error_record
from summarizer.schema import ErrorRecord
from summarizer.session import OPENAI_DEFAULT_BASE_URL, EndpointOptions, open_client
from summarizer.validate import CallSettings, TokenBudget

#: Nothing is sent, so nothing is retried.
NO_RETRY = RetryPolicy(max_attempts=1)
#: The address of a server named by kind only (prepare for ``vllm run_batch``): never contacted when
#: the model is given too; nothing listens on port 9 (discard) if it were.
NO_SERVER_URL = "http://127.0.0.1:9/v1"


@dataclass
class Round:
    """Requests to send, and their manifest."""

    lines: list[RequestLine]
    manifest: Manifest


@dataclass
class Prepared:
    """What ``prepare`` produced: the requests, and the documents refused as input."""

    batch: Round
    refused: list[ErrorRecord]


@dataclass
class Collected:
    """What ``collect`` produced: the finished records (manifest order), the pending documents, and
    the follow-up round for them (None when every document finished)."""

    records: list[DocumentRecordT]
    pending: list[str]
    followup: Round | None


def pipeline_settings(settings: BatchSettings) -> PipelineSettings:
    """The pipeline settings a batch runs with (always the llm strategy)."""
    return PipelineSettings(
        call=CallSettings(max_tokens=settings.max_tokens, temperature=settings.temperature,
                          max_reasks=settings.max_reasks),
        token_budget=settings.token_budget, max_bytes=settings.max_bytes, extract_events=settings.extract_events,
        quote_choices=settings.quote_choices, strategy="llm", published=settings.published,
        context_tokens=settings.context_tokens,
    )  # fmt: skip


def offline_options(options: EndpointOptions) -> EndpointOptions:
    """A kind other than the built-in model's named with no base URL: its requests' shape, with
    OpenAI's address or none (the built-in model would be taken otherwise)."""
    if not options.uses_builtin or options.kind in (None, "builtin"):
        return options
    return replace(options, base_url=OPENAI_DEFAULT_BASE_URL if options.kind == "openai" else NO_SERVER_URL)


def endpoint_info(endpoint: Endpoint) -> EndpointInfo:
    """The endpoint as the manifest keeps it (no key; no address for the built-in model)."""
    base_url = None if endpoint.kind == "builtin" else endpoint.base_url
    return EndpointInfo(base_url=base_url, kind=endpoint.kind, model=endpoint.model, mode=endpoint.mode_name,
                        seed=endpoint.seed)  # fmt: skip


def endpoint_options(info: EndpointInfo) -> EndpointOptions:
    """Options that open the manifest's endpoint again without contacting it (kind and model given)."""
    return EndpointOptions(base_url=info.base_url, model=info.model, kind=info.kind, mode=info.mode,
                           seed=info.seed, retry=NO_RETRY)  # fmt: skip


async def _run_documents(
    pipeline: Pipeline, sources: Sequence[str], load: Callable[[str], Document], concurrency: int
) -> dict[str, tuple[Document | None, DocumentRecordT | None]]:
    """Each source's document and record; the record is None while a call is deferred."""
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def one(source: str) -> tuple[Document | None, DocumentRecordT | None]:
        async with semaphore:
            current_document.set(source)  # this task's own context
            budget = TokenBudget(pipeline.settings.token_budget)
            doc: Document | None = None
            try:
                doc = load(source)
                return doc, await pipeline.summarize(doc, budget)
            except CallDeferred:
                return doc, None
            except SummarizerError as exc:
                return doc, error_record(source, exc, budget.used)

    results = await asyncio.gather(*(one(source) for source in sources))
    return dict(zip(sources, results, strict=True))


def _round(calls: BatchCalls, documents: list[ManifestDocument], round_no: int, requests_file: str,
           endpoint: EndpointInfo, settings: BatchSettings) -> Round:  # fmt: skip
    """The captured requests as a requests file's lines and manifest."""
    for entry in documents:
        entry.custom_ids = [cid for cid, c in calls.captured.items() if entry.path in c.documents]
    requests = [ManifestRequest(custom_id=cid, documents=c.documents, templates=c.templates, schema_tag=c.schema_tag)
                for cid, c in calls.captured.items()]  # fmt: skip
    manifest = Manifest(round=round_no, requests_file=requests_file, endpoint=endpoint, settings=settings,
                        documents=documents, requests=requests)  # fmt: skip
    return Round([c.line for c in calls.captured.values()], manifest)


async def prepare(sources: Sequence[str], options: EndpointOptions, settings: BatchSettings, requests_file: str,
                  concurrency: int = 4) -> Prepared:  # fmt: skip
    """Capture every model call the documents need first, without sending any."""
    calls = BatchCalls()
    async with open_client(replace(offline_options(options), retry=NO_RETRY), calls, start_builtin=False) as client:
        pipeline = Pipeline(client, pipeline_settings(settings))
        outcomes = await _run_documents(pipeline, sources, lambda s: load_source(s, settings.max_bytes), concurrency)
        endpoint = endpoint_info(client.endpoint)
    refused = [r for _, r in outcomes.values() if isinstance(r, ErrorRecord)]
    documents = [ManifestDocument(path=source, location=os.path.abspath(source), sha256=doc.sha256, custom_ids=[])
                 for source, (doc, record) in outcomes.items()
                 if doc is not None and not isinstance(record, ErrorRecord)]  # fmt: skip
    return Prepared(_round(calls, documents, 1, requests_file, endpoint, settings), refused)


def answers_by_key(requests: Sequence[RequestLine], results: Sequence[tuple[str, Sequence[ResultLine]]],
                   request_files: Sequence[str]) -> dict[str, ResultLine]:  # fmt: skip
    """Results keyed by their request's key; a later results file's line replaces an earlier one.
    A custom id no requests file has is an :class:`InputError`."""
    by_id = {line.custom_id: line for line in requests}
    answers: dict[str, ResultLine] = {}
    for origin, lines in results:
        for result in lines:
            request = by_id.get(result.custom_id)
            if request is None:
                raise InputError(
                    f"{origin}: custom_id {result.custom_id!r} is in none of the requests files given "
                    f"({', '.join(request_files)}); give --requests for every round the results answer"
                )
            answers[chat_key(request.body)] = result
    return answers


def _agreeing(manifests: Sequence[tuple[str, Manifest]]) -> Manifest:
    """The first manifest, once every other one was prepared for the same endpoint and settings."""
    (first_name, first), *others = manifests
    for name, manifest in others:
        for part in ("endpoint", "settings"):
            if getattr(manifest, part) != getattr(first, part):
                raise InputError(f"{name} was prepared with another {part} than {first_name}; "
                                 "collect the rounds of one batch together")  # fmt: skip
    return first


def _document_loader(documents: dict[str, ManifestDocument], max_bytes: int) -> Callable[[str], Document]:
    def load(path: str) -> Document:
        entry = documents[path]
        where = path if os.path.exists(path) else entry.location
        doc = replace(load_source(where, max_bytes), path=path)
        if doc.sha256 != entry.sha256:
            raise InputError(f"{path} changed since batch prepare (sha256 {entry.sha256[:12]}… then, "
                             f"{doc.sha256[:12]}… now): prepare it again")  # fmt: skip
        return doc

    return load


async def collect(manifests: Sequence[tuple[str, Manifest]], answers: dict[str, ResultLine], followup_file: str,
                  concurrency: int = 4) -> Collected:  # fmt: skip
    """Run every document of the manifests with the answers; defer what is still unanswered."""
    first = _agreeing(manifests)
    documents: dict[str, ManifestDocument] = {}
    for _, manifest in manifests:
        for entry in manifest.documents:
            documents.setdefault(entry.path, entry.model_copy(deep=True))
    calls = BatchCalls(answers)
    async with open_client(endpoint_options(first.endpoint), calls, start_builtin=False) as client:
        pipeline = Pipeline(client, pipeline_settings(first.settings))
        loader = _document_loader(documents, first.settings.max_bytes)
        outcomes = await _run_documents(pipeline, list(documents), loader, concurrency)
    records = [record for _, record in outcomes.values() if record is not None]
    pending = [path for path, (_, record) in outcomes.items() if record is None]
    followup = None
    if pending:
        round_no = max(m.round for _, m in manifests) + 1
        followup = _round(calls, [documents[p] for p in pending], round_no, followup_file, first.endpoint,
                          first.settings)  # fmt: skip
    return Collected(records, pending, followup)
