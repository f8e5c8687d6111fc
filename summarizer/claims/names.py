"""The one name matcher: alias-aware, word-bounded and directional.

A text names X when it contains X or one of X's aliases as whole words. A shorter name
never satisfies a longer one ("Omar" does not name "Omar Khetab") unless a case lists it as
an alias; "Ali" is not named by "Taliban". Long names tolerate a small spelling slip
(a run of as many words with similarity 92 or more; in a name of several words the slip is in
one word, and another word is intact in its place).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process

from summarizer.claims.memo import text_cache
from summarizer.claims.normalise import normalise, normalise_cased
from summarizer.claims.vocabulary import NAME_COMPOUND_ENDS

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
        """Merge alias groups from several sources (equal tables are one object, so caches compare fast)."""
        return _table(tuple(tuple(group) for groups in group_lists for group in groups))

    def __hash__(self) -> int:
        # Tables key the matchers' caches: hash the groups once, not on every lookup.
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash(self.groups)

    def variants(self, name: str) -> tuple[str, ...]:
        """Spellings of a name: the name and every alias in its groups (acronyms kept as written)."""
        return tuple(variant.spelling for variant in _variants(self, name))


@lru_cache(maxsize=1024)
def _table(groups: tuple[tuple[str, ...], ...]) -> AliasTable:
    return AliasTable(groups)


@dataclass(frozen=True, slots=True)
class _Variant:
    """One spelling of a name, read once: whether it is an acronym and, when it tolerates a slip, its words."""

    spelling: str
    acronym: bool
    #: Words as ``str.split`` counts them (the length of a compared run); 0 when no slip is tolerated.
    size: int
    #: Its words as the text's words are read, when there are ``size`` of them (a run must share one in place).
    words: tuple[str, ...] | None


@lru_cache(maxsize=16384)
def _variants(aliases: AliasTable, name: str) -> tuple[_Variant, ...]:
    """Every variant of a name, longest first."""
    key = normalise(name)
    found = {_spelling(name)}
    for group in aliases.groups:
        if key in {normalise(n) for n in group}:
            found |= {_spelling(n) for n in group}
    return tuple(_variant(v) for v in sorted(found, key=len, reverse=True))


def _variant(spelling: str) -> _Variant:
    acronym = is_acronym(spelling)
    size = 0 if acronym or len(spelling) < FUZZY_MIN_CHARS else len(spelling.split())
    words = tuple(_WORDS.findall(spelling))
    return _Variant(spelling, acronym, size, words if len(words) == size else None)


@dataclass(frozen=True, slots=True)
class _Spellings:
    """How :func:`mentions` searches a name (per alias table): its spellings searched case-folded and the
    acronyms searched as written; then those that tolerate a slip, compared with every run of a text (one
    word, or split unlike a text's words) or only with runs sharing one of their words in place, whose
    words are gathered (a text with none of them is within a slip of none of them)."""

    plain: tuple[str, ...]
    acronyms: tuple[str, ...]
    anywhere: tuple[_Variant, ...]
    aligned: tuple[_Variant, ...]
    aligned_words: frozenset[str]


@lru_cache(maxsize=16384)
def _spellings(aliases: AliasTable, name: str) -> _Spellings:
    variants = _variants(aliases, name)
    slipping = [v for v in variants if v.size]
    aligned = [v for v in slipping if v.size > 1 and v.words is not None]
    return _Spellings(
        tuple(v.spelling for v in variants if not v.acronym),
        tuple(v.spelling for v in variants if v.acronym),
        tuple(v for v in slipping if v.size == 1 or v.words is None),
        tuple(aligned),
        frozenset(word for v in aligned for word in v.words or ()),
    )


@lru_cache(maxsize=8192)
def _pattern(variant: str) -> re.Pattern[str]:
    flags = 0 if is_acronym(variant) else re.IGNORECASE
    # A hyphen after the name continues it ("al-Qaida-Ali"), unless a compound end follows ("al-Shabaab-held").
    ends = "|".join(NAME_COMPOUND_ENDS)
    return re.compile(r"(?<![\w-])" + re.escape(variant) + rf"(?![\w]|-(?!(?:{ends})\b)\w)", flags)


@text_cache(maxsize=65536)
def _text_words(text_norm: str) -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """The words of a normalised text, and where each occurs."""
    words = tuple(_WORDS.findall(text_norm))
    found: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        found.setdefault(word, []).append(i)
    return words, {word: tuple(where) for word, where in found.items()}


def _fuzzy_in(variant: _Variant, words: tuple[str, ...], positions: dict[str, tuple[int, ...]]) -> bool:
    """Whether some run of a text's ``words`` (see :func:`_text_words`) as long as ``variant`` is within
    a slip of it.

    In a name of several words the slip is in one word, so only runs that share another word
    with the name, in its place, are compared."""
    size = variant.size
    if size == 1:
        grams: Sequence[str] = words
    else:
        if variant.words is not None:
            if positions.keys().isdisjoint(variant.words):
                return False  # no word of the name in the text: no run to compare
            starts = {i - k for k, word in enumerate(variant.words) for i in positions.get(word, ())}
        else:  # words the name and the text split differently: compare every run
            starts = set(range(len(words)))
        grams = [" ".join(words[s : s + size]) for s in sorted(starts) if 0 <= s <= len(words) - size]
    return process.extractOne(variant.spelling, grams, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE) is not None


def name_spans(text: str, name: str, aliases: AliasTable) -> list[tuple[int, int]]:
    """Where ``text`` names ``name`` (exact variants only), as spans of ``normalise(text)``.

    Acronyms are searched case-sensitively in :func:`normalise_cased`, whose offsets agree."""
    spans: list[tuple[int, int]] = []
    for variant in _variants(aliases, name):
        haystack = normalise_cased(text) if variant.acronym else normalise(text)
        if variant.spelling in haystack:  # a cheap test before the word-bounded search
            spans += [m.span() for m in _pattern(variant.spelling).finditer(haystack)]
    return spans


@lru_cache(maxsize=256)
def _known_variants(aliases: AliasTable) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(spelling, normalised first name of its group) for every name the table knows, once each: those
    searched in the case-folded text, then the acronyms (searched as written)."""
    known = dict.fromkeys(
        (variant, normalise(group[0])) for group in aliases.groups for variant in {_spelling(n) for n in group}
    )
    plain = tuple(pair for pair in known if not is_acronym(pair[0]))
    return plain, tuple(pair for pair in known if is_acronym(pair[0]))


@text_cache(maxsize=16384)
def _known_spans(text: str, aliases: AliasTable) -> tuple[tuple[int, int, str], ...]:
    """Spans of every name the alias table knows, with the normalised first name of its group (in no
    particular order: only :func:`_covered` reads them)."""
    plain, acronyms = _known_variants(aliases)
    found = []
    for haystack, variants in ((normalise(text), plain), (normalise_cased(text), acronyms)):
        for variant, key in variants:
            if variant in haystack:
                found += [(m.start(), m.end(), key) for m in _pattern(variant).finditer(haystack)]
    return tuple(found)


def _covered(span: tuple[int, int], own: frozenset[str], known: tuple[tuple[int, int, str], ...]) -> bool:
    """The span is part of a longer name of another entity ('al Qaeda' in 'al Qaeda in the Indian Subcontinent')."""
    start, end = span
    return any(s <= start and end <= e and e - s > end - start and key not in own for s, e, key in known)


def mentions(text: str, name: str, aliases: AliasTable) -> bool:
    """Whether ``text`` names ``name`` or one of its aliases (whole words; a slip allowed in long names).

    The longest name wins: a mention inside a longer name of another entity does not count."""
    answers = _answers(text, aliases)
    found = answers.get(name)
    if found is None:
        found = answers[name] = _mentions(text, name, aliases)
    return found


@text_cache(maxsize=65536)
def _answers(text: str, aliases: AliasTable) -> dict[str, bool]:
    """:func:`mentions`' answers for one text and alias table, by name: each question is answered once,
    and one cache entry per text (not per name) keeps the garbage collector's work small."""
    return {}


@lru_cache(maxsize=16384)
def _own_keys(name: str, aliases: AliasTable) -> frozenset[str]:
    """The normalised first names of the groups ``name`` belongs to, and the name itself."""
    key = normalise(name)
    return frozenset({normalise(g[0]) for g in aliases.groups if key in {normalise(n) for n in g}} | {key})


def _mentions(text: str, name: str, aliases: AliasTable) -> bool:
    """:func:`mentions`, uncached: any spelling named exactly, else any within a slip."""
    read = _spellings(aliases, name)
    text_norm = normalise(text)
    for spelling in read.plain:
        if spelling in text_norm and _named(text, text_norm, spelling, name, aliases):  # the substring test is cheap
            return True
    if read.acronyms:
        cased = normalise_cased(text)
        for spelling in read.acronyms:
            if spelling in cased and _named(text, cased, spelling, name, aliases):
                return True
    if not (read.anywhere or read.aligned):
        return False
    words, positions = _text_words(text_norm)
    if any(_fuzzy_in(variant, words, positions) for variant in read.anywhere):
        return True
    return not positions.keys().isdisjoint(read.aligned_words) and any(
        _fuzzy_in(variant, words, positions) for variant in read.aligned
    )


def _named(text: str, haystack: str, spelling: str, name: str, aliases: AliasTable) -> bool:
    """Whether ``spelling`` stands in ``haystack`` (``text`` normalised) as whole words, outside any longer
    name of another entity."""
    # No whole-word match can start before the first substring match (the caller found one), so the
    # search starts there instead of reading the whole article again.
    first = max(0, haystack.find(spelling))
    if not aliases.groups:
        return _pattern(spelling).search(haystack, first) is not None
    spans = [m.span() for m in _pattern(spelling).finditer(haystack, first)]
    if not spans:
        return False
    known, own = _known_spans(text, aliases), _own_keys(name, aliases)
    return any(not _covered(span, own, known) for span in spans)


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
