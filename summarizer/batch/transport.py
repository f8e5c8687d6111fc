"""The batch transport, an httpx transport under the openai client (in the session's recorder slot,
where a cassette goes).

Each chat request is looked up by its request key (the cassettes' and the cache's key) in the
batch results and answered with the recorded HTTP status and body, so the pipeline validates,
re-asks, grounds and verifies exactly as it does live. A request with no answer is captured as a
request line and refused with :class:`CallDeferred`, so the document stops without sending
anything: ``batch prepare`` is this transport with no results at all. A document's facts and events
calls are both awaited to the end, so both are captured.

Bodies are scrubbed of secrets before they are keyed or written, so a requests file never holds
a key-like string (headers, which carry the API key, are never written).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx2

from summarizer.batch.lines import RequestLine, ResultLine, chat_key, custom_id_for
from summarizer.cassette import SCHEMA_HEADER, TEMPLATE_HEADER
from summarizer.errors import CallDeferred, ProviderError
from summarizer.redact import scrub

#: The document whose calls are being made (set per document task; tasks copy it to their children).
current_document: ContextVar[str | None] = ContextVar("summarizer_batch_document", default=None)


@dataclass
class Captured:
    """A request with no answer yet, and where it comes from."""

    line: RequestLine
    templates: str
    schema_tag: str
    documents: list[str] = field(default_factory=list)


class BatchCalls:
    """Answers chat requests from batch results (by request key) and captures the others."""

    def __init__(self, answers: Mapping[str, ResultLine] | None = None) -> None:
        self.answers = dict(answers or {})
        #: Requests with no answer, by custom id, in the order first seen.
        self.captured: dict[str, Captured] = {}
        #: Keys of the answers used.
        self.used: set[str] = set()

    @property
    def needs_live_endpoint(self) -> bool:
        """True: the endpoint is the one the options name, never the built-in model's cassette replay.
        No request leaves this transport; open the client with ``start_builtin=False``."""
        return True

    def wrap(self, inner: httpx2.AsyncBaseTransport) -> BatchTransport:
        """Wrap the network transport (which sees only requests other than chat completions)."""
        return BatchTransport(inner, self)

    def save(self, complete: bool = True) -> None:
        """Nothing to save here: the caller writes the captured lines."""

    def respond(self, request: httpx2.Request) -> httpx2.Response:
        """The recorded answer to a chat request; raise CallDeferred when there is none."""
        body = scrub(json.loads(request.content))
        key = chat_key(body)
        result = self.answers.get(key)
        if result is None:
            raise self._capture(request, key, body)
        self.used.add(key)
        return http_answer(result)

    def _capture(self, request: httpx2.Request, key: str, body: dict[str, object]) -> CallDeferred:
        custom_id = custom_id_for(key)
        captured = self.captured.get(custom_id)
        if captured is None:
            captured = Captured(
                RequestLine(custom_id=custom_id, body=body),
                templates=request.headers.get(TEMPLATE_HEADER, ""),
                schema_tag=request.headers.get(SCHEMA_HEADER, ""),
            )
            self.captured[custom_id] = captured
        document = current_document.get()
        if document is not None and document not in captured.documents:
            captured.documents.append(document)
        return CallDeferred(f"request {custom_id} deferred to a batch", custom_id)


def http_answer(result: ResultLine) -> httpx2.Response:
    """A result line as the HTTP answer the client would have had live. A line that failed without
    an HTTP answer (OpenAI's ``error: {code, message}``) is a provider error, as a failed call is."""
    response = result.response
    if result.answered and response is not None:
        return httpx2.Response(200, json=response.body)
    if response is not None and response.status_code != 200:
        body = response.body if response.body is not None else _error_body(result)
        return httpx2.Response(response.status_code, json=body)
    raise ProviderError(f"the batch request {result.custom_id} failed: {result.error_text()}")


def _error_body(result: ResultLine) -> dict[str, object]:
    """An error answer's body when the line has none (vLLM puts its error response beside it)."""
    error = result.error
    if isinstance(error, dict) and isinstance(error.get("error"), dict):
        return error
    if isinstance(error, dict) and "message" in error:
        return {"error": error}
    return {"error": {"message": result.error_text()}}


class BatchTransport(httpx2.AsyncBaseTransport):
    """Chat completions answered by :class:`BatchCalls`; anything else goes to the inner transport."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, calls: BatchCalls) -> None:
        self.inner = inner
        self.calls = calls

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Answer or capture a chat completion; pass other requests (a model listing) through."""
        if request.method == "POST" and request.url.path.endswith("/chat/completions"):
            return self.calls.respond(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()
