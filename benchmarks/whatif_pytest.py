"""pytest plugin for B6's what-if: run the suite with whatif.py's CPU fixes applied.

Used as ``python -m pytest -p whatif_pytest`` with ``benchmarks/`` on PYTHONPATH; it patches
this pytest process only, and nothing under ``summarizer/`` is changed.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from whatif import proposed_fixes

FIXES = ("schema", "instructor_wrap", "templates", "aligner", "aliases")
_active: list[AbstractContextManager[None]] = []


def pytest_configure(config: Any) -> None:
    """Apply the fixes before any test runs."""
    context = proposed_fixes(FIXES)
    context.__enter__()
    _active.append(context)


def pytest_unconfigure(config: Any) -> None:
    """Undo them at the end."""
    while _active:
        _active.pop().__exit__(None, None, None)
