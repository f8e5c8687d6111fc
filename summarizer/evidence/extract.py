"""The evidence strategy's extraction: a document in, the same drafts a model would fill in out,
read from the article's own sentences (no model). The pipeline grounds and verifies them exactly
as it does a model's."""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.drafts import EventsDraft, FactsDraft
from summarizer.evidence.events import EventGroup, draft_event, event_groups
from summarizer.evidence.facts import draft_fact, evidence_facts, is_news_sentence, rank_candidates
from summarizer.evidence.published import Publication, publication
from summarizer.ground import split_sentences
from summarizer.load import Document
from summarizer.schema import SubEventType

#: The fallback summary: the lead sentences, up to about this many words.
SUMMARY_WORDS = 90


@dataclass
class EvidenceDrafts:
    """What the evidence strategy read from one document."""

    facts: FactsDraft
    events: EventsDraft
    groups: list[EventGroup]
    publication: Publication
    sentences: list[str]
    warnings: list[str] = field(default_factory=list)

    def ambiguous(self) -> list[tuple[int, str, tuple[SubEventType, ...]]]:
        """Events whose action words fit more than one sub-event type: (index, sentence, candidates)."""
        found = []
        for i, group in enumerate(self.groups):
            if group.reading is not None and group.reading.ambiguous:
                found.append((i, group.mentions[0].sentence, group.reading.candidates))
        return found

    def rank_candidates(self) -> tuple[list[str], int]:
        """Sentences the ranking assist chooses among (twice as many as facts kept), and how many to keep."""
        candidates, keep = rank_candidates(self.sentences)
        return [c.sentence for c in candidates], keep

    def with_facts(self, sentences: list[str]) -> FactsDraft:
        """The facts draft with these sentences (in article order) as the key facts."""
        ordered = sorted(set(sentences), key=self.sentences.index)
        return self.facts.model_copy(update={"key_facts": [draft_fact(s) for s in ordered]})

    def with_sub_types(self, chosen: dict[int, SubEventType]) -> EventsDraft:
        """The events draft with the given events' sub-event types replaced."""
        events = [draft_event(g, chosen.get(i)) for i, g in enumerate(self.groups)]
        return EventsDraft.model_construct(events=events)


def hard_wrapped(text: str) -> bool:
    """Whether the text is wrapped at a fixed width (wire copy, e-mail): most lines are 40 to 100
    characters long and most end mid-sentence. Such line breaks do not end sentences."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if len(lines) < 4:
        return False
    wrapped = [line for line in lines if 40 <= len(line) <= 100]
    open_ended = [line for line in lines if line[-1] not in ".!?\"'\u201d\u2019):"]
    return len(wrapped) >= 0.6 * len(lines) and len(open_ended) >= 0.5 * len(lines)


def lead_summary(sentences: list[str], words: int = SUMMARY_WORDS) -> str:
    """The first news sentences of the article, up to about ``words`` words (at least one when the
    article has a news sentence; '' when it has none)."""
    picked: list[str] = []
    for sentence in (s for s in sentences if is_news_sentence(s)):
        if picked and sum(len(p.split()) for p in picked) + len(sentence.split()) > words:
            break
        picked.append(sentence)
    return " ".join(picked)


def headline_of(doc: Document) -> str:
    """The document's title (HTML title, else its first line)."""
    if doc.title:
        return doc.title.strip()
    first = doc.article_text.strip().split("\n", 1)[0].strip()
    return first[:200]


def extract_evidence(doc: Document, published: str | None = None) -> EvidenceDrafts:
    """Facts and events from the article's sentences; ``published`` overrides the detected date.

    The drafts are built without the model's size limits (at most 8 facts, 3 events): those
    bound a model's answer, not what the program reads."""
    sentences = split_sentences(doc.article_text, paragraphs=hard_wrapped(doc.article_text))
    pub = publication(published, doc.published, doc.text)
    groups = event_groups(sentences, doc.article_text, pub.year, pub.date)
    facts = FactsDraft.model_construct(
        headline=headline_of(doc), dateline=None, summary=lead_summary(sentences),
        key_facts=evidence_facts(sentences),
    )  # fmt: skip
    drafts = EvidenceDrafts(facts, EventsDraft.model_construct(events=[]), groups, pub, sentences)
    drafts.events = drafts.with_sub_types({})
    undated = sorted({m.date.words for g in groups for m in g.mentions if m.date and m.date.start is None})
    if undated:
        need = "a publication day (--published YYYY-MM-DD)" if pub.year else "a publication date (--published)"
        drafts.warnings.append(f"dates left unresolved for want of {need}: {', '.join(undated)}")
    return drafts
