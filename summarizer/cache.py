"""A response cache: a re-run sends no request for a call already answered.

Keyed on the canonical request, the same key the cassettes use (method, path and the sorted
JSON body without volatile fields: the model, the messages, the sampling and the schema are
all in it). Only successful answers (HTTP 200 with a JSON body) are stored, scrubbed of
secrets like a cassette. The store is one SQLite file (the standard library's ``sqlite3``, in
WAL mode with a busy timeout), so processes and threads can share a cache directory; an entry
is written once (``INSERT OR IGNORE``), so two runs racing on the same call both succeed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2

from summarizer.cassette import decoded_headers, request_key
from summarizer.errors import ConfigError
from summarizer.redact import redact

logger = logging.getLogger(__name__)

#: Environment variable naming the cache directory (``--cache`` overrides it).
CACHE_DIR_ENV = "SUMMARIZER_CACHE_DIR"
CACHE_FILE = "responses.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    model TEXT,
    body TEXT NOT NULL,
    created REAL NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass
class CacheStats:
    """What a cache holds, and this process's hits and misses."""

    entries: int
    bytes: int
    hits_ever: int
    hits: int = 0
    misses: int = 0

    @property
    def hit_rate(self) -> float | None:
        """Hits over lookups in this process (None before any lookup)."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None


class ResponseCache:
    """One cache directory (created when missing)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.directory / CACHE_FILE, timeout=30.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cache {self.directory}: {exc}") from exc
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> bytes | None:
        """The stored answer for a request key, counting the hit or the miss. A cache that cannot be
        read is a miss (logged), never a failed call."""
        with self._lock:
            try:
                row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                logger.warning("cache %s unreadable, treated as a miss: %s", self.directory, exc)
                row = None
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
            try:  # the hit counter is statistics only: a read-only or busy cache still answers
                self._db.execute("UPDATE responses SET hits = hits + 1 WHERE key = ?", (key,))
                self._db.commit()
            except sqlite3.Error:
                self._db.rollback()
            return str(row[0]).encode("utf-8")

    def put(self, key: str, path: str, model: str | None, body: bytes) -> None:
        """Store a successful answer (scrubbed of secrets); an existing entry is kept. A failure to
        store is logged, never a failed call."""
        text = redact(body.decode("utf-8", "replace"))
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR IGNORE INTO responses (key, path, model, body, created) VALUES (?, ?, ?, ?, ?)",
                    (key, path, model, text, time.time()),
                )
                self._db.commit()
            except sqlite3.Error as exc:
                self._db.rollback()
                logger.warning("cache %s: answer not stored: %s", self.directory, exc)

    def stats(self) -> CacheStats:
        """Entries, stored bytes and hits, overall and in this process."""
        with self._lock:
            entries, size, hits = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0), COALESCE(SUM(hits), 0) FROM responses"
            ).fetchone()
        return CacheStats(int(entries), int(size), int(hits), self.hits, self.misses)

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()
            self._db.execute("DELETE FROM responses")
            self._db.commit()
            self._db.execute("VACUUM")
        return int(count)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def wrap(self, inner: httpx2.AsyncBaseTransport) -> CacheTransport:
        """Wrap a transport: cached answers never reach it."""
        return CacheTransport(inner, self)


def _cacheable(request: httpx2.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/chat/completions")


def _successful(status: int, content: bytes) -> bool:
    if status != 200:
        return False
    try:
        body = json.loads(content)
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("choices"))


class CacheTransport(httpx2.AsyncBaseTransport):
    """Answers chat completions from the cache; stores the network's successful answers."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, cache: ResponseCache) -> None:
        self.inner = inner
        self.cache = cache

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """A cached answer, or the network's (stored when successful)."""
        if not _cacheable(request):
            return await self.inner.handle_async_request(request)
        try:
            body = json.loads(request.content)
        except ValueError:
            return await self.inner.handle_async_request(request)
        key = request_key(request.method, request.url.path, body)
        cached = self.cache.get(key)
        if cached is not None:
            return httpx2.Response(200, headers={"content-type": "application/json"}, content=cached)
        response = await self.inner.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
        if _successful(response.status_code, content):
            model = body.get("model") if isinstance(body, dict) else None
            self.cache.put(key, request.url.path, str(model) if model else None, content)
        return httpx2.Response(response.status_code, headers=decoded_headers(response.headers), content=content)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()
