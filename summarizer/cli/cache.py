"""``summarizer cache stats|clear``, and the ``--cache`` option of ``summarize`` and ``eval run``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from summarizer.cache import CACHE_DIR_ENV, ResponseCache
from summarizer.cli import app, fail, stderr, stdout
from summarizer.errors import SummarizerError

cache_app = typer.Typer(no_args_is_help=True, help="The response cache (--cache DIR or $SUMMARIZER_CACHE_DIR).")
app.add_typer(cache_app, name="cache")

CacheOption = Annotated[
    Optional[Path],
    typer.Option("--cache", envvar=CACHE_DIR_ENV, help="Cache successful model answers in this directory; a "
                 "re-run sends no request for a cached call (default: $SUMMARIZER_CACHE_DIR, else no cache)."),
]  # fmt: skip


def open_cache(directory: Path | None) -> ResponseCache | None:
    """The cache in ``directory`` (None: no cache); an unusable directory is a usage error (exit 2)."""
    if directory is None:
        return None
    try:
        return ResponseCache(directory)
    except SummarizerError as exc:
        raise fail(str(exc)) from None


def report_cache(cache: ResponseCache | None) -> None:
    """This run's hits and misses, on stderr."""
    if cache is None:
        return
    stats = cache.stats()
    rate = f" ({stats.hit_rate:.0%} hit rate)" if stats.hit_rate is not None else ""
    stderr.print(f"cache {cache.directory}: {stats.hits} hits, {stats.misses} misses{rate}", highlight=False)


def _required(directory: Path | None) -> ResponseCache:
    if directory is None:
        raise fail(f"no cache directory: give --cache DIR or set {CACHE_DIR_ENV}")
    if not (directory / "responses.sqlite3").exists():
        raise fail(f"{directory}: no cache there")
    cache = open_cache(directory)
    assert cache is not None
    return cache


@cache_app.command("stats")
def cache_stats(directory: CacheOption = None) -> None:
    """Entries, stored bytes and hits of a cache."""
    stats = _required(directory).stats()
    stdout.print(f"{stats.entries} entries, {stats.bytes} bytes of answers, {stats.hits_ever} hits since stored",
                 highlight=False)  # fmt: skip


@cache_app.command("clear")
def cache_clear(directory: CacheOption = None) -> None:
    """Remove every entry of a cache."""
    removed = _required(directory).clear()
    stdout.print(f"removed {removed} entries", highlight=False)
