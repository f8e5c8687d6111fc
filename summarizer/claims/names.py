"""The one name matcher: alias-aware, word-bounded and directional.

A text names X when it contains X or one of X's aliases as whole words. A shorter name
never satisfies a longer one ("Omar" does not name "Omar Khetab") unless a case lists it as
an alias; "Ali" is not named by "Taliban". Long names tolerate a small spelling slip
(one n-gram of the same word count, similarity 92 or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from summarizer.claims.normalise import normalise, normalise_cased

#: Names at least this long tolerate a spelling slip.
FUZZY_MIN_CHARS = 8
FUZZY_MIN_SCORE = 92.0
_WORDS = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*")


def is_acronym(name: str) -> bool:
    """A short all-capital name such as 'US' or 'NDS' (matched case-sensitively)."""
    letters = name.replace(".", "")
    return letters.isupper() and len(letters) <= 5


def _spelling(name: str) -> str:
    stripped = name.strip()
    return stripped if is_acronym(stripped) else normalise(stripped)


@dataclass(frozen=True)
class AliasTable:
    """Groups of names that mean the same thing."""

    groups: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, *group_lists: Iterable[Sequence[str]]) -> AliasTable:
        """Merge alias groups from several sources."""
        return cls(tuple(tuple(group) for groups in group_lists for group in groups))

    def variants(self, name: str) -> tuple[str, ...]:
        """Spellings of a name: the name and every alias in its groups (acronyms kept as written)."""
        return _variants(self.groups, name)


@lru_cache(maxsize=16384)
def _variants(groups: tuple[tuple[str, ...], ...], name: str) -> tuple[str, ...]:
    key = normalise(name)
    found = {_spelling(name)}
    for group in groups:
        if key in {normalise(n) for n in group}:
            found |= {_spelling(n) for n in group}
    return tuple(sorted(found, key=len, reverse=True))


@lru_cache(maxsize=8192)
def _pattern(variant: str) -> re.Pattern[str]:
    flags = 0 if is_acronym(variant) else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(variant) + r"(?![\w]|-\w)", flags)


@lru_cache(maxsize=65536)
def _words(text_norm: str) -> tuple[str, ...]:
    return tuple(_WORDS.findall(text_norm))


@lru_cache(maxsize=262144)
def _fuzzy_in(variant: str, text_norm: str) -> bool:
    size = len(variant.split())
    words = _words(text_norm)
    return any(
        fuzz.ratio(variant, " ".join(words[i : i + size]), score_cutoff=FUZZY_MIN_SCORE)
        for i in range(len(words) - size + 1)
    )


def name_spans(text: str, name: str, aliases: AliasTable) -> list[tuple[int, int]]:
    """Where ``text`` names ``name`` (exact variants only), as spans of ``normalise(text)``.

    Acronyms are searched case-sensitively in :func:`normalise_cased`, whose offsets agree."""
    text_norm = normalise(text)
    cased = normalise_cased(text)
    spans: list[tuple[int, int]] = []
    for variant in aliases.variants(name):
        haystack = cased if is_acronym(variant) else text_norm
        spans += [m.span() for m in _pattern(variant).finditer(haystack)]
    return spans


@lru_cache(maxsize=16384)
def _known_spans(text: str, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[int, int, str], ...]:
    """Spans of every name the alias table knows, with the normalised first name of its group."""
    text_norm, cased = normalise(text), normalise_cased(text)
    found = []
    for group in groups:
        for variant in {_spelling(n) for n in group}:
            haystack = cased if is_acronym(variant) else text_norm
            found += [(m.start(), m.end(), normalise(group[0])) for m in _pattern(variant).finditer(haystack)]
    return tuple(found)


def _covered(span: tuple[int, int], own: set[str], known: tuple[tuple[int, int, str], ...]) -> bool:
    """The span is part of a longer name of another entity ('al Qaeda' in 'al Qaeda in the Indian Subcontinent')."""
    start, end = span
    return any(s <= start and end <= e and e - s > end - start and key not in own for s, e, key in known)


def mentions(text: str, name: str, aliases: AliasTable) -> bool:
    """Whether ``text`` names ``name`` or one of its aliases (whole words; a slip allowed in long names).

    The longest name wins: a mention inside a longer name of another entity does not count."""
    text_norm = normalise(text)
    known = _known_spans(text, aliases.groups) if aliases.groups else ()
    own = {normalise(g[0]) for g in aliases.groups if normalise(name) in {normalise(n) for n in g}}
    own.add(normalise(name))
    for variant in aliases.variants(name):
        haystack = normalise_cased(text) if is_acronym(variant) else text_norm
        if any(not _covered(m.span(), own, known) for m in _pattern(variant).finditer(haystack)):
            return True
        if len(variant) >= FUZZY_MIN_CHARS and not is_acronym(variant) and _fuzzy_in(variant, text_norm):
            return True
    return False


def same_name(a: str | None, b: str, aliases: AliasTable) -> bool:
    """Whether two names denote the same entity: equal up to aliases and a spelling slip, never a part
    of a longer name ('Omar' is not 'Omar Khetab')."""
    if not a:
        return False
    ka, kb = normalise(a).strip(" .,"), normalise(b).strip(" .,")
    if ka == kb:
        return True
    variants_b = {normalise(v) for v in aliases.variants(b)}
    if ka in variants_b or any(normalise(v) in variants_b for v in aliases.variants(a)):
        return True
    return len(kb) >= FUZZY_MIN_CHARS and fuzz.ratio(ka, kb, score_cutoff=FUZZY_MIN_SCORE) > 0
