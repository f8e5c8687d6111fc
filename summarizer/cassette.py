"""Record and replay model calls: an httpx transport passed to the openai client.

A cassette is one YAML file holding the interactions of one test or one run, with
request and response bodies stored as parsed JSON.  A request matches a recording
when its canonical key matches: method, path, and the JSON body with sorted keys and
volatile fields removed.  Secrets never reach the file: request headers are not
stored, response headers are an allow-list, and key-like strings are scrubbed from
every body at write time, in every record mode.

Why not vcrpy: its default matcher ignores the body, its async httpx replay breaks
under a running event loop (vcrpy #971), and its filters are skipped on rewrite
(vcrpy #961/#983).  An httpx transport sees every request the openai client makes,
sync or async, and needs no patching.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx2
import yaml

from summarizer.errors import CassetteError, StaleCassette
from summarizer.redact import scrub

CASSETTE_VERSION = 1
#: Headers the model client sends so a cassette knows which templates and schema made a request.
TEMPLATE_HEADER = "x-summarizer-template"
SCHEMA_HEADER = "x-summarizer-schema"
#: Request body fields that change between identical calls and are left out of the key.
VOLATILE_FIELDS = frozenset({"user", "metadata", "stream_options", "store"})
SAMPLING_FIELDS = (
    "model",
    "temperature",
    "max_tokens",
    "seed",
    "top_p",
    "top_k",
    "repeat_penalty",
    "repetition_penalty",
    "cache_prompt",
    "frequency_penalty",
    "presence_penalty",
)
RESPONSE_HEADERS = frozenset({"content-type", "retry-after"})
RERECORD_HINT = "summarizer summarize ... --cassette PATH --record-mode rewrite (or: bash scripts/record-cassettes.sh)"

try:  # the C loader is ~10x faster on cassettes that hold whole articles
    _Loader: Any = yaml.CSafeLoader
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader, _Dumper = yaml.SafeLoader, yaml.SafeDumper


class RecordMode(StrEnum):
    """When to record: none replays only; once records a missing cassette; new appends; rewrite starts over."""

    none = "none"
    once = "once"
    new = "new"
    rewrite = "rewrite"


def _parse_body(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return {"_text": content.decode("utf-8", "replace")}


def canonical_body(body: Any) -> Any:
    """The request body without volatile fields."""
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in VOLATILE_FIELDS}
    return body


def decoded_headers(headers: httpx2.Headers) -> list[tuple[str, str]]:
    """A response's headers for a body already read (decoded): without the encoding and length of
    the bytes on the wire, which would make the client decode it twice."""
    return [(k, v) for k, v in headers.items() if k.lower() not in ("content-encoding", "content-length")]


def request_key(method: str, path: str, body: Any) -> str:
    """Canonical request key: method, path and the sorted, non-volatile JSON body."""
    blob = json.dumps([method.upper(), path, canonical_body(body)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _tags(header: str | None) -> dict[str, str]:
    """'a.j2@hash,b.j2@hash' -> {'a.j2': 'hash', 'b.j2': 'hash'}."""
    tags: dict[str, str] = {}
    for part in (header or "").split(","):
        name, _, digest = part.strip().partition("@")
        if name:
            tags[name] = digest
    return tags


@dataclass
class Interaction:
    """One recorded request and its response."""

    method: str
    path: str
    body: Any
    templates: dict[str, str]
    schema: dict[str, str]
    status: int
    headers: dict[str, str]
    response: Any
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or request_key(self.method, self.path, self.body)

    def to_dict(self) -> dict[str, Any]:
        """Plain, scrubbed data for the YAML file."""
        body = canonical_body(self.body)
        params = {k: body[k] for k in SAMPLING_FIELDS if isinstance(body, dict) and k in body}
        data: dict[str, Any] = scrub({
            "request": {"method": self.method, "path": self.path, "key": self.key, "body": body},
            "meta": {"model": params.get("model"), "templates": self.templates, "schema": self.schema,
                     "params": params},
            "response": {"status": self.status, "headers": self.headers, "body": self.response},
        })  # fmt: skip
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interaction:
        """Read one interaction back."""
        request, meta, response = data["request"], data.get("meta") or {}, data["response"]
        return cls(
            method=request["method"], path=request["path"], body=request.get("body"),
            templates=meta.get("templates") or {}, schema=meta.get("schema") or {},
            status=int(response["status"]), headers=response.get("headers") or {},
            response=response.get("body"), key=request.get("key", ""),
        )  # fmt: skip

    def http_response(self) -> httpx2.Response:
        """The recorded answer as an httpx response."""
        if isinstance(self.response, dict) and set(self.response) == {"_text"}:
            content = str(self.response["_text"]).encode("utf-8")
        else:
            content = b"" if self.response is None else json.dumps(self.response).encode("utf-8")
        return httpx2.Response(self.status, headers=self.headers, content=content)


def _short_diff(label: str, old: Any, new: Any) -> str:
    recorded = json.dumps(old, ensure_ascii=False)[:200]
    now = json.dumps(new, ensure_ascii=False)[:200]
    return f"  {label}: recorded {recorded} != now {now}"


def describe_difference(
    recorded: Interaction, method: str, path: str, body: Any, templates: dict[str, str], schema: dict[str, str]
) -> list[str]:
    """Readable lines saying how a request differs from a recording."""
    lines: list[str] = []
    for name, digest in templates.items():
        if name in recorded.templates and recorded.templates[name] != digest:
            lines.append(f"  prompt template {name}: hash {recorded.templates[name]} recorded, {digest} now")
    for name, digest in schema.items():
        if name in recorded.schema and recorded.schema[name] != digest:
            lines.append(f"  schema {name}: hash {recorded.schema[name]} recorded, {digest} now")
    if (recorded.method, recorded.path) != (method.upper(), path):
        lines.append(f"  request line: recorded {recorded.method} {recorded.path}, now {method.upper()} {path}")
    old, new = canonical_body(recorded.body), canonical_body(body)
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if key == "messages" and old.get(key) != new.get(key):
                lines.extend(_message_diff(old.get(key) or [], new.get(key) or []))
            elif old.get(key) != new.get(key):
                lines.append(_short_diff(f"parameter {key}", old.get(key), new.get(key)))
    elif old != new:
        lines.append(_short_diff("body", old, new))
    return lines


def _message_diff(old: list[Any], new: list[Any]) -> list[str]:
    lines = []
    if len(old) != len(new):
        lines.append(f"  messages: {len(old)} recorded, {len(new)} now")
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            a_text, b_text = str(a.get("content", "")), str(b.get("content", ""))
            at = next(
                (j for j, (x, y) in enumerate(zip(a_text, b_text, strict=False)) if x != y),
                min(len(a_text), len(b_text)),
            )
            lines.append(
                f"  messages[{i}] ({a.get('role')}) differ at char {at}: "
                f"recorded {a_text[max(0, at - 30) : at + 50]!r} / now {b_text[max(0, at - 30) : at + 50]!r}"
            )
    return lines


def _similarity(recorded: Interaction, method: str, path: str, templates: dict[str, str], body: Any) -> tuple[int, ...]:
    same_line = int((recorded.method, recorded.path) == (method.upper(), path))
    same_templates = len(set(recorded.templates) & set(templates))
    same_model = int(
        isinstance(body, dict) and isinstance(recorded.body, dict) and body.get("model") == recorded.body.get("model")
    )
    messages = body.get("messages") if isinstance(body, dict) else None
    old_messages = recorded.body.get("messages") if isinstance(recorded.body, dict) else None
    same_len = int(isinstance(messages, list) and isinstance(old_messages, list) and len(messages) == len(old_messages))
    return (same_line, same_templates, same_len, same_model)


@dataclass
class Cassette:
    """The interactions of one test or run, and the rules for replaying them."""

    path: Path
    mode: RecordMode = RecordMode.none
    recorded: list[Interaction] = field(default_factory=list)
    new: list[Interaction] = field(default_factory=list)
    _unplayed: dict[str, list[Interaction]] = field(default_factory=lambda: defaultdict(list))
    _used: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: str | Path, mode: RecordMode | str = RecordMode.none) -> Cassette:
        """Open a cassette file (absent is fine when the mode may record)."""
        cassette = cls(Path(path), RecordMode(mode))
        if cassette.path.exists() and cassette.mode is not RecordMode.rewrite:
            cassette.recorded = read_interactions(cassette.path)
        elif not cassette.path.exists() and cassette.mode is RecordMode.none:
            raise CassetteError(f"cassette {cassette.path} does not exist (record it with --record-mode once)")
        for interaction in cassette.recorded:
            cassette._unplayed[interaction.key].append(interaction)
        return cassette

    @property
    def can_record(self) -> bool:
        """Whether unmatched requests go to the network."""
        if self.mode is RecordMode.once:
            return not self.path.exists()
        return self.mode in (RecordMode.new, RecordMode.rewrite)

    @property
    def needs_live_endpoint(self) -> bool:
        """False when every request will come from the recording."""
        return self.can_record

    def wrap(self, inner: httpx2.AsyncBaseTransport | httpx2.BaseTransport) -> CassetteTransport:
        """Wrap the network transport."""
        return CassetteTransport(inner, self)

    def play(
        self, method: str, path: str, body: Any, templates: dict[str, str], schema: dict[str, str]
    ) -> Interaction | None:
        """The next unplayed recording for this request, or None; raise in replay-only mode."""
        key = request_key(method, path, body)
        with self._lock:
            queue = self._unplayed.get(key)
            if queue:
                interaction = queue.pop(0)
                self._used.add(id(interaction))
                return interaction
            if any(i.key == key for i in self.recorded) and not self.can_record:
                raise CassetteError(f"cassette {self.path}: request was recorded fewer times than it is now sent")
        if self.can_record:
            return None
        raise self._miss(method, path, body, templates, schema)

    def _miss(
        self, method: str, path: str, body: Any, templates: dict[str, str], schema: dict[str, str]
    ) -> CassetteError:
        if not self.recorded:
            return CassetteError(f"cassette {self.path} is empty; record it with --record-mode once")
        closest = max(self.recorded, key=lambda i: _similarity(i, method, path, templates, body))
        lines = describe_difference(closest, method, path, body, templates, schema)
        changed_templates = [n for n, d in templates.items() if n in closest.templates and closest.templates[n] != d]
        changed_schema = [n for n, d in schema.items() if n in closest.schema and closest.schema[n] != d]
        detail = "\n".join(lines) or "  (no visible difference)"
        if changed_templates or changed_schema:
            what = ", ".join(
                [f"prompt template {n}" for n in changed_templates] + [f"schema {n}" for n in changed_schema]
            )
            return StaleCassette(
                f"stale: {what} changed since recording in {self.path}; re-record with {RERECORD_HINT}\n{detail}"
            )
        return CassetteError(f"no recorded request matches in {self.path}; the closest recording differs:\n{detail}")

    def record(self, interaction: Interaction) -> None:
        """Keep a new interaction for saving."""
        with self._lock:
            self.new.append(interaction)

    def save(self, complete: bool = True) -> None:
        """Write the cassette (nothing to do when replaying only).

        An interrupted run (``complete=False``, e.g. Ctrl-C) never replaces a recording:
        in rewrite mode an existing file stays as it was; other modes add what was recorded."""
        if not complete and self.mode is RecordMode.rewrite and self.path.exists():
            return
        if not self.new and self.mode is not RecordMode.rewrite:
            return
        keep = self.new if self.mode is RecordMode.rewrite else self.recorded + self.new
        write_interactions(self.path, keep)

    @property
    def unused(self) -> list[Interaction]:
        """Recorded interactions that no request replayed."""
        return [i for i in self.recorded if id(i) not in self._used]


class CassetteTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """Answers from the cassette; records what the network answers when the mode allows."""

    def __init__(self, inner: httpx2.AsyncBaseTransport | httpx2.BaseTransport, cassette: Cassette) -> None:
        self.inner = inner
        self.cassette = cassette

    def _describe(self, request: httpx2.Request) -> tuple[str, str, Any, dict[str, str], dict[str, str]]:
        body = _parse_body(request.content)
        return (
            request.method,
            request.url.path,
            body,
            _tags(request.headers.get(TEMPLATE_HEADER)),
            _tags(request.headers.get(SCHEMA_HEADER)),
        )

    def _store(self, request: httpx2.Request, response: httpx2.Response, content: bytes) -> httpx2.Response:
        method, path, body, templates, schema = self._describe(request)
        headers = {k.lower(): v for k, v in response.headers.items() if k.lower() in RESPONSE_HEADERS}
        interaction = Interaction(
            method.upper(), path, body, templates, schema, response.status_code, headers, _parse_body(content)
        )
        self.cassette.record(interaction)
        return httpx2.Response(response.status_code, headers=decoded_headers(response.headers), content=content)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Replay or record (sync)."""
        found = self.cassette.play(*self._describe(request))
        if found is not None:
            return found.http_response()
        assert isinstance(self.inner, httpx2.BaseTransport)
        response = self.inner.handle_request(request)
        try:
            content = response.read()
        finally:
            response.close()
        return self._store(request, response, content)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Replay or record (async)."""
        found = self.cassette.play(*self._describe(request))
        if found is not None:
            return found.http_response()
        assert isinstance(self.inner, httpx2.AsyncBaseTransport)
        response = await self.inner.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
        return self._store(request, response, content)


class _BlockDumper(_Dumper):  # type: ignore[misc,valid-type]
    """Multi-line strings as YAML block scalars, for readable diffs."""


def _str_representer(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def read_interactions(path: Path) -> list[Interaction]:
    """Load the interactions of a cassette file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CassetteError(f"cannot read cassette {path}: {exc}") from exc
    if data.get("version") != CASSETTE_VERSION:
        raise CassetteError(f"cassette {path} has version {data.get('version')!r}, expected {CASSETTE_VERSION}")
    return [Interaction.from_dict(item) for item in data.get("interactions") or []]


def write_interactions(path: Path, interactions: list[Interaction]) -> None:
    """Write a cassette file atomically, scrubbed of secrets."""
    data = {"version": CASSETTE_VERSION, "interactions": [i.to_dict() for i in interactions]}
    text = yaml.dump(copy.deepcopy(data), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
