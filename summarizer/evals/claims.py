"""Output claims as short texts the matchers can read."""

from __future__ import annotations

from summarizer.ground import split_sentences
from summarizer.schema import EventRecord, SummaryRecord


def summary_sentences(record: SummaryRecord) -> list[str]:
    """The summary, one sentence each."""
    return split_sentences(record.summary, min_chars=1, max_chars=10_000)


def fact_texts(record: SummaryRecord) -> list[str]:
    """Key-fact statements and summary sentences: what recall is measured on."""
    return [f.statement for f in record.key_facts] + summary_sentences(record)


def _when_where(event: EventRecord) -> str:
    date = f" on {event.date.start}" if event.date.start else ""
    loc = event.location
    place = ", ".join(p for p in (loc.place, loc.admin2, loc.admin1, loc.country) if p)
    return date + (f" in {place}" if place else "")


def event_texts(event: EventRecord) -> list[str]:
    """Atomic statements an event record makes (one per person and per casualty claim)."""
    suffix = _when_where(event)
    texts = [f"{event.sub_event_type}{suffix}"]
    texts += [f"{p.name} ({p.role}) {p.outcome}{suffix}" for p in event.persons if p.outcome != "none"]
    for claim in event.casualty_claims:
        count = claim.best if claim.best is not None else claim.low
        texts.append(f"{count} {claim.group} {claim.outcome}, per {claim.claimed_by}{suffix}")
    return texts


def all_claim_texts(record: SummaryRecord) -> list[str]:
    """Every claim the output makes: facts, summary sentences and event statements."""
    return fact_texts(record) + [text for event in record.events for text in event_texts(event)]
