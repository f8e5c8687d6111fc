"""A real OpenAI-compatible HTTP server on 127.0.0.1 that plays scripted answers.

Tests queue answers (a completion, an HTTP error with headers, a hang, a connection
reset, raw bytes) and the server plays them in order to ``POST /v1/chat/completions``.
A document's facts and events calls run at once, so an answer meant for one draft says so
(``Answer.draft``; a completion whose JSON holds ``"events"`` or ``"key_facts"`` is marked on its
own): a request for one draft takes the first queued answer for that draft or for any; a request
for no draft takes the first.
``GET /v1/models`` answers with a fixed listing (or the error status asked for).  Every request received is kept
for assertions.  The completions it serves are hand-built test inputs, not recordings.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Answer:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset_mid_body: bool = False
    #: The draft this answer is for ('FactsDraft' or 'EventsDraft'); None = the next request.
    draft: str | None = None


def completion(
    content: str | dict[str, Any] | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    model: str = "scripted-model",
    draft: str | None = None,
) -> Answer:
    """A chat completion whose message content is ``content`` (dicts are JSON-encoded).

    ``draft`` defaults to the draft the content answers, when its JSON names one."""
    text = json.dumps(content) if isinstance(content, dict) else content
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if refusal is not None:
        message["refusal"] = refusal
    body = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Answer(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
                  draft=draft or _answers_draft(text))  # fmt: skip


def _answers_draft(text: str | None) -> str | None:
    """The draft a content answers: an events list for EventsDraft, key facts for FactsDraft."""
    if text is None:
        return None
    head = text.lstrip()[:200]
    if head.startswith('{"events"'):
        return "EventsDraft"
    return "FactsDraft" if '"key_facts"' in text and head.startswith("{") else None


def no_choices(draft: str | None = None) -> Answer:
    """A completion with an empty ``choices`` list."""
    body = {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
    return Answer(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, draft=draft)


def http_error(
    status: int, retry_after: str | None = None, message: str = "scripted error", draft: str | None = None
) -> Answer:
    """An HTTP error answer, optionally with Retry-After, for the next request or one ``draft``'s."""
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    body = json.dumps({"error": {"message": message, "type": "scripted", "code": status}}).encode()
    return Answer(status=status, body=body, headers=headers, draft=draft)


def raw(body: bytes, content_type: str = "application/json", draft: str | None = None) -> Answer:
    """Raw bytes as the answer body."""
    return Answer(body=body, headers={"Content-Type": content_type}, draft=draft)


def draft_name(body: dict[str, Any]) -> str:
    """Which draft a chat request asks for: 'FactsDraft' or 'EventsDraft' (from its response_format)."""
    response_format = body.get("response_format") or {}
    schema = response_format.get("json_schema", {}).get("schema") or response_format.get("schema") or {}
    return str(response_format.get("json_schema", {}).get("name") or schema.get("title", ""))


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server that stays quiet when a client drops its connection (the client
    closing a keep-alive connection between requests is no server error, and the traceback
    socketserver prints would land in a test's captured stderr)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LoopbackService:
    """A threaded HTTP server on a free 127.0.0.1 port, serving while the context is open."""

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        """Bind the server (call once, from ``__init__``)."""
        self._server = LoopbackServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )  # a short poll, so shutdown() does not wait half a second per test

    @property
    def base_url(self) -> str:
        """Base URL including /v1."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class ScriptedServer(LoopbackService):
    """Context manager: start on a free loopback port, stop on exit."""

    def __init__(
        self,
        models: tuple[str, ...] = ("scripted-model",),
        owned_by: str = "vllm",
        responder: Callable[[dict[str, Any]], Answer] | None = None,
        models_status: int = 200,
    ) -> None:
        self.responder = responder
        self.models_status = models_status
        self.answers: deque[Answer] = deque()
        self.requests: list[dict[str, Any]] = []
        self.models = models
        self.owned_by = owned_by
        self._lock = threading.Lock()
        self._serve(self._handler())

    def requests_for(self, draft: str) -> list[dict[str, Any]]:
        """The requests received for one draft ('FactsDraft' or 'EventsDraft'), in order."""
        with self._lock:
            return [r for r in self.requests if draft_name(r["body"]) == draft]

    def queue(self, *answers: Answer) -> None:
        """Add answers to play in order."""
        with self._lock:
            self.answers.extend(answers)

    def _next(self, body: dict[str, Any]) -> Answer:
        wanted = draft_name(body)
        with self._lock:
            for i, answer in enumerate(self.answers):
                if answer.draft in (None, wanted) or not wanted:  # a request for no draft takes any
                    del self.answers[i]
                    return answer
        if self.responder is not None:
            return self.responder(body)
        return http_error(599, message="scripted server: no answer queued")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, answer: Answer) -> None:
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if answer.reset_mid_body:
                    self.wfile.write(answer.body[: len(answer.body) // 2])
                    self.wfile.flush()
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(answer.body)

            def do_GET(self) -> None:
                if server.models_status != 200:
                    self._send(http_error(server.models_status, message="no model listing here"))
                    return
                listing = {
                    "object": "list",
                    "data": [{"id": m, "object": "model", "owned_by": server.owned_by} for m in server.models],
                }
                self._send(Answer(body=json.dumps(listing).encode(), headers={"Content-Type": "application/json"}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = self.rfile.read(length)
                try:
                    body = json.loads(payload)
                except ValueError:
                    body = {"_raw": payload.decode("utf-8", "replace")}
                with server._lock:
                    server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self._send(server._next(body))

        return Handler
