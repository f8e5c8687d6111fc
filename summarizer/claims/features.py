"""A text read once into claim features; every question the matchers ask is answered from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import simplemma

from summarizer.claims.clauses import Attribution, OutcomeMention, find_attributions, find_outcomes, negated_at
from summarizer.claims.dates import DateMention, find_dates
from summarizer.claims.memo import text_cache
from summarizer.claims.names import AliasTable, mentions, name_spans
from summarizer.claims.normalise import normalise, normalise_cased
from summarizer.claims.numbers import Quantity, find_quantities
from summarizer.claims.tokens import Token, tokenize
from summarizer.claims.vocabulary import GENERIC_SOURCES

#: Keywords shorter than this match whole words only, never by lemma ("arm" is not "armed").
LEMMA_MIN_CHARS = 4
_GENERIC_HEADS = frozenset(
    {"officials", "official", "sources", "source", "authorities", "reports", "report", "media", "residents",
     "witnesses", "statement", "article", "spokesman", "spokeswoman", "spokesperson", "he", "she", "they", "it",
     "officer", "officers", "commander", "diplomat", "diplomats"}
)  # fmt: skip


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The English lemma of a word (simplemma); the word itself when unknown."""
    return str(simplemma.lemmatize(word, lang="en"))


@lru_cache(maxsize=16384)
def _normal_keyword(keyword: str) -> str:
    return normalise(keyword.strip())


def _unpossessed(word: str) -> str:
    """The word without a possessive ending ("tela's" -> "tela", "soldiers'" -> "soldiers")."""
    if word.endswith("'s") and len(word) > 2:
        return word[:-2]
    return word[:-1] if word.endswith("'") and len(word) > 1 else word


def _index(words: Iterable[str]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        found.setdefault(word, []).append(i)
    return {word: tuple(where) for word, where in found.items()}


@dataclass
class Features:
    """Claim features of one text: tokens, quantities, dates, outcomes, attributions."""

    text: str
    norm: str
    tokens: tuple[Token, ...]
    dates: tuple[DateMention, ...]
    quantities: tuple[Quantity, ...]
    outcomes: tuple[OutcomeMention, ...]
    attributions: tuple[Attribution, ...]
    _keyword_cache: dict[str, tuple[bool, bool]] = field(default_factory=dict, repr=False)
    _name_cache: dict[tuple[str, AliasTable], tuple[tuple[int, int], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @cached_property
    def lemmas(self) -> tuple[str, ...]:
        """Lemma of each token."""
        return tuple(lemma(t.text) for t in self.tokens)

    @cached_property
    def word_index(self) -> dict[str, tuple[int, ...]]:
        """Token indices of each token text; a possessive also under its bare word ("Tela's" under "tela")."""
        found: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):  # indices rise, so each list is sorted and has no repeats
            found.setdefault(token.text, []).append(i)
            bare = _unpossessed(token.text)
            if bare != token.text:
                found.setdefault(bare, []).append(i)
        return {word: tuple(where) for word, where in found.items()}

    @cached_property
    def lemma_index(self) -> dict[str, tuple[int, ...]]:
        """Token indices of each lemma."""
        return _index(self.lemmas)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Token indices [first, last) covering the character span [start, end) of ``norm``."""
        first = next((i for i, t in enumerate(self.tokens) if t.end > start), len(self.tokens))
        last = next((i for i, t in enumerate(self.tokens) if t.start >= end), len(self.tokens))
        return first, last

    def keyword(self, keyword: str) -> tuple[bool, bool]:
        """(stated affirmatively, stated negated) for one keyword or multi-word phrase."""
        cached = self._keyword_cache.get(keyword)
        if cached is not None:
            return cached
        kw = _normal_keyword(keyword)
        words = kw.split()
        hits: Sequence[int] = ()
        if len(words) == 1:
            hits = self.word_index.get(kw, ())
            by_lemma = self.lemma_index.get(lemma(kw), ()) if len(kw) >= LEMMA_MIN_CHARS else ()
            if by_lemma:  # both indexes list rising indices: merge only when both have some
                hits = sorted({*hits, *by_lemma}) if hits else by_lemma
        elif kw in self.norm:
            size = len(words)
            texts = [t.text for t in self.tokens]
            hits = [i for i in range(len(texts) - size + 1) if texts[i : i + size] == words]
            if not hits and f" {kw} " in f" {self.norm} ":
                first, _ = self.token_range(f" {self.norm} ".index(f" {kw} "), len(self.norm))
                hits = [first]
        negated = [negated_at(self.tokens, i) for i in hits]
        result = (not all(negated), any(negated)) if hits else (False, False)
        self._keyword_cache[keyword] = result
        return result

    def name_tokens(self, name: str, aliases: AliasTable) -> tuple[tuple[int, int], ...]:
        """Token ranges [first, last) where the text names ``name`` exactly (found once per name and table)."""
        key = (name, aliases)
        found = self._name_cache.get(key)
        if found is None:
            spans = [self.token_range(s, e) for s, e in name_spans(self.text, name, aliases)]
            found = self._name_cache[key] = tuple((a, b) for a, b in spans if a < b)
        return found

    def outcomes_of(self, name: str, aliases: AliasTable) -> list[OutcomeMention]:
        """Outcome mentions whose patient span names ``name`` (a possessor is not the patient: in "two of
        Gacal's bodyguards were killed" Gacal was not, but in "Gacal's death" he was)."""
        spans = self.name_tokens(name, aliases)
        found = []
        for m in self.outcomes:
            for a, b in spans:
                possessor = self.tokens[b - 1].text.endswith(("'s", "'")) and not (m.voice == "noun" and b == m.first)
                if m.patient[0] <= a and b <= m.patient[1] and not possessor:
                    found.append(m)
                    break
        return found

    def negated_name(self, name: str, aliases: AliasTable) -> bool:
        """Whether every exact mention of ``name`` stands under a negation ("did not take place in X")."""
        spans = self.name_tokens(name, aliases)
        return bool(spans) and all(negated_at(self.tokens, a) for a, _ in spans)

    def resolved_dates(self, year: int | None, published: dt.date | None) -> list[tuple[dt.date, dt.date]]:
        """Every date the text states that can be resolved, as (first day, last day)."""
        return [r for d in self.dates if (r := d.resolve(year, published)) is not None]

    def sources(self) -> list[str]:
        """Sources the text names (normalised), affirmative attributions only."""
        return [a.source for a in self.attributions if not a.negated]

    @property
    def attribution(self) -> Attribution | None:
        """The first affirmative attribution ("The NDS said ..."): whose claim the text is."""
        return next((a for a in self.attributions if not a.negated), None)


def is_generic_source(source: str, aliases: AliasTable) -> bool:
    """A source that names nobody in particular ('officials', 'he', 'Afghan officials') and no entity
    the alias table knows."""
    return _is_generic_source(source, aliases)


@lru_cache(maxsize=16384)
def _is_generic_source(source: str, aliases: AliasTable) -> bool:
    norm = normalise(source).strip(" .,")
    if not norm or norm in GENERIC_SOURCES:
        return True
    if norm.split()[-1] not in _GENERIC_HEADS:
        return False
    return not any(mentions(source, name, aliases) for group in aliases.groups for name in group)


@text_cache(maxsize=65536)
def analyse(text: str) -> Features:
    """Read a text into claim features (cached: each distinct text is read once)."""
    norm = normalise(text)
    tokens = tokenize(norm)
    dates = tuple(find_dates(norm))
    quantities = tuple(find_quantities(tokens, norm, [(d.start, d.end) for d in dates]))
    outcomes = tuple(find_outcomes(tokens, quantities))
    attributions = tuple(find_attributions(tokens, normalise_cased(text)))
    return Features(text, norm, tokens, dates, quantities, outcomes, attributions)
