"""The secret scrubber: key-shaped tokens and registered keys go, ordinary text stays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.redact import MIN_SECRET_PIECE, REDACTED, forget_secrets, redact, register_secret, scrub

KEY = "ABCD0123wxyz4567QRST89EFGH1234"  # not sk-shaped: only registration can catch it


@pytest.fixture(autouse=True)
def no_registered_secrets() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize(
    "text",
    ["a risk-assessment of the raid", "the standard-bearer Christopher", "Bearer of bad news", "sk-assessment",
     "the org-chart of proj-management", "a desk-officer and task-force-level brief"],
)  # fmt: skip
def test_ordinary_words_survive(text: str) -> None:
    assert redact(text) == text


def test_project_and_organization_fields_are_data_not_secrets() -> None:
    body = {"project": "Kobane relief", "organization": "YPG", "authorization": "Bearer x", "api_key": "k"}
    assert scrub(body) == {"project": "Kobane relief", "organization": "YPG", "authorization": REDACTED,
                           "api_key": REDACTED}  # fmt: skip


@pytest.mark.parametrize(
    "secret", ["sk-proj-Abc123def456GHI789jkl", "Bearer eyJhbGciOiJIUzI1NiJ9.abc123", "org-AbCdEf0123456789XyZ"]
)
def test_key_shaped_tokens_are_redacted(secret: str) -> None:
    assert redact(f"key {secret} failed") == f"key {REDACTED} failed"


def test_truncated_piece_of_a_registered_key_is_redacted() -> None:
    register_secret(KEY)
    for shown in ("sk...EFGH1234", "key ...9EFGH1 was", f"full {KEY}", f"{KEY[3:20]}"):
        out = redact(shown)
        assert "EFGH12" not in out and KEY[3:20] not in out and REDACTED in out, out


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-'.,:;()“”", min_size=1, max_size=14)
prose = st.lists(st.one_of(words, st.sampled_from(["sk-", "Bearer", "bearer", "org-", "proj-", "risk-"])), max_size=30)


@given(prose)
def test_property_text_without_secrets_is_never_changed(parts: list[str]) -> None:
    text = " ".join(parts)  # no digits, so no credential shape and no piece of KEY (which has digits every 4)
    register_secret(KEY)
    assert redact(text) == text


@given(st.text(max_size=40), st.integers(0, len(KEY) - MIN_SECRET_PIECE), st.integers(MIN_SECRET_PIECE, len(KEY)),
       st.text(max_size=40))  # fmt: skip
def test_property_no_piece_of_a_registered_key_survives(before: str, start: int, length: int, after: str) -> None:
    register_secret(KEY)
    piece = KEY[start : start + length]
    out = redact(before + piece + after)
    assert not any(KEY[i : i + MIN_SECRET_PIECE] in out for i in range(len(KEY) - MIN_SECRET_PIECE + 1))
