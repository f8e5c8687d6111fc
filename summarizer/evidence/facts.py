"""Key facts of the evidence strategy: the article's salient sentences, each stated as itself
(trimmed of discourse openers), with the source and status its own reporting verb gives.

A fact never adds a word its sentence lacks, so every fact is a claim its quote supports; the
run-time verifier still checks each one like any model's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.claims import analyse
from summarizer.claims.features import Features
from summarizer.claims.support import statement_names
from summarizer.drafts import DraftFact
from summarizer.evidence.lexicon import lexicon
from summarizer.schema import FactStatus

#: Statements are cut to this many characters (at a clause boundary) to fit the draft.
MAX_STATEMENT_CHARS = 240
#: Sentence openers that join a sentence to the one before and state nothing.
_OPENERS = re.compile(
    r"^(?:(?:but|and)\s+|(?:however|indeed|therefore|meanwhile|moreover|still|yet|also|so|thus|then),\s+)",
    re.IGNORECASE,
)
#: Text that is about the page or the writer, not the news: corrections, bios, cross-references.
_NOT_NEWS = re.compile(
    r"(?:was (?:changed|corrected|updated) after publication|^\*|\[see\b|\bis (?:a|an|the) (?:senior |staff |"
    r"contributing )?(?:reporter|editor|fellow|correspondent|writer|journalist|columnist)\b|"
    r"\b(?:subscribe|newsletter|click here|sign up|follow us)\b)",
    re.IGNORECASE,
)


_PRONOUNS = frozenset({"he", "she", "it", "they", "this", "that", "these", "those", "his", "her", "its", "their"})


@dataclass(frozen=True)
class Scored:
    """A sentence with its salience and the reasons behind it."""

    index: int
    sentence: str
    score: float
    reasons: tuple[str, ...]


def is_news_sentence(sentence: str) -> bool:
    """A full sentence of reporting: long enough, ends like a sentence, not a correction note, bio or link."""
    text = sentence.strip()
    if len(text.split()) < 6 or _NOT_NEWS.search(text) or text.endswith("?"):
        return False
    return text[-1] in ".!\u201d\"')" and not text[0].islower()


def salience(index: int, sentence: str, total: int) -> Scored:
    """How much a sentence tells an event analyst: outcomes, counts, sources, dates, names, the lead."""
    f: Features = analyse(sentence)
    reasons: list[str] = []
    score = 0.0
    outcomes = [m for m in f.outcomes if not m.negated]
    if outcomes:
        score += 3.0 + (1.5 if any(m.count is not None and m.count.kind != "vague" for m in outcomes) else 0.0)
        reasons.append("outcome")
    elif any(m.negated for m in f.outcomes):  # a denial ("denied that anyone was killed") is news too
        score += 2.0
        reasons.append("denial")
    if any(not a.negated for a in f.attributions):
        score += 2.0
        reasons.append("attributed")
    if f.dates:
        score += 1.5
        reasons.append("date")
    counts = [q for q in f.quantities if q.is_count and q.kind != "vague"]
    score += min(len(counts), 2) * 1.0
    if lexicon().actions_in(sentence):
        score += 1.0
        reasons.append("action")
    names = statement_names(sentence)
    score += min(len(names), 3) * 0.5
    if f.tokens and f.tokens[0].text in _PRONOUNS:  # "He also said ...": the claim needs the sentence before
        score -= 2.0
        reasons.append("pronoun subject")
    if index < 2:
        score += 1.5
        reasons.append("lead")
    elif index < 5:
        score += 0.5
    score -= 0.02 * index * 30 / max(total, 30)  # earlier breaks ties: news is written top-down
    return Scored(index, sentence, round(score, 3), tuple(reasons))


def trim_statement(sentence: str) -> str:
    """The sentence as a statement: without a joining opener or footnote mark, on one line, cut at a
    clause boundary when longer than the draft allows. Never a word the sentence lacks."""
    text = _OPENERS.sub("", " ".join(sentence.split())).rstrip("*").strip()
    text = text[0].upper() + text[1:] if text else text
    if len(text) <= MAX_STATEMENT_CHARS:
        return text
    cut = max(text.rfind(mark, 0, MAX_STATEMENT_CHARS) for mark in (", ", "; ", " \u2014 "))
    return text[:cut] if cut > 60 else text[:MAX_STATEMENT_CHARS].rsplit(" ", 1)[0]


def fact_count(sentences: int) -> int:
    """How many key facts an article of this many sentences gets: a third, between 4 and 10."""
    return max(4, min(10, round(sentences / 3)))


def select_sentences(sentences: Sequence[str], limit: int | None = None) -> list[Scored]:
    """The most salient news sentences, in article order."""
    news = [salience(i, s, len(sentences)) for i, s in enumerate(sentences) if is_news_sentence(s)]
    wanted = limit if limit is not None else fact_count(len(news))
    picked = sorted(news, key=lambda s: (-s.score, s.index))[:wanted]
    return sorted(picked, key=lambda s: s.index)


def rank_candidates(sentences: Sequence[str]) -> tuple[list[Scored], int]:
    """Candidates for the ranking assist: the most salient news sentences, twice as many as the facts
    kept (in article order), and how many facts to keep."""
    news = [salience(i, s, len(sentences)) for i, s in enumerate(sentences) if is_news_sentence(s)]
    keep = fact_count(len(news))
    picked = sorted(news, key=lambda s: (-s.score, s.index))[: 2 * keep]
    return sorted(picked, key=lambda s: s.index), keep


def source_and_status(sentence: str) -> tuple[str, FactStatus]:
    """Who the sentence says says so, and how (its first affirmative attribution); the article otherwise."""
    attribution = analyse(sentence).attribution
    if attribution is None:
        return "the article", "reported"
    return attribution.source[:80], attribution.kind


def draft_fact(sentence: str) -> DraftFact:
    """One key fact: the sentence trimmed to its claim, its source and status, and itself as the quote."""
    source, status = source_and_status(sentence)
    return DraftFact(statement=trim_statement(sentence), attribution=source, status=status, quote=sentence)


def evidence_facts(sentences: Sequence[str], limit: int | None = None) -> list[DraftFact]:
    """Key facts from the article's own sentences, most salient first chosen, in article order."""
    return [draft_fact(s.sentence) for s in select_sentences(sentences, limit)]
