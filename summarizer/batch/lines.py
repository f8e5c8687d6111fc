"""The files of a batch.

- **Requests** (``REQUESTS.jsonl``): OpenAI Batch input, one model call a line:
  ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``. vLLM's ``run_batch``
  reads the same lines.
- **Results**: the output and error files of OpenAI's Batch API or of ``vllm run_batch``, one line a
  request: ``{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``.
- **Manifest** (``REQUESTS.manifest.json``): what a collect needs besides the results: the
  endpoint and settings that shaped the requests, the documents (path, sha256) and, for each
  custom id, its documents, prompt templates and draft schema.

A bad file raises :class:`InputError` naming the file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.cassette import request_key
from summarizer.errors import InputError
from summarizer.write import write_atomic

BATCH_URL: Final = "/v1/chat/completions"
MANIFEST_FORMAT: Final = "summarizer-batch"
MANIFEST_VERSION: Final = 1
CUSTOM_ID_PREFIX = "sum-"

LineT = TypeVar("LineT", bound=BaseModel)


def chat_key(body: Any) -> str:
    """The request key of a chat request, whatever base path the client sends it under."""
    return request_key("POST", BATCH_URL, body)


def custom_id_for(key: str) -> str:
    """A deterministic custom id: identical requests share one line."""
    return CUSTOM_ID_PREFIX + key[:32]


class RequestLine(BaseModel):
    """One line of a requests file."""

    model_config = ConfigDict(extra="forbid")

    custom_id: str = Field(min_length=1)
    method: Literal["POST"] = "POST"
    url: Literal["/v1/chat/completions"] = BATCH_URL
    body: dict[str, Any]


class ResultResponse(BaseModel):
    """The HTTP answer to one request."""

    status_code: int
    request_id: str | None = None
    body: Any = None


class ResultLine(BaseModel):
    """One line of a results (output or error) file."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    custom_id: str = Field(min_length=1)
    response: ResultResponse | None = None
    #: OpenAI: ``{"code", "message"}``; vLLM: an error response object or a message.
    error: Any = None

    @property
    def answered(self) -> bool:
        """A successful answer: HTTP 200 with a body and no error."""
        return self.error is None and self.response is not None and self.response.status_code == 200

    def error_text(self) -> str:
        """What went wrong with this line, in one line."""
        error = self.error
        if isinstance(error, dict) and isinstance(error.get("error"), dict):
            error = error["error"]
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
            return ": ".join(str(part) for part in (code, message) if part) or json.dumps(error)[:300]
        if error is not None:
            return str(error)[:300]
        status = self.response.status_code if self.response is not None else "none"
        return f"HTTP status {status}"


class EndpointInfo(BaseModel):
    """The endpoint the requests are shaped for (the request bodies depend on it)."""

    #: None: the built-in model's shape (requests prepared with no endpoint configured).
    base_url: str | None
    kind: str
    model: str
    mode: str
    seed: int | None


class BatchSettings(BaseModel):
    """The pipeline settings that shape the requests and the records."""

    max_tokens: int
    temperature: float
    max_reasks: int
    token_budget: int | None
    max_bytes: int
    extract_events: bool
    quote_choices: bool | None
    published: str | None
    #: The model's context window for chunking long documents (None: the built-in model's, else none).
    context_tokens: int | None = None


class ManifestDocument(BaseModel):
    """A document of the batch and the requests it waits on."""

    path: str
    #: The absolute path at prepare time, tried when ``path`` is not found from the current directory.
    location: str
    sha256: str
    custom_ids: list[str]


class ManifestRequest(BaseModel):
    """Where one request line comes from: its documents, prompt templates and draft schema."""

    custom_id: str
    documents: list[str]
    #: Template names and short hashes, as sent in the request's header ("system.md.j2@…,facts.md.j2@…").
    templates: str
    #: The draft schema and its short hash ("FactsDraft@…").
    schema_tag: str


class Manifest(BaseModel):
    """Everything a collect needs besides the requests and the results."""

    format: Literal["summarizer-batch"] = MANIFEST_FORMAT
    version: Literal[1] = MANIFEST_VERSION
    #: 1 for ``batch prepare``; a follow-up file of round n has round n + 1.
    round: int = 1
    requests_file: str
    endpoint: EndpointInfo
    settings: BatchSettings
    documents: list[ManifestDocument]
    requests: list[ManifestRequest]


def manifest_path(requests: Path) -> Path:
    """The manifest next to a requests file: ``REQUESTS.jsonl`` -> ``REQUESTS.manifest.json``."""
    return requests.with_name(requests.stem + ".manifest.json")


def write_batch(path: Path, lines: list[RequestLine], manifest: Manifest) -> None:
    """Write a requests file and its manifest (each atomically)."""
    write_atomic(path, "".join(line.model_dump_json() + "\n" for line in lines))
    write_atomic(manifest_path(path), manifest.model_dump_json(indent=2) + "\n")


def _parse_jsonl(text: str, origin: str, model: type[LineT], what: str) -> list[LineT]:
    lines: list[LineT] = []
    for number, raw in enumerate(text.split("\n"), 1):  # not splitlines: JSON keeps U+2028 raw
        if not raw.strip():
            continue
        try:
            lines.append(model.model_validate_json(raw))
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            detail = problem["msg"] if not where else f"{where}: {problem['msg']}"
            raise InputError(f"{origin} line {number}: not a {what} line ({detail})") from None
    return lines


def _read_jsonl(path: Path, model: type[LineT], what: str) -> list[LineT]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what}s {path}: {exc}") from exc
    lines = _parse_jsonl(text, str(path), model, what)
    if not lines:
        raise InputError(f"{path}: no {what} lines")
    return lines


def read_requests(path: Path) -> list[RequestLine]:
    """The lines of a requests file."""
    return _read_jsonl(path, RequestLine, "batch request")


def read_results(path: Path) -> list[ResultLine]:
    """The lines of a results file (OpenAI output or error file, or ``vllm run_batch`` output)."""
    return _read_jsonl(path, ResultLine, "batch result")


def parse_results(content: bytes, origin: str) -> list[ResultLine]:
    """Result lines downloaded from the Files API (``origin`` names them in errors)."""
    return _parse_jsonl(content.decode("utf-8", "replace"), origin, ResultLine, "batch result")


def read_manifest(requests: Path) -> Manifest:
    """The manifest of a requests file."""
    path = manifest_path(requests)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no manifest next to {requests} (written by summarizer batch prepare)") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read manifest {path}: {exc}") from exc
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise InputError(f"{path}: not a summarizer batch manifest ({where}: {problem['msg']})") from None
