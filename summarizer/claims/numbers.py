"""Quantities stated in a text: digits, number words, open bounds and vague words.

Digits that belong to a date, a time, an age or an ordinal are not quantities at all;
a number followed by a unit ("18 years", "40 percent") is a measure, not a count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from summarizer.claims.tokens import Token
from summarizer.claims.vocabulary import (
    APPROXIMATORS,
    GROUP_WORDS,
    LOWER_BOUNDS,
    NON_COUNT_BEFORE,
    NON_COUNT_UNITS,
    SCALES,
    TENS,
    UNITS,
    UPPER_BOUNDS,
    VAGUE_QUANTITIES,
)

QuantityKind = Literal["exact", "approx", "lower", "upper", "vague"]

_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_ORDINAL_TAILS = frozenset({"st", "nd", "rd", "th"})
_WORD_VALUES = {**UNITS, **TENS, **SCALES, "dozen": 12}
#: First words of the group words and vague phrases: only a token that is one can open a vague quantity.
_VAGUE_FIRST = frozenset(phrase.split(" ")[0] for phrase in (*GROUP_WORDS, *VAGUE_QUANTITIES))


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity stated in the text: [low, high] (high None = no upper bound), its kind, where it stands."""

    low: float
    high: float | None
    kind: QuantityKind
    first: int  # index of the first token (qualifiers included)
    last: int  # index of the last token of the number itself
    is_count: bool  # False for measures ("18 years")
    words: str  # the text as written (normalised)
    value: float = 0.0  # the number as written ("more than 40" -> 40)

    def within(self, low: float, high: float | None) -> bool:
        """Whether this quantity states a figure inside [low, high]: its written number (so "more than 40"
        states the figure 40), or everything it can mean. A vague word never does."""
        if self.kind == "vague":
            return False
        if low <= self.value and (high is None or self.value <= high):
            return True
        if self.high is None:
            return high is None and self.low >= low
        return low <= self.low and (high is None or self.high <= high)


def _word_number(parts: Sequence[str]) -> int | None:
    """The value of a run of number words ('two hundred and forty', 'twenty-two'), or None."""
    total = current = 0
    seen = False
    for part in parts:
        if part == "and":
            continue
        if part == "a":
            current = max(current, 1)
            continue
        if part in UNITS or part in TENS:
            current += _WORD_VALUES[part]
        elif part in SCALES or part == "dozen":
            scale = _WORD_VALUES[part]
            current = max(current, 1) * scale
            if scale >= 1000:
                total += current
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _is_number_word(word: str) -> bool:
    return all(map(_WORD_VALUES.__contains__, word.split("-")))


_QUALIFIER_TABLES: tuple[tuple[tuple[str, ...], QuantityKind], ...] = (
    (LOWER_BOUNDS, "lower"),
    (UPPER_BOUNDS, "upper"),
    (APPROXIMATORS, "approx"),
)
#: The words of each bound or approximation phrase with its kind, in the order they are tried.
_QUALIFIERS = tuple((phrase.split(), kind) for phrases, kind in _QUALIFIER_TABLES for phrase in phrases)


def _qualifier(tokens: Sequence[Token], first: int) -> tuple[QuantityKind, int]:
    """The bound or approximation words right before token ``first``, and where they start."""
    before = tokens[first - 1].text if first else ""
    for words, kind in _QUALIFIERS:
        start = first - len(words)
        if start >= 0 and words[-1] == before and [t.text for t in tokens[start:first]] == words:
            return kind, start
    return "exact", first


def _excluded(tokens: Sequence[Token], first: int, last: int, taken: Sequence[tuple[int, int]]) -> bool:
    start, end = tokens[first].start, tokens[last].end
    if any(s <= start < e or s < end <= e for s, e in taken):
        return True  # part of a date
    before = tokens[first - 1].text if first else ""
    after = tokens[last + 1] if last + 1 < len(tokens) else None
    if before in NON_COUNT_BEFORE:
        return True  # age, identifier, money
    if after is not None and after.start == end and after.text in _ORDINAL_TAILS:
        return True  # ordinal: 3rd
    if after is not None and after.text == "-" and last + 2 < len(tokens) and tokens[last + 2].text.startswith("year"):
        return True  # "45 - year - old"
    text = tokens[last].text
    return "-year" in text or ":" in text or "/" in text


def find_quantities(tokens: Sequence[Token], norm: str, date_spans: Sequence[tuple[int, int]]) -> list[Quantity]:
    """Every quantity in the tokens, dates, times, ages and ordinals left out."""
    found: list[Quantity] = []
    i = 0
    while i < len(tokens):
        word = tokens[i].text
        value: float | None = None
        last = i
        if word[:1].isdecimal() and _DIGITS.fullmatch(word.split("-")[0]) and "." not in word:  # \d is isdecimal
            head = word.split("-")[0]
            value = float(head.replace(",", ""))
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if nxt in SCALES and nxt != "hundred":
                value, last = value * SCALES[nxt], i + 1
        elif _is_number_word(word) or (word == "a" and i + 1 < len(tokens) and tokens[i + 1].text in SCALES):
            j = i
            parts: list[str] = []
            while j < len(tokens) and (
                _is_number_word(tokens[j].text)
                or (tokens[j].text in {"and", "a"} and j + 1 < len(tokens) and _is_number_word(tokens[j + 1].text))
            ):
                parts.extend(tokens[j].text.split("-"))
                j += 1
            while parts and parts[-1] in {"and", "a"}:
                parts.pop()
                j -= 1
            value = _word_number(parts)
            last = j - 1
        if value is not None and not _excluded(tokens, i, last, date_spans):
            kind, first = _qualifier(tokens, i)
            after = tokens[last + 1].text if last + 1 < len(tokens) else ""
            low: float = value
            high: float | None = value
            if kind == "lower":
                low, high = (value if tokens[first].text == "at" or tokens[first].text == "no" else value + 1), None
            elif kind == "upper" and tokens[first].text not in {"nearly", "almost"}:
                low = 0
            elif kind == "upper":
                kind = "approx"
            words = norm[tokens[first].start : tokens[last].end]
            found.append(Quantity(low, high, kind, first, last, after not in NON_COUNT_UNITS, words, value))
            i = last + 1
            continue
        vague = _vague(tokens, i)
        if vague is not None:
            found.append(vague)
            i = vague.last + 1
            continue
        i += 1
    return found


def _vague(tokens: Sequence[Token], i: int) -> Quantity | None:
    word = tokens[i].text
    if word not in _VAGUE_FIRST:
        return None
    two = f"{word} {tokens[i + 1].text}" if i + 1 < len(tokens) else ""
    if two in GROUP_WORDS:  # "a dozen", "a couple"
        value = GROUP_WORDS[two]
        kind, first = _qualifier(tokens, i)
        low, high = (value + 1, None) if kind == "lower" else (value, value)
        return Quantity(low, high, "lower" if kind == "lower" else "exact", first, i + 1, True, two, value)
    for phrase in (two, word):
        if phrase and phrase in VAGUE_QUANTITIES:
            if phrase == "scores" and (i + 1 >= len(tokens) or tokens[i + 1].text != "of"):
                return None
            low, high = VAGUE_QUANTITIES[phrase]
            last = i + len(phrase.split()) - 1
            return Quantity(low, high, "vague", i, last, True, phrase)
    return None
