"""The record's free text (headline, dateline, summary) checked against the document.

Key facts and events carry quotes and are checked by :mod:`summarizer.verify`; the
headline and the summary carry none, so they are held to a simpler rule here. A sentence
is *unfounded* when it:

1. is prompt wording: it aligns with the prompts' fixed instructions (exact, fuzzy or
   altered) and not with the article (exact or fuzzy);
2. names someone or something the article body does not mention
   (:func:`summarizer.claims.support.statement_names`, matched by the scorer's word-bounded
   :func:`summarizer.claims.mentions`, without case aliases). A sentence's capitalised first
   word alone is not a name when it is a word of the claim vocabulary ("More than 100 ...",
   "Nearly", "Several", "Also");
3. states a count (an exact, approximate or bounded number of people or things) whose written
   value is not the written value of any count in the article body: "more than 100" matches
   "more than 100" or "100", "3" matches "three". Vague words ("dozens") and measures
   ("18 years") are not checked.

Unfounded summary sentences are removed; an unfounded headline is replaced by the document's
title (its HTML title, else the article's first line), or by "" when it has none. The dateline
is kept only when the document states it: found in the article body by the same word-bounded
matcher, or equal to the page's publication date. Every change is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from summarizer.claims import AliasTable, analyse, mentions
from summarizer.claims.support import statement_names
from summarizer.claims.vocabulary import (
    ADVERBS,
    APPROXIMATORS,
    AUXILIARIES,
    CLAUSE_BREAKS,
    LOWER_BOUNDS,
    NEGATORS,
    RELATIVES,
    UPPER_BOUNDS,
    VAGUE_QUANTITIES,
)
from summarizer.ground import Aligner, aligner_for, split_sentences
from summarizer.load import Document
from summarizer.schema import MatchKind

_NO_ALIASES = AliasTable()
_NEAR = (MatchKind.exact, MatchKind.fuzzy, MatchKind.altered)
#: Words that open a sentence without naming anything.
_OPENERS = frozenset(
    {phrase.split()[0] for phrase in (*LOWER_BOUNDS, *UPPER_BOUNDS, *APPROXIMATORS, *VAGUE_QUANTITIES)}
    | ADVERBS
    | AUXILIARIES
    | CLAUSE_BREAKS
    | NEGATORS
    | RELATIVES
)


@dataclass
class FreeTextCheck:
    """Checks the headline, dateline and summary of one document; collects warnings."""

    doc: Document
    #: The prompts' fixed wording (see :func:`summarizer.prompt.instruction_text`).
    instructions: str
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def _article(self) -> Aligner:
        return aligner_for(self.doc.text, (self.doc.article_start, self.doc.article_end))

    @cached_property
    def _prompt(self) -> Aligner:
        return aligner_for(self.instructions)

    @cached_property
    def _article_counts(self) -> frozenset[float]:
        return frozenset(q.value for q in analyse(self.doc.article_text).quantities if q.is_count and q.kind != "vague")

    def _is_prompt_wording(self, sentence: str) -> bool:
        if not self.instructions.strip() or self._prompt.align(sentence).match not in _NEAR:
            return False
        return not self._article.align(sentence).found

    def problem(self, sentence: str) -> str | None:
        """Why a sentence is unfounded (see the module docstring), or None when it is not."""
        if self._is_prompt_wording(sentence):
            return "prompt wording, not in the article"
        opening = sentence.split(maxsplit=1)[0] if sentence.strip() else ""
        for name in statement_names(sentence):
            if name == opening and name.casefold() in _OPENERS:
                continue
            if not mentions(self.doc.article_text, name, _NO_ALIASES):
                return f"names {name!r}, not in the article"
        for quantity in analyse(sentence).quantities:
            if quantity.is_count and quantity.kind != "vague" and quantity.value not in self._article_counts:
                return f"states {quantity.words!r}, a count not in the article"
        return None

    def summary(self, text: str) -> str:
        """The summary without its unfounded sentences (unchanged when none is)."""
        text = text.strip()
        sentences = split_sentences(text, min_chars=1, max_chars=10_000)
        kept = []
        for sentence in sentences:
            why = self.problem(sentence)
            if why is None:
                kept.append(sentence)
            else:
                self.warnings.append(f"summary sentence removed ({why}): {sentence}")
        return text if len(kept) == len(sentences) else " ".join(kept)

    def headline(self, text: str) -> str:
        """The headline, or the document's title (else "") when the headline is unfounded."""
        text = text.strip()
        why = self.problem(text) if text else None
        if why is None:
            return text
        title = (self.doc.title or "").strip()
        replacement = "the document's title" if title else "nothing (the document has no title)"
        self.warnings.append(f"headline replaced by {replacement} ({why}): {text}")
        return title

    def dateline(self, text: str | None) -> str | None:
        """The dateline when the document states it, else None."""
        value = (text or "").strip()
        if not value:
            return None
        if value == self.doc.published or mentions(self.doc.article_text, value, _NO_ALIASES):
            return value
        self.warnings.append(f"dateline removed ({value!r}, not in the article)")
        return None
