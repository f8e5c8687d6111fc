"""The Files and Batches APIs through the openai client: upload a requests file and create the batch,
read its status, download its output and error files.

The client gets the session's endpoint options: base URL (default OpenAI's), the API key (registered
as a secret, so no message or file shows it), timeout and the transport retry policy. Failures map
to the same typed errors as model calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import openai
from openai.types import Batch

from summarizer.batch.lines import BATCH_URL, ResultLine, parse_results
from summarizer.call import provider_error
from summarizer.errors import BatchNotFinished, ConfigError, InputError, ProviderError
from summarizer.redact import register_secret
from summarizer.retry import RetryTransport
from summarizer.session import OPENAI_DEFAULT_BASE_URL, EndpointOptions

#: Statuses after which a batch changes no more.
RUNNING = frozenset({"validating", "in_progress", "finalizing", "cancelling"})


@asynccontextmanager
async def batch_client(options: EndpointOptions) -> AsyncIterator[openai.AsyncOpenAI]:
    """An openai client for the endpoint the options name; openai errors become typed errors."""
    if options.uses_builtin:
        raise ConfigError("the built-in model has no Batch API: give --base-url (or OPENAI_BASE_URL) of a server "
                          "that has one, or set OPENAI_API_KEY for OpenAI")  # fmt: skip
    register_secret(options.api_key)
    http = httpx2.AsyncClient(
        transport=RetryTransport(httpx2.AsyncHTTPTransport(), options.retry),
        timeout=httpx2.Timeout(options.timeout, connect=10.0),
    )
    client = openai.AsyncOpenAI(base_url=options.base_url or OPENAI_DEFAULT_BASE_URL,
                                api_key=options.api_key or "not-needed", max_retries=0, http_client=http)  # fmt: skip
    try:
        yield client
    except openai.OpenAIError as exc:
        raise provider_error(exc) from exc
    finally:
        await http.aclose()


async def submit(requests: Path, options: EndpointOptions) -> tuple[str, Batch]:
    """Upload a requests file (purpose ``batch``) and create its batch; returns the file id and the batch."""
    try:
        content = requests.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {requests}: {exc}") from exc
    async with batch_client(options) as client:
        uploaded = await client.files.create(file=(requests.name, content, "application/jsonl"), purpose="batch")
        batch = await client.batches.create(input_file_id=uploaded.id, endpoint=BATCH_URL, completion_window="24h")
    return uploaded.id, batch


async def status(batch_id: str, options: EndpointOptions) -> Batch:
    """A batch as the server reports it now."""
    async with batch_client(options) as client:
        return await client.batches.retrieve(batch_id)


def describe(batch: Batch) -> dict[str, Any]:
    """What ``batch status`` prints: status, request counts, output and error file ids, errors."""
    counts = batch.request_counts
    errors = [f"{e.code}: {e.message}" for e in (batch.errors.data or [])] if batch.errors else []
    return {
        "id": batch.id,
        "status": batch.status,
        "request_counts": counts.model_dump() if counts is not None else None,
        "output_file_id": batch.output_file_id,
        "error_file_id": batch.error_file_id,
        "errors": errors,
    }


async def download(batch_id: str, options: EndpointOptions) -> list[ResultLine]:
    """The output and error files of a batch that has ended, as result lines."""
    async with batch_client(options) as client:
        batch = await client.batches.retrieve(batch_id)
        if batch.status in RUNNING:
            counts = batch.request_counts
            done = f" ({counts.completed + counts.failed} of {counts.total} requests done)" if counts else ""
            raise BatchNotFinished(f"batch {batch_id} is {batch.status}{done}: collect it once "
                                   f"`summarizer batch status {batch_id}` says completed")  # fmt: skip
        lines: list[ResultLine] = []
        for what, file_id in (("output", batch.output_file_id), ("error", batch.error_file_id)):
            if file_id:
                content = await client.files.content(file_id)
                lines += parse_results(content.content, f"batch {batch_id} {what} file {file_id}")
    if not lines:
        problems = "; ".join(describe(batch)["errors"]) or "no output or error file"
        raise ProviderError(f"batch {batch_id} is {batch.status} with no results: {problems}")
    return lines
