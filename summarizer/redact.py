"""Keep secrets out of everything written: cassettes, logs, error messages, reports.

Key-like strings (``sk-…``, ``Bearer …``, ``org-…``, ``proj-…``) and any secret value
registered at run time (the API key in use) are replaced by ``<redacted>``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "<redacted>"
SECRET_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-*]{8,}"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-*]{8,}"),
    re.compile(r"\b(org|proj)-[A-Za-z0-9]{8,}"),
)
SECRET_KEYS = frozenset({"api_key", "api-key", "authorization", "organization", "project", "x-api-key", "cookie",
                         "set-cookie", "openai-organization", "openai-project"})  # fmt: skip
#: Shortest piece of a registered secret that is still redacted (truncated reprs show pieces).
MIN_SECRET_PIECE = 10
_registered: list[re.Pattern[str]] = []


def register_secret(value: str | None) -> None:
    """Redact this value from now on (e.g. the API key in use), and any long-enough head or
    tail of it: error messages often show truncated values like 'sk...EFGH1234'."""
    if not value or len(value) < 6:
        return
    pieces = {value} | {value[i:] for i in range(len(value) - MIN_SECRET_PIECE + 1)}
    pieces |= {value[:j] for j in range(MIN_SECRET_PIECE, len(value))}
    alternation = "|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True))
    _registered.append(re.compile(alternation))


def redact(text: str) -> str:
    """The text with secrets replaced."""
    for secret in _registered:
        text = secret.sub(REDACTED, text)
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def scrub(value: Any) -> Any:
    """A JSON value with secret-named fields and key-like strings redacted."""
    if isinstance(value, dict):
        return {k: (REDACTED if str(k).lower() in SECRET_KEYS else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message (at every level)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        return True
