"""A real Batch API server on 127.0.0.1: the Files endpoints (``POST /v1/files`` multipart,
``GET /v1/files/{id}/content``) and the Batches endpoints (``POST /v1/batches``,
``GET /v1/batches/{id}``), as the openai client calls them.

A created batch is answered at once, line by line, by an ``answer`` function given the request
line; the output and error files are written in OpenAI's format (``{"id", "custom_id",
"response": {"status_code", "request_id", "body"}, "error"}``; a non-200 answer or an ``error`` goes
to the error file). :func:`cassette_answers` answers from REAL recorded completions (the seed
cassettes), looked up by request key. The batch reports ``in_progress`` for its first
``polls_before_done`` status reads, then ``completed``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from scripted_server import LoopbackService

from summarizer.cassette import read_interactions, request_key


@dataclass
class LineAnswer:
    """How the server answers one request line: an HTTP status and body, or an error with no response."""

    status: int = 200
    body: Any = None
    error: dict[str, Any] | None = None


Answerer = Callable[[dict[str, Any]], LineAnswer | None]


def cassette_answers(*cassettes: Path) -> Answerer:
    """Answers from recorded interactions, by the request key of each line (None: not recorded)."""
    recorded = {i.key: i for path in cassettes for i in read_interactions(path)}

    def answer(line: dict[str, Any]) -> LineAnswer | None:
        found = recorded.get(request_key(line["method"], line["url"], line["body"]))
        return None if found is None else LineAnswer(found.status, found.response)

    return answer


def result_line(custom_id: str, answer: LineAnswer, n: int) -> dict[str, Any]:
    """One line of an output or error file, in OpenAI's format."""
    if answer.error is not None:
        return {"id": f"batch_req_{n}", "custom_id": custom_id, "response": None, "error": answer.error}
    response = {"status_code": answer.status, "request_id": f"req_{n}", "body": answer.body}
    return {"id": f"batch_req_{n}", "custom_id": custom_id, "response": response, "error": None}


class BatchServer(LoopbackService):
    """Context manager: start on a free loopback port, stop on exit."""

    def __init__(self, answer: Answerer, polls_before_done: int = 0) -> None:
        self.answer = answer
        self.polls_before_done = polls_before_done
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        #: (method, path, Authorization header) of every request received.
        self.seen: list[tuple[str, str, str | None]] = []
        self._lock = threading.Lock()
        self._serve(self._handler())

    def _store_file(self, name: str, purpose: str, content: bytes) -> dict[str, Any]:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = {"id": file_id, "object": "file", "bytes": len(content),
                               "created_at": int(time.time()), "filename": name, "purpose": purpose,
                               "status": "processed", "content": content}  # fmt: skip
        return {k: v for k, v in self.files[file_id].items() if k != "content"}

    def _run_batch(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        source = self.files.get(request.get("input_file_id", ""))
        wanted = {"endpoint": "/v1/chat/completions", "completion_window": "24h"}
        if source is None or any(request.get(k) != v for k, v in wanted.items()):
            return 400, {"error": {"message": "bad batch request", "type": "invalid_request_error"}}
        output: list[str] = []
        errors: list[str] = []
        total = 0
        for n, raw in enumerate(source["content"].decode("utf-8").split("\n"), 1):
            if not raw.strip():
                continue
            total += 1
            line = json.loads(raw)
            answer = self.answer(line)
            if answer is None:  # a line the server lost: in neither file
                continue
            target = output if answer.error is None and answer.status == 200 else errors
            target.append(json.dumps(result_line(line["custom_id"], answer, n)))
        batch_id = f"batch_{len(self.batches) + 1}"
        output_id = self._store_file(f"{batch_id}_output.jsonl", "batch_output", "\n".join(output).encode())["id"]
        error_id = self._store_file(f"{batch_id}_error.jsonl", "batch_output", "\n".join(errors).encode())["id"]
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": request["endpoint"], "errors": None,
            "input_file_id": request["input_file_id"], "completion_window": "24h", "status": "validating",
            "output_file_id": output_id if output else None, "error_file_id": error_id if errors else None,
            "created_at": int(time.time()),
            "request_counts": {"total": total, "completed": len(output), "failed": len(errors)},
        }  # fmt: skip
        self.polls[batch_id] = 0
        return 200, self.batches[batch_id]

    def _batch_now(self, batch_id: str) -> dict[str, Any]:
        batch = dict(self.batches[batch_id])
        self.polls[batch_id] += 1
        if self.polls[batch_id] <= self.polls_before_done:
            batch.update(status="in_progress", output_file_id=None, error_file_id=None,
                         request_counts={**batch["request_counts"], "completed": 0, "failed": 0})  # fmt: skip
        else:
            batch["status"] = "completed"
        return batch

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes | dict[str, Any]) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                binary = isinstance(body, bytes)
                self.send_header("Content-Type", "application/octet-stream" if binary else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _not_found(self) -> None:
                self._send(404, {"error": {"message": f"no such object: {self.path}", "type": "invalid_request_error"}})

            def do_GET(self) -> None:
                with server._lock:
                    server.seen.append(("GET", self.path, self.headers.get("Authorization")))
                    content = re.fullmatch(r"/v1/files/([\w-]+)/content", self.path)
                    batch = re.fullmatch(r"/v1/batches/([\w-]+)", self.path)
                    if content and content.group(1) in server.files:
                        self._send(200, server.files[content.group(1)]["content"])
                    elif batch and batch.group(1) in server.batches:
                        self._send(200, server._batch_now(batch.group(1)))
                    else:
                        self._not_found()

            def do_POST(self) -> None:
                payload = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server._lock:
                    server.seen.append(("POST", self.path, self.headers.get("Authorization")))
                    if self.path == "/v1/files":
                        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                        message = BytesParser(policy=HTTP).parsebytes(head + payload)
                        fields = {part.get_param("name", header="content-disposition"): part
                                  for part in message.iter_parts()}  # type: ignore[attr-defined]  # fmt: skip
                        upload = fields["file"]
                        purpose = fields["purpose"].get_payload(decode=True).decode()
                        self._send(200, server._store_file(upload.get_filename(), purpose,
                                                           upload.get_payload(decode=True)))  # fmt: skip
                    elif self.path == "/v1/batches":
                        self._send(*server._run_batch(json.loads(payload)))
                    else:
                        self._not_found()

        return Handler
