"""Keep secrets out of everything written: cassettes, logs, error messages, reports.

Key-shaped tokens (``sk-…``, ``Bearer …``, ``org-…``, ``proj-…`` followed by a credential
that mixes letters and digits) and every piece of 6 characters or more of a secret
registered at run time (the API key in use) are replaced by ``<redacted>``.  Ordinary
words are never touched: "risk-assessment" and "standard-bearer" stay as they are.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "<redacted>"
#: A credential: at least 16 characters of a key alphabet, with a letter and a digit among them.
_CREDENTIAL = r"(?=[A-Za-z0-9_\-*.]*[0-9])(?=[A-Za-z0-9_\-*.]*[A-Za-z])[A-Za-z0-9_\-*.]{16,}"
SECRET_PATTERNS = (
    re.compile(rf"(?<![\w-])sk-{_CREDENTIAL}"),
    re.compile(rf"(?i)(?<![\w-])bearer\s+{_CREDENTIAL}"),
    re.compile(rf"(?<![\w-])(?:org|proj)-{_CREDENTIAL}"),
)
#: JSON fields whose value is a secret whatever it looks like (HTTP header names and key fields).
SECRET_KEYS = frozenset({"api_key", "api-key", "apikey", "authorization", "proxy-authorization", "x-api-key",
                         "cookie", "set-cookie", "openai-organization", "openai-project"})  # fmt: skip
#: Shortest piece of a registered secret that is still redacted (truncated reprs show pieces).
MIN_SECRET_PIECE = 6
_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Redact this value from now on (e.g. the API key in use), and every piece of it of
    :data:`MIN_SECRET_PIECE` characters or more: messages often show truncated values
    like 'sk...EFGH1234'."""
    if value and len(value) >= MIN_SECRET_PIECE:
        _registered.add(value)


def forget_secrets() -> None:
    """Drop every registered secret (for tests that register their own)."""
    _registered.clear()


def _secret_spans(text: str, secret: str) -> list[tuple[int, int]]:
    """Spans of ``text`` covered by a piece (of MIN_SECRET_PIECE or more characters) of ``secret``."""
    grams = {secret[i : i + MIN_SECRET_PIECE] for i in range(len(secret) - MIN_SECRET_PIECE + 1)}
    spans: list[tuple[int, int]] = []
    for i in range(len(text) - MIN_SECRET_PIECE + 1):
        if text[i : i + MIN_SECRET_PIECE] not in grams:
            continue
        end = i + MIN_SECRET_PIECE
        while end < len(text) and text[i : end + 1] in secret:
            end += 1
        spans.append((i, end))
    return spans


def _redact_registered(text: str) -> str:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(span for secret in _registered for span in _secret_spans(text, secret)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    out, pos = [], 0
    for start, end in merged:
        out += [text[pos:start], REDACTED]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str) -> str:
    """The text with secrets replaced."""
    if _registered:
        text = _redact_registered(text)
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
