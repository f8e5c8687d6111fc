"""The one normaliser: typographic quotes, dashes, ellipsis, whitespace runs and case.

Used by quote alignment (with offsets) and by claim analysis (without), so both read text alike.
"""

from __future__ import annotations

import re

from summarizer.claims.memo import text_cache

__all__ = ["DASHES", "SINGLE_QUOTES", "normalise", "normalise_cased", "normalise_indexed"]

SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032"  # left/right single, low-9, high-reversed-9, prime
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"  # left/right double, low-9, high-reversed-9, double prime
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, figure/en/em dash, bar, minus
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width chars, BOM

#: Character -> replacement in the normalised text.
_CHAR_MAP: dict[str, str] = {
    **{c: "'" for c in SINGLE_QUOTES},
    **{c: '"' for c in _DOUBLE_QUOTES},
    **{c: "-" for c in DASHES},
    "\u2026": "...",
}
#: Runs of whitespace and invisible characters (except a lone ASCII space, which is
#: already normal), or one character to replace.
_SPECIAL = re.compile(rf"(?! (?![\s{_INVISIBLE}]))[\s{_INVISIBLE}]+|[{re.escape(''.join(_CHAR_MAP))}]")


def normalise_indexed(text: str, start: int = 0, end: int | None = None) -> tuple[str, list[int], list[int]]:
    """Normalise ``text[start:end]``; return it with per-character original start/end offsets."""
    end = len(text) if end is None else end
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def plain(a: int, b: int) -> None:
        if a >= b:
            return
        chunk = text[a:b]
        folded = chunk.casefold()
        if len(folded) == len(chunk):  # casefold never shrinks: one char -> one char
            pieces.append(folded)
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))
        else:
            for i, ch in enumerate(chunk, start=a):
                f = ch.casefold()
                pieces.append(f)
                starts.extend([i] * len(f))
                ends.extend([i + 1] * len(f))

    pos = start
    for m in _SPECIAL.finditer(text, start, end):
        plain(pos, m.start())
        pos = m.end()
        token = m.group()
        rep = _CHAR_MAP.get(token)
        if rep is None:  # whitespace and invisible characters: one space, or nothing
            rep = " " if token.strip(_INVISIBLE) else ""
        if rep:
            pieces.append(rep)
            starts.extend([m.start()] * len(rep))
            ends.extend([m.end()] * len(rep))
    plain(pos, end)
    return "".join(pieces), starts, ends


def _replace_special(match: re.Match[str]) -> str:
    token = match.group()
    rep = _CHAR_MAP.get(token)
    if rep is None:  # whitespace and invisible characters: one space, or nothing
        return " " if token.strip(_INVISIBLE) else ""
    return rep


@text_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Normalise text for alignment: quotes, dashes, ellipsis, whitespace runs, case.

    The same mapping as the offset-tracking aligner, without building offsets."""
    return _SPECIAL.sub(_replace_special, text).casefold().strip(" ")


@text_cache(maxsize=8192)
def normalise_cased(text: str) -> str:
    """:func:`normalise` without case folding: offsets agree with it wherever folding keeps length."""
    return _SPECIAL.sub(_replace_special, text).strip(" ")
