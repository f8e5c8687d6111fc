"""Output schema: the records summarizer writes, and the closed vocabularies.

This module imports nothing from the rest of the package (an import-linter contract).
The records are written after the program has grounded every quote in the article
text itself; the smaller drafts the model fills in are in :mod:`summarizer.drafts`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter, model_validator

SCHEMA_VERSION = "1.0"

# --------------------------------------------------------------------------- vocabulary

#: Closed event vocabulary, after the ACLED codebook: sub-event type -> event type.
SUB_EVENT_TO_EVENT: dict[str, str] = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air or drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

EventType = Literal[
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
]
SubEventType = Literal[
    "Armed clash",
    "Government regains territory",
    "Non-state actor overtakes territory",
    "Chemical weapon",
    "Air or drone strike",
    "Suicide bomb",
    "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED",
    "Grenade",
    "Sexual violence",
    "Attack",
    "Abduction/forced disappearance",
    "Peaceful protest",
    "Protest with intervention",
    "Excessive force against protesters",
    "Violent demonstration",
    "Mob violence",
    "Agreement",
    "Arrests",
    "Change to group/activity",
    "Disrupted weapons use",
    "Headquarters or base established",
    "Looting/property destruction",
    "Non-violent transfer of territory",
    "Other",
]
FactStatus = Literal["confirmed", "claimed", "reported", "denied"]
DatePrecision = Literal["day", "week", "month", "year"]
LocationPrecision = Literal["place", "district", "province", "country", "unknown"]
CountedGroup = Literal["militants", "civilians", "security_forces", "unknown"]
Outcome = Literal["killed", "captured", "injured"]
PersonOutcome = Literal["killed", "captured", "injured", "targeted", "none"]
ActorRole = Literal["initiator", "target", "associated"]

TOTALS_RULE = "acled_most_conservative"


class MatchKind(StrEnum):
    """How a model quote was found in the article."""

    exact = "exact"
    fuzzy = "fuzzy"
    altered = "altered"
    unmatched = "unmatched"


# --------------------------------------------------------------------------- records


class Evidence(BaseModel):
    """A quote from the model, aligned to the article by the program."""

    quote: str = Field(description="The quote as the model gave it.")
    start: int | None = Field(description="Start offset into the text as read (None when unmatched).")
    end: int | None = Field(description="End offset (exclusive) into the text as read.")
    match: MatchKind = Field(
        description="exact: text[start:end] == quote. fuzzy: the quote differs from text[start:end] only in "
        "typography, whitespace, case or small slips in other words. altered: it aligns, but a number, an outcome "
        "word, a negation, a denial or a name differs (listed in `altered`); an altered quote grounds nothing. "
        "unmatched: not in the article body."
    )
    score: float | None = Field(default=None, description="Alignment score 0-100 (fuzzy and exact).")
    aligned_text: str | None = Field(default=None, description="text[start:end], given for fuzzy and altered matches.")
    altered: list[str] = Field(
        default_factory=list,
        description="For an altered quote, the differing words: '-x' in the article only, '+x' in the quote only.",
    )

    @property
    def found(self) -> bool:
        """In the article as written: exact or fuzzy (an altered or unmatched quote grounds nothing)."""
        return self.match in (MatchKind.exact, MatchKind.fuzzy)

    @property
    def words(self) -> str:
        """The article's own words for a found quote (the aligned span of a fuzzy one)."""
        return self.aligned_text or self.quote


SupportVerdict = Literal["supported", "partial", "unsupported", "contradicted"]


class Support(BaseModel):
    """What the claim's own evidence says about it, judged by the program (never the model)."""

    verdict: SupportVerdict = Field(
        description="supported: the quotes state every name, number, outcome (with its polarity) and date of the "
        "claim. partial: some of them. unsupported: none, or the claim states nothing checkable. contradicted: the "
        "quotes state it otherwise (another outcome or number, or the opposite polarity)."
    )
    reasons: list[str] = Field(default_factory=list, description="What is missing or differs.")


class KeyFact(BaseModel):
    """One atomic statement with its source and evidence."""

    statement: str = Field(description="The atomic statement.")
    attribution: str = Field(
        description="Who says so, as the article sentence around the quote names it; 'the article' when it "
        "names no one."
    )
    status: FactStatus = Field(
        description="confirmed / claimed / reported / denied: the reporting verb of the quote's sentence when it "
        "has one."
    )
    evidence: list[Evidence] = Field(description="Quotes behind the statement, aligned to the text.")
    support: Support | None = Field(
        default=None,
        description="Whether the quotes state what the statement says (absent only in records written before "
        "support verdicts existed).",
    )
    grounded: bool = Field(
        description="True only when a quote is in the article as written (exact or fuzzy, not altered) and the "
        "quotes support the statement (support.verdict == 'supported')."
    )


class EventDate(BaseModel):
    """An event date, possibly a range, with its precision."""

    start: dt.date | None = Field(description="First day of the event (or of the window).")
    end: dt.date | None = Field(description="Last day of the event (or of the window).")
    precision: DatePrecision = Field(description="day, week, month or year.")


class Location(BaseModel):
    """Where an event happened, along the administrative hierarchy."""

    country: str | None = Field(description="Country.")
    admin1: str | None = Field(description="First-level division (province).")
    admin2: str | None = Field(description="Second-level division (district).")
    place: str | None = Field(description="Village, town or named site.")
    precision: LocationPrecision = Field(description="Most precise level known.")


class Actor(BaseModel):
    """An actor and its role in the event."""

    name: str = Field(description="Actor name.")
    role: ActorRole = Field(description="initiator, target or associated.")


class NamedPerson(BaseModel):
    """A named person and what happened to them."""

    name: str = Field(description="Name as written in the article.")
    role: str = Field(description="Role, e.g. 'leader of AQIS'.")
    outcome: PersonOutcome = Field(
        description="killed / captured / injured / targeted / none. A killed, captured or injured outcome that the "
        "event's quotes do not state is set to none (the claim is kept in dropped_claims)."
    )


class CasualtyClaim(BaseModel):
    """One source's count of people killed, captured or injured."""

    group: CountedGroup = Field(description="Who was counted.")
    outcome: Outcome = Field(description="killed, captured or injured.")
    low: int | None = Field(description="Low estimate.")
    best: int | None = Field(description="Best estimate.")
    high: int | None = Field(description="High estimate.")
    claimed_by: str = Field(
        description="The source of the number, as the article sentence around the quote names it; 'the article' when "
        "it names no one."
    )
    evidence: list[Evidence] = Field(
        description="Quote behind the number. A claim is kept only when its quote is in the article and states the "
        "count bound to the outcome; otherwise it is moved to dropped_claims."
    )


class EventTotals(BaseModel):
    """Event-level totals under a declared rule."""

    rule: str = Field(
        default=TOTALS_RULE,
        description="acled_most_conservative: per group and outcome, each source's claims are added (distinct "
        "sub-groups, each at its lowest figure), the lowest of those sums across sources is taken, and the groups "
        "are added.",
    )
    killed: int | None = Field(description="Total killed.")
    captured: int | None = Field(description="Total captured.")
    injured: int | None = Field(description="Total injured.")


class EventRecord(BaseModel):
    """One event in the style of ACLED/UCDP."""

    event_type: EventType = Field(description="ACLED event type (derived from sub_event_type).")
    sub_event_type: SubEventType = Field(description="ACLED sub-event type.")
    date: EventDate = Field(description="Date or date range with precision.")
    location: Location = Field(description="Location with precision.")
    actors: list[Actor] = Field(description="Actors and roles.")
    persons: list[NamedPerson] = Field(description="Named persons with outcome and role.")
    casualty_claims: list[CasualtyClaim] = Field(description="Counts per source.")
    totals: EventTotals = Field(description="Totals under the declared rule.")
    sources: list[str] = Field(description="Sources that report the event.")
    conflicting_reports: list[str] = Field(description="Notes where reports disagree.")
    evidence: list[Evidence] = Field(description="Quotes describing the event.")
    grounded: bool = Field(
        description="True when at least one event quote is in the article as written (exact or fuzzy, not altered)."
    )

    @model_validator(mode="after")
    def _type_matches_sub_type(self) -> EventRecord:
        if SUB_EVENT_TO_EVENT[self.sub_event_type] != self.event_type:
            raise ValueError(f"sub_event_type {self.sub_event_type!r} does not belong to {self.event_type!r}")
        return self


class SourceInfo(BaseModel):
    """The document as the program read it."""

    path: str = Field(description="Path given on the command line ('-' for stdin).")
    sha256: str = Field(description="SHA-256 of the text as read (UTF-8).")
    chars: int = Field(description="Length of the text in characters.")
    article_chars: int = Field(description="Characters treated as article body (the rest is excluded).")


class ExcludedRegion(BaseModel):
    """Text that is not article content: reader comments, 'In Other News', navigation."""

    start: int = Field(description="Start offset into the text.")
    end: int = Field(description="End offset into the text.")
    reason: str = Field(description="Why it was excluded.")


class TemplateInfo(BaseModel):
    """A prompt template used for the document."""

    name: str = Field(description="Template file name.")
    sha256: str = Field(description="SHA-256 of the template file.")


class Usage(BaseModel):
    """Token usage, failed attempts included."""

    prompt_tokens: int = Field(default=0, description="Prompt tokens.")
    completion_tokens: int = Field(default=0, description="Completion tokens.")
    total_tokens: int = Field(default=0, description="Total tokens.")

    def add(self, other: Usage) -> Usage:
        """Return the sum of two usages."""
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class Provenance(BaseModel):
    """Where the record came from and what it cost."""

    source: SourceInfo = Field(description="The source document.")
    model: str = Field(description="Model name sent to the endpoint.")
    endpoint_kind: str = Field(description="openai, vllm, ollama, llamacpp, llama-cpp-python or builtin.")
    mode: str = Field(description="instructor mode used for structured output.")
    strategy: Literal["llm", "evidence"] = Field(
        default="llm",
        description="llm: the model extracted the facts and events; evidence: the program read them from the "
        "article's sentences, the model only assisting (see assists).",
    )
    assists: list[str] = Field(
        default_factory=list, description="Model assists used by the evidence strategy (summary, event_type, rank)."
    )
    templates: list[TemplateInfo] = Field(description="Prompt templates and their content hashes.")
    schema_version: str = Field(description="Version of this output schema.")
    schema_sha256: str = Field(description="Hash of the draft schemas sent to the model.")
    usage: Usage = Field(description="Token usage over all calls and attempts.")
    attempts: int = Field(description="Model calls made, re-asks included.")
    reasks: int = Field(description="Re-asks made after invalid or ungrounded output.")
    first_try_valid: bool = Field(
        description="Every call's first answer was schema-valid as sent (a repaired answer is not valid)."
    )
    repairs: int = Field(
        default=0, description="Answers parsed only after repairing near-JSON (control characters, fences)."
    )
    chunks: int = Field(
        default=1,
        description="Chunks the article was read in: 1 when it fit the model's context, more for a long document.",
    )
    started_at: str = Field(description="UTC start time (ISO 8601).")
    finished_at: str = Field(description="UTC finish time (ISO 8601).")


class GroundingStats(BaseModel):
    """How many quotes were found in the article."""

    exact: int = Field(description="Quotes found verbatim.")
    fuzzy: int = Field(description="Quotes found approximately.")
    altered: int = Field(default=0, description="Quotes that align but change a number, outcome, negation or name.")
    unmatched: int = Field(description="Quotes not found in the article body.")


class DroppedClaim(BaseModel):
    """A claim removed from the record: its only support is non-article text, or its own evidence
    does not support it. Nothing is lost: it is kept here with the reason."""

    statement: str = Field(description="The claim as the model stated it.")
    reason: str = Field(description="Why it was removed.")
    support: Support | None = Field(default=None, description="The support verdict, when that is why.")
    evidence: list[Evidence] = Field(default_factory=list, description="The quotes the claim came with.")


class ErrorInfo(BaseModel):
    """Why a document, or one call for it, failed."""

    type: str = Field(description="Error kind, e.g. input_error, truncated_output, provider_error.")
    message: str = Field(description="Human-readable cause.")


class ChunkInfo(BaseModel):
    """A part of a long document, read by calls of its own (see README, Long documents)."""

    index: int = Field(description="Which chunk, from 1.")
    total: int = Field(description="How many chunks the document was read in.")
    start: int = Field(description="Start offset of the chunk into the text as read.")
    end: int = Field(description="End offset (exclusive) of the chunk into the text as read.")


class FailedCall(BaseModel):
    """A call that failed while the record kept the rest: the events call, or a chunk's call of a long
    document (the facts of one chunk only when another chunk's facts were extracted)."""

    part: Literal["facts", "events"] = Field(description="The part of the record that is missing.")
    error: ErrorInfo = Field(description="The typed cause, as in an error record.")
    chunk: ChunkInfo | None = Field(
        default=None, description="The chunk whose part is missing; null when the call read the whole article."
    )


class SummaryRecord(BaseModel):
    """A grounded, structured summary of one article."""

    kind: Literal["summary"] = Field(default="summary", description="Record kind.")
    schema_version: str = Field(default=SCHEMA_VERSION, description="Output schema version.")
    provenance: Provenance = Field(description="Source, model, prompts and usage.")
    headline: str = Field(
        description="The headline; one that is prompt wording, names someone the article does not or states a count"
        " it does not is replaced by the document's title (HTML title, else first line), or '' when it has none."
    )
    dateline: str | None = Field(
        description="Dateline or publication date, only as the document states it (in the article body, or the"
        " page's publication date); null otherwise."
    )
    summary: str = Field(
        description="Short abstractive summary (about 120 words at most), without the sentences that are prompt"
        " wording, name someone the article does not or state a count it does not (each removal is a warning)."
    )
    key_facts: list[KeyFact] = Field(description="Atomic key facts with attribution and evidence.")
    events: list[EventRecord] = Field(description="ACLED-style events.")
    excluded_regions: list[ExcludedRegion] = Field(description="Non-article text never used as a source.")
    dropped_claims: list[DroppedClaim] = Field(
        description="Claims removed: from non-article text, or not supported by their own evidence."
    )
    warnings: list[str] = Field(default_factory=list, description="Parts that could not be produced, and why.")
    grounding: GroundingStats = Field(description="Counts of exact, fuzzy and unmatched evidence.")
    failed_calls: list[FailedCall] = Field(
        default_factory=list,
        description="Calls that failed while the record could still be written (the events call, or one "
        "chunk's call); non-empty means the record is partial (see warnings).",
    )


class ErrorRecord(BaseModel):
    """A document that could not be summarized."""

    kind: Literal["error"] = Field(default="error", description="Record kind.")
    schema_version: str = Field(default=SCHEMA_VERSION, description="Output schema version.")
    source: str = Field(description="Path of the failed document.")
    error: ErrorInfo = Field(description="The cause.")
    usage: Usage = Field(default_factory=Usage, description="Tokens spent before the failure.")


DocumentRecord = Annotated[Union[SummaryRecord, ErrorRecord], Field(discriminator="kind")]
document_record_adapter: TypeAdapter[SummaryRecord | ErrorRecord] = TypeAdapter(DocumentRecord)


def output_json_schema() -> dict[str, Any]:
    """JSON Schema of one output record (summary or error)."""
    schema = document_record_adapter.json_schema()
    schema["title"] = "summarizer document record"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
