"""Output claims as short texts (with their attribution) that the matchers can read."""

from __future__ import annotations

from summarizer.claims.match import OutputClaim
from summarizer.ground import split_sentences
from summarizer.schema import EventRecord, SummaryRecord


def summary_sentences(record: SummaryRecord) -> list[str]:
    """The summary, one sentence each."""
    return split_sentences(record.summary, min_chars=1, max_chars=10_000)


def fact_claims(record: SummaryRecord) -> list[OutputClaim]:
    """Key-fact statements (with their attribution) and summary sentences: what recall is measured on."""
    facts = [OutputClaim(f.statement, f.attribution) for f in record.key_facts]
    return facts + [OutputClaim(s) for s in summary_sentences(record)]


def _when_where(event: EventRecord) -> str:
    date = f" on {event.date.start}" if event.date.start else ""
    loc = event.location
    place = ", ".join(p for p in (loc.place, loc.admin2, loc.admin1, loc.country) if p)
    return date + (f" in {place}" if place else "")


def event_claims(event: EventRecord) -> list[OutputClaim]:
    """Atomic statements an event record makes (one per person and per casualty claim)."""
    suffix = _when_where(event)
    claims = [OutputClaim(f"{event.sub_event_type}{suffix}")]
    claims += [
        OutputClaim(f"{p.name} ({p.role}) was {p.outcome}{suffix}") for p in event.persons if p.outcome != "none"
    ]
    for claim in event.casualty_claims:
        count = claim.best if claim.best is not None else claim.low
        if count is not None:
            claims.append(OutputClaim(f"{count} {claim.group} were {claim.outcome}{suffix}", claim.claimed_by))
    return claims


def all_claims(record: SummaryRecord) -> list[OutputClaim]:
    """Every claim the output makes: facts, summary sentences and event statements."""
    return fact_claims(record) + [c for event in record.events for c in event_claims(event)]
