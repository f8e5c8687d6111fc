"""A minimal, fast OpenAI-compatible HTTP/1.1 server on 127.0.0.1 for the benchmarks.

Raw asyncio protocol (no framework), keep-alive, Content-Length bodies.  It answers
``POST /v1/chat/completions`` with the hand-built answers of seed 000 from
``tests/hand_built.py``: requests whose ``response_format`` schema is named
``EventsDraft`` get HAND_BUILT_EVENTS_000, every other request HAND_BUILT_FACTS_000.
``GET /v1/models`` lists one model (owned by vllm).  With ``--latency`` every answer
waits that long (``asyncio.sleep``) before it is sent.  With ``--capture`` the body and
the ``X-Summarizer-*`` headers of each completion request are kept and served by
``GET /_captured``; ``GET /_stats`` gives the request and connection counts.

Run as a child process (``python benchmarks/fake_server.py``); it prints ``PORT <n>``
once listening and stops on SIGTERM.  Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hand_built import HAND_BUILT_EVENTS_000, HAND_BUILT_FACTS_000  # noqa: E402

MODEL = "bench-model"
MAX_HEADER_BYTES = 65_536


def completion_body(content: dict[str, Any], prompt_tokens: int, completion_tokens: int) -> bytes:
    """A chat completion whose message content is ``content`` as JSON."""
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": MODEL,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": json.dumps(content)}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return json.dumps(body).encode()


def http_response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    """A complete HTTP/1.1 keep-alive response."""
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


FACTS_RESPONSE = http_response(200, completion_body(HAND_BUILT_FACTS_000, 1000, 300))
EVENTS_RESPONSE = http_response(200, completion_body(HAND_BUILT_EVENTS_000, 1000, 400))
MODELS_RESPONSE = http_response(
    200, json.dumps({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "vllm"}]}).encode()
)
NOT_FOUND = http_response(404, b'{"error": {"message": "not found"}}')


def schema_name(body: dict[str, Any]) -> str:
    """The name of the requested response schema (json_schema name, or the schema's title)."""
    fmt = body.get("response_format") or {}
    if isinstance(fmt, dict):
        named = fmt.get("json_schema") or {}
        if isinstance(named, dict) and named.get("name"):
            return str(named["name"])
        schema = fmt.get("schema") or named.get("schema") or {}
        if isinstance(schema, dict) and schema.get("title"):
            return str(schema["title"])
    return ""


class State:
    """Server-wide settings and counters."""

    def __init__(self, latency: float, capture: bool) -> None:
        self.latency = latency
        self.capture = capture
        self.captured: list[dict[str, Any]] = []
        self.requests = 0
        self.connections = 0


class Connection(asyncio.Protocol):
    """One keep-alive connection; requests are answered in order."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.state.connections += 1
        if self.state.latency:
            self.writer = asyncio.get_running_loop().create_task(self._write_delayed())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.writer is not None:
            self.writer.cancel()

    async def _write_delayed(self) -> None:
        while True:
            response = await self.queue.get()
            if response is None or self.transport is None or self.transport.is_closing():
                return
            await asyncio.sleep(self.state.latency)
            self.transport.write(response)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEADER_BYTES and self.transport is not None:
                    self.transport.close()
                return
            head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            method, path = head[0].split(" ")[:2]
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            self._respond(self._answer(method, path, headers, body))

    def _respond(self, response: bytes) -> None:
        if self.writer is not None:
            self.queue.put_nowait(response)
        elif self.transport is not None:
            self.transport.write(response)

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        if method == "POST" and path.endswith("/chat/completions"):
            self.state.requests += 1
            try:
                parsed = json.loads(body)
            except ValueError:
                return http_response(400, b'{"error": {"message": "body is not JSON"}}')
            if self.state.capture:
                kept = {k: v for k, v in headers.items() if k.startswith("x-summarizer-")}
                self.state.captured.append({"headers": kept, "body": parsed})
            return EVENTS_RESPONSE if schema_name(parsed) == "EventsDraft" else FACTS_RESPONSE
        if method == "GET" and path.endswith("/models"):
            return MODELS_RESPONSE
        if method == "GET" and path == "/_captured":
            return http_response(200, json.dumps(self.state.captured).encode())
        if method == "GET" and path == "/_stats":
            return http_response(
                200, json.dumps({"requests": self.state.requests, "connections": self.state.connections}).encode()
            )
        return NOT_FOUND


async def serve(port: int, latency: float, capture: bool) -> None:
    """Listen on 127.0.0.1 until SIGTERM or SIGINT."""
    state = State(latency, capture)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(state), "127.0.0.1", port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument("--capture", action="store_true", help="keep completion request bodies for /_captured")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.latency, args.capture))


if __name__ == "__main__":
    main()
