"""pytest plugin for B6's what-if: run the suite with proposed fixes applied in-process.

Used as ``python -m pytest -p whatif_pytest`` with ``benchmarks/`` on PYTHONPATH.  It patches
this pytest process only; nothing under ``summarizer/`` or ``tests/`` is changed.
``WHATIF_FIXES`` (comma-separated) picks the fixes: whatif.py's names, plus ``poll``, which makes
``socketserver`` servers (tests/scripted_server.py's ThreadingHTTPServer) poll every 10 ms instead of
500 ms, so ``shutdown()`` at the end of each scripted-server test returns at once.
"""

from __future__ import annotations

import os
import socketserver
from contextlib import AbstractContextManager
from typing import Any

from whatif import proposed_fixes

DEFAULT = "aliases,poll"
_active: list[AbstractContextManager[None]] = []
_saved_defaults: list[Any] = []


def pytest_configure(config: Any) -> None:
    """Apply the fixes before any test runs."""
    fixes = tuple(f.strip() for f in os.environ.get("WHATIF_FIXES", DEFAULT).split(",") if f.strip())
    context = proposed_fixes(tuple(f for f in fixes if f != "poll"))
    context.__enter__()
    _active.append(context)
    if "poll" in fixes:
        _saved_defaults.append(socketserver.BaseServer.serve_forever.__defaults__)
        socketserver.BaseServer.serve_forever.__defaults__ = (0.01,)


def pytest_unconfigure(config: Any) -> None:
    """Undo them at the end."""
    while _active:
        _active.pop().__exit__(None, None, None)
    while _saved_defaults:
        socketserver.BaseServer.serve_forever.__defaults__ = _saved_defaults.pop()
