"""Align quotes produced by the model to the article text.

Offsets from the model are never trusted: every quote is searched for in the text
as the program read it, inside the article region only, and reported with the
ORIGINAL offsets ``[start, end)``.

Alignment runs in three steps:

1. *exact* -- the quote occurs literally in the region (``text[start:end] == quote``);
2. *normalised* -- the quote occurs verbatim after normalisation (typographic quotes,
   dashes, ellipsis, whitespace runs, case); reported as ``fuzzy`` with score 100;
3. *approximate* -- :func:`rapidfuzz.fuzz.partial_ratio_alignment` on the normalised
   texts; reported as ``fuzzy`` when the score reaches ``min_score``, the span widened
   to word boundaries, and as ``altered`` when the quote and the span differ in a word
   that carries the claim (a number, an outcome word, a negation, a denial, a name; see
   :func:`altered_words`).  Otherwise ``unmatched``, with the best score found when it is
   at least :data:`SCORE_FLOOR` (else ``None``).  Quotes shorter than
   :data:`MIN_FUZZY_CHARS` normalised characters never take this step.

``Evidence.quote`` holds the model's quote with surrounding whitespace and wrapping
quotation marks removed (nothing else is changed), so that for ``exact`` matches the
schema invariant ``text[start:end] == evidence.quote`` holds literally.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz

from summarizer.claims.normalise import DASHES as _DASHES
from summarizer.claims.normalise import SINGLE_QUOTES as _SINGLE_QUOTES
from summarizer.claims.normalise import normalise, normalise_cased
from summarizer.claims.normalise import normalise_indexed as _normalise_indexed
from summarizer.claims.vocabulary import CLAIM_WORDS, FUNCTION_WORDS
from summarizer.schema import Evidence, MatchKind

__all__ = [
    "MIN_FUZZY_CHARS",
    "SCORE_FLOOR",
    "Aligner",
    "align_quote",
    "altered_words",
    "ground_quotes",
    "normalise",
    "sentence_spans",
    "split_sentences",
    "strip_quote",
]

#: Normalised quotes shorter than this are only matched exactly (never approximately).
MIN_FUZZY_CHARS = 12
#: Unmatched quotes report their best approximate score only from this value up
#: (below it the score is noise, and the cut-off lets rapidfuzz prune the search).
SCORE_FLOOR = 70.0

#: Marks stripped from the ends of a model quote: double-quote-like marks always,
#: single-quote-like marks only when they wrap the whole quote (a trailing ' may be
#: a possessive that belongs to the text).
_WRAP_DOUBLE = '"\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb'
_WRAP_SINGLE = "'`\u2018\u2019\u201a\u201b\u2032\u2039\u203a"

_WORD = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*")

#: Characters that continue a word when widening a fuzzy span to word boundaries.
_WORD_JOINERS = "'_-" + _SINGLE_QUOTES + _DASHES[:3]


def strip_quote(quote: str) -> str:
    """Remove surrounding whitespace and wrapping quotation marks from a model quote."""
    prev: str | None = None
    q = quote
    while q != prev:
        prev = q
        q = q.strip().strip(_WRAP_DOUBLE)
        if len(q) >= 2 and q[0] in _WRAP_SINGLE and q[-1] in _WRAP_SINGLE:
            q = q[1:-1]
    return q


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in _WORD_JOINERS


def _check_region(region: tuple[int, int] | None, length: int) -> tuple[int, int]:
    if region is None:
        return 0, length
    start, end = region
    if not 0 <= start <= end <= length:
        raise ValueError(f"region {region!r} is not within the text (length {length})")
    return start, end


class Aligner:
    """Aligns many quotes against one text; the normalised region is computed once."""

    def __init__(self, text: str, region: tuple[int, int] | None = None) -> None:
        self.text = text
        self.start, self.end = _check_region(region, len(text))
        self._norm, self._starts, self._ends = _normalise_indexed(text, self.start, self.end)

    def align(self, quote: str, *, min_score: float = 88.0) -> Evidence:
        """Find ``quote`` in the region; see the module docstring for the steps."""
        q = strip_quote(quote)
        if not q:
            return _unmatched(q, None)
        text = self.text

        pos = text.find(q, self.start, self.end)
        if pos >= 0:
            return Evidence(quote=q, start=pos, end=pos + len(q), match=MatchKind.exact, score=100.0)

        nq = normalise(q)
        if not nq:
            return _unmatched(q, None)
        npos = self._norm.find(nq)
        if npos >= 0:
            return self._fuzzy(q, npos, npos + len(nq), 100.0, widen=False)

        if len(nq) < MIN_FUZZY_CHARS or not self._norm:
            return _unmatched(q, None)
        cutoff = min(min_score, SCORE_FLOOR)
        if len(nq) > len(self._norm):  # partial_ratio would align the region inside the quote
            found, ds, de = fuzz.ratio(nq, self._norm, score_cutoff=cutoff), 0, len(self._norm)
        else:
            res = fuzz.partial_ratio_alignment(nq, self._norm, score_cutoff=cutoff)
            if res is None:
                return _unmatched(q, None)
            found, ds, de = res.score, res.dest_start, res.dest_end
        if not found:
            return _unmatched(q, None)
        score = round(found, 1)
        if score < min_score:
            return _unmatched(q, score)
        while ds < de and self._norm[ds] == " ":
            ds += 1
        while de > ds and self._norm[de - 1] == " ":
            de -= 1
        if ds >= de:
            return _unmatched(q, score)
        return self._fuzzy(q, ds, de, score, widen=True)

    def _fuzzy(self, q: str, ds: int, de: int, score: float, *, widen: bool) -> Evidence:
        """Build a fuzzy (or altered) Evidence from the normalised span ``[ds, de)``."""
        start, end = self._starts[ds], self._ends[de - 1]
        if widen:
            start, end = self._widen(start, end)
        aligned = self.text[start:end]
        changed = altered_words(q, aligned) if widen else []
        return Evidence(
            quote=q,
            start=start,
            end=end,
            match=MatchKind.altered if changed else MatchKind.fuzzy,
            score=score,
            aligned_text=aligned,
            altered=changed,
        )

    def _widen(self, start: int, end: int) -> tuple[int, int]:
        """Widen an original span so it neither starts nor ends inside a word."""
        text = self.text
        while start > self.start and _is_word(text[start - 1]) and _is_word(text[start]):
            start -= 1
        while end < self.end and _is_word(text[end - 1]) and _is_word(text[end]):
            end += 1
        return start, end


def _claim_words(text: str) -> list[str]:
    """The words of ``text`` that carry a claim, folded, in order: numbers, outcome words, negations,
    denials and capitalised words (names)."""
    words = []
    for word in _WORD.findall(normalise_cased(text)):
        folded = word.casefold()
        name = word[:1].isupper() and folded not in FUNCTION_WORDS
        if name or folded in CLAIM_WORDS or folded.endswith("n't") or any(ch.isdigit() for ch in word):
            words.append(folded)
    return words


def altered_words(quote: str, aligned: str) -> list[str]:
    """Words carrying the claim that differ, or stand in another order, between a quote and the
    article text it aligned to: '-x' for the article's word, '+x' for the quote's. Empty when the
    quote changes nothing that matters (typography, case, a slip in an ordinary word)."""
    in_quote, in_text = _claim_words(quote), _claim_words(aligned)
    changed: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=in_text, b=in_quote, autojunk=False).get_opcodes():
        if tag != "equal":
            changed += [f"-{w}" for w in in_text[i1:i2]] + [f"+{w}" for w in in_quote[j1:j2]]
    return changed


def _unmatched(q: str, score: float | None) -> Evidence:
    return Evidence(quote=q, start=None, end=None, match=MatchKind.unmatched, score=score)


@lru_cache(maxsize=8)
def aligner_for(text: str, region: tuple[int, int] | None = None) -> Aligner:
    """The :class:`Aligner` of a text and region, shared: a document is normalised once for all its
    checks (both calls' re-ask checks, the grounder, the free-text check). The 8 most recent are kept:
    an aligner holds offsets per character (about 150 MB for a 2 MB document)."""
    return Aligner(text, region)


def align_quote(quote: str, text: str, *, region: tuple[int, int] | None = None, min_score: float = 88.0) -> Evidence:
    """Align one model quote to ``text`` (only inside ``region``, default the whole text)."""
    return aligner_for(text, region).align(quote, min_score=min_score)


def ground_quotes(
    quotes: Sequence[str], text: str, *, region: tuple[int, int] | None = None, min_score: float = 88.0
) -> list[Evidence]:
    """Align several model quotes to one text, normalising the text only once."""
    aligner = aligner_for(text, region)
    return [aligner.align(q, min_score=min_score) for q in quotes]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]*[A-Z0-9])|\n\s*\n")


_ABBREVIATIONS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gen",
        "brig",
        "maj",
        "adm",
        "cmdr",
        "cpl",
        "pvt",
        "sen",
        "rep",
        "gov",
        "prof",
        "rev",
        "lt",
        "col",
        "sgt",
        "capt",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "u.s",
        "u.k",
        "u.n",
        "a.k.a",
        "e.g",
        "i.e",
    ]
)


def _gaps(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` between the matches of ``pattern`` (as ``pattern.split`` cuts it)."""
    start = 0
    for match in pattern.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _merge_abbreviations(line: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-join pieces split after an abbreviation such as "Sept." or "Gen."."""
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged:
            last_word = line[slice(*merged[-1])].rstrip().rsplit(" ", 1)[-1].rstrip(".")
            if last_word.lower() in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isupper()):
                merged[-1] = (merged[-1][0], end)
                continue
        merged.append((start, end))
    return merged


_LINE_BREAK = re.compile(r"\n")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def sentence_spans(text: str, *, paragraphs: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of every sentence of ``text``, in order, stripped of surrounding whitespace.

    The one sentence splitter: sentence ends (not after an abbreviation such as "Sept.") and line
    breaks end a sentence; with ``paragraphs`` (hard-wrapped text) only a blank line does, and a
    sentence may hold line breaks.  Every character outside the spans is whitespace."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _gaps(_BLANK_LINE if paragraphs else _LINE_BREAK, text):
        line = text[block_start:block_end]
        for start, end in _merge_abbreviations(line, list(_gaps(_SENTENCE_END, line))):
            piece = line[start:end]
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                spans.append((block_start + start + lead, block_start + start + lead + len(piece.strip())))
    return spans


def split_sentences(text: str, *, min_chars: int = 20, max_chars: int = 300, paragraphs: bool = False) -> list[str]:
    """Verbatim sentences of ``text`` (each a substring of it), deduplicated, in order.

    Sentences longer than ``max_chars`` are cut at a word boundary, so every item can
    still be found verbatim.  Used to constrain a model's quotes to real sentences.
    ``paragraphs``: a single line break does not end a sentence (hard-wrapped text); a blank
    line does, and a sentence may hold line breaks (see :func:`sentence_spans`).
    """
    sentences: list[str] = []
    seen: set[str] = set()
    for start, end in sentence_spans(text, paragraphs=paragraphs):
        sentence = text[start:end]
        if len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            sentence = sentence[: cut if cut > min_chars else max_chars].rstrip()
        if len(sentence) >= min_chars and sentence not in seen:
            seen.add(sentence)
            sentences.append(sentence)
    return sentences
