"""Tokens of normalised text, with their offsets, clause and sentence numbers."""

from __future__ import annotations

import re
from typing import NamedTuple

from summarizer.claims.vocabulary import CLAUSE_BREAKS

#: Numbers (with separators and a hyphenated tail: "45-year-old"), words (with inner
#: apostrophes, dots and hyphens: "al-qaida", "u.s"), or one punctuation mark.
_TOKEN = re.compile(r"\d+(?:[,.:/]\d+)*(?:-[^\W_]+)*|[^\W_]+(?:['.\-][^\W_]+)*|[^\w\s]")
#: Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "gen", "lt", "col", "sgt",
     "capt", "maj", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "vs", "rep", "sen", "gov", "pres", "prof", "fig",
     "approx", "est"}
)  # fmt: skip


class Token(NamedTuple):
    """One token of normalised text (a named tuple: texts are read into thousands, and a tuple is quick to make)."""

    text: str
    start: int
    end: int
    clause: int
    sentence: int
    brk: bool = False


def _ends_sentence(previous: str) -> bool:
    return not (previous in _ABBREVIATIONS or len(previous) == 1 or "." in previous)


def tokenize(norm: str) -> tuple[Token, ...]:
    """Split normalised text into tokens; clause and sentence numbers rise at each break."""
    tokens: list[Token] = []
    clause = sentence = 0
    previous = ""
    for match in _TOKEN.finditer(norm):
        word = match.group()
        breaks_sentence = word in {".", "!", "?"} and (word != "." or _ends_sentence(previous))
        if (word in CLAUSE_BREAKS and word != ".") or breaks_sentence:
            clause += 1
            sentence += 1 if breaks_sentence else 0
            tokens.append(Token(word, match.start(), match.end(), clause, sentence, True))
            clause += 1
        else:
            tokens.append(Token(word, match.start(), match.end(), clause, sentence))
        previous = word
    return tuple(tokens)
