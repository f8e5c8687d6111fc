"""The proposed fixes for the misses, applied as in-process patches, to measure what they would gain.

Nothing under ``summarizer/`` is edited: each patch replaces one attribute for the
duration of a ``with proposed_fixes():`` block and puts the original back after.  The
real fixes belong in the modules named below (see RESULTS.md, "Causes and fixes").
The fixes that were measured here and have since been made in the code (the draft schema
cache, compiled templates, one aligner per document, instructor's per-call preparation and
a direct call) are no longer patches here.

* ``aliases``: index the alias groups once (``AliasTable.variants`` normalises every
  name of every group on every call) and memoise ``normalise`` in ``claims.names``.
* ``server_logits``: start the built-in server with ``--logits_all False``
  (``llama_cpp.server`` defaults to True, so every prompt token's logits are computed and copied).
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import summarizer.claims.names as matching
import summarizer.local_model as local_model
from summarizer.ground import normalise

ALL = ("aliases",)  # CPU fixes; the others are asked for by name


@contextmanager
def _replace(owner: Any, name: str, value: Any) -> Iterator[None]:
    had_own = name in vars(owner)
    original = vars(owner).get(name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if had_own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


@functools.lru_cache(maxsize=256)
def _alias_index(groups: tuple[tuple[str, ...], ...]) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in groups:
        spellings = {matching._spelling(n) for n in group}
        for name in group:
            index.setdefault(normalise(name), set()).update(spellings)
    return {key: frozenset(value) for key, value in index.items()}


def _variants(self: matching.AliasTable, name: str) -> tuple[str, ...]:
    found = {matching._spelling(name)} | _alias_index(self.groups).get(normalise(name), frozenset())
    return tuple(sorted(found, key=len, reverse=True))


class _SubprocessWithLogitsOff:
    """``subprocess`` as seen by local_model, with ``--logits_all False`` added to the server command."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    def Popen(self, command: list[str], *args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*command, "--logits_all", "False"], *args, **kwargs)


@contextmanager
def proposed_fixes(which: tuple[str, ...] = ALL) -> Iterator[None]:
    """Apply the named fixes for the duration of the block."""
    with ExitStack() as stack:
        if "aliases" in which:
            stack.enter_context(_replace(matching.AliasTable, "variants", _variants))
            stack.enter_context(_replace(matching, "normalise", functools.lru_cache(maxsize=65_536)(normalise)))
        if "server_logits" in which:
            stack.enter_context(_replace(local_model, "subprocess", _SubprocessWithLogitsOff()))
        yield
