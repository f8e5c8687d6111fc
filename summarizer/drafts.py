"""The drafts the model fills in: short, every field required, no offsets.

The program turns them into records (:mod:`summarizer.schema`) after grounding every
quote itself.  Like the schema, this module imports nothing else from the package.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache, lru_cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer.schema import (
    ActorRole,
    CountedGroup,
    DatePrecision,
    FactStatus,
    LocationPrecision,
    Outcome,
    PersonOutcome,
    SubEventType,
)

_draft_config = ConfigDict(extra="forbid")


@lru_cache(maxsize=512)
def _schema_text(model: type[BaseModel], options: str) -> str:
    """One model's JSON Schema, generated once per model and options (bounded: models are per document)."""
    return json.dumps(BaseModel.model_json_schema.__func__(model, **json.loads(options)))  # type: ignore[attr-defined]


class CachedSchema(BaseModel):
    """A model whose JSON Schema is generated once: pydantic regenerates it on every call, and every
    model call asks for it (instructor's request, the grammar, the schema hashes)."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        """The JSON Schema, a fresh copy of the cached one (callers may change it)."""
        if args or any(not isinstance(v, str | bool | None) for v in kwargs.values()):
            return super().model_json_schema(*args, **kwargs)  # a custom generator: not cached
        return dict(json.loads(_schema_text(cls, json.dumps(kwargs, sort_keys=True))))


class DraftFact(BaseModel):
    """One atomic claim as the model states it."""

    model_config = _draft_config
    statement: str = Field(description="One atomic claim, in your own words.", max_length=240)
    attribution: str = Field(
        description="Who says so, e.g. 'NDS', 'a U.S. official', 'UN report'; 'the article' if nobody is cited.",
        max_length=80,
    )
    status: FactStatus = Field(description="confirmed, claimed, reported or denied by that source.")
    quote: str = Field(description="A sentence copied word for word from the article.", max_length=300)


class FactsDraft(CachedSchema):
    """Headline, summary and key facts of one article."""

    model_config = _draft_config
    headline: str = Field(description="The article's headline, or a short title if it has none.", max_length=200)
    dateline: str | None = Field(description="Place or date line as printed, if any.", max_length=120)
    summary: str = Field(description="What happened, in at most 120 words.", max_length=900)
    key_facts: list[DraftFact] = Field(description="The article's key claims.", min_length=1, max_length=8)


class DraftActor(BaseModel):
    """An actor in an event."""

    model_config = _draft_config
    name: str = Field(description="Actor name, e.g. 'Afghan forces', 'AQIS'.", max_length=80)
    role: ActorRole = Field(description="initiator, target or associated.")


class DraftPerson(BaseModel):
    """A named person involved in an event."""

    model_config = _draft_config
    name: str = Field(description="The person's name as written.", max_length=80)
    role: str = Field(description="e.g. 'leader of AQIS'.", max_length=80)
    outcome: PersonOutcome = Field(description="What happened to the person.")


class DraftCasualty(BaseModel):
    """One source's count of people killed, captured or injured."""

    model_config = _draft_config
    group: CountedGroup = Field(description="Who was counted.")
    outcome: Outcome = Field(description="killed, captured or injured.")
    low: int | None = Field(description="Lowest count stated.", ge=0)
    best: int | None = Field(description="The count stated.", ge=0)
    high: int | None = Field(description="Highest count stated.", ge=0)
    claimed_by: str = Field(description="Who gives this number.", max_length=80)
    quote: str = Field(description="Sentence with the number, word for word.", max_length=300)


class DraftEvent(BaseModel):
    """One event, in the style of an ACLED record."""

    model_config = _draft_config
    sub_event_type: SubEventType = Field(description="ACLED sub-event type.")
    date_start: dt.date | None = Field(description="First day, YYYY-MM-DD.")
    date_end: dt.date | None = Field(description="Last day, YYYY-MM-DD; same as date_start for one day.")
    date_precision: DatePrecision = Field(description="How precise the date is.")
    country: str | None = Field(description="Country.", max_length=60)
    admin1: str | None = Field(description="Province or state.", max_length=60)
    admin2: str | None = Field(description="District.", max_length=60)
    place: str | None = Field(description="Village, town or site.", max_length=80)
    location_precision: LocationPrecision = Field(description="Most precise level known.")
    actors: list[DraftActor] = Field(description="Who did what to whom.", max_length=4)
    persons: list[DraftPerson] = Field(description="Named people involved.", max_length=4)
    casualties: list[DraftCasualty] = Field(description="Counts per source.", max_length=4)
    sources: list[str] = Field(description="Who reports the event.", max_length=4)
    conflicting_reports: str | None = Field(description="Where sources disagree.", max_length=300)
    quote: str = Field(description="Sentence describing the event, word for word.", max_length=300)


class EventsDraft(CachedSchema):
    """The events an article reports."""

    model_config = _draft_config
    events: list[DraftEvent] = Field(description="Each distinct event.", max_length=3)


def drafts_with_quote_choices(choices: list[str]) -> tuple[type[FactsDraft], type[EventsDraft]]:
    """Draft models whose quote fields must be one of ``choices`` (the article's sentences).

    With schema-constrained decoding this makes every quote verbatim by construction;
    the models subclass the static drafts, so everything else stays the same.
    """
    quote_type: Any = Literal[tuple(choices)]  # type: ignore[valid-type]
    description = "A sentence of the article, copied exactly."
    fact = create_model("DraftFact", __base__=DraftFact, quote=(quote_type, Field(description=description)))
    casualty = create_model(
        "DraftCasualty", __base__=DraftCasualty, quote=(quote_type, Field(description="Sentence with the number."))
    )
    event = create_model(
        "DraftEvent",
        __base__=DraftEvent,
        quote=(quote_type, Field(description=description)),
        casualties=(list[casualty], Field(description="Counts per source.", max_length=4)),  # type: ignore[valid-type]
    )
    facts = create_model(
        "FactsDraft",
        __base__=FactsDraft,
        key_facts=(list[fact], Field(description="The article's key claims.", min_length=1, max_length=8)),  # type: ignore[valid-type]
    )
    events = create_model(
        "EventsDraft",
        __base__=EventsDraft,
        events=(list[event], Field(description="Each distinct event.", max_length=3)),  # type: ignore[valid-type]
    )
    return facts, events


def quote_choice(sentence: str) -> str:
    """A sentence as offered among the grammar's quote choices (ASCII '"' made typographic)."""
    return sentence.replace('"', "\u201d")


DraftModelT = TypeVar("DraftModelT", FactsDraft, EventsDraft)


def restore_quotes(draft: DraftModelT, restore: dict[str, str]) -> DraftModelT:
    """The draft with each chosen quote mapped back to the article's own sentence."""
    if not restore:
        return draft
    if isinstance(draft, FactsDraft):
        facts = [f.model_copy(update={"quote": restore.get(f.quote, f.quote)}) for f in draft.key_facts]
        return draft.model_copy(update={"key_facts": facts})
    events = []
    for event in draft.events:
        casualties = [c.model_copy(update={"quote": restore.get(c.quote, c.quote)}) for c in event.casualties]
        events.append(
            event.model_copy(update={"quote": restore.get(event.quote, event.quote), "casualties": casualties})
        )
    return draft.model_copy(update={"events": events})


@lru_cache(maxsize=64)
def model_schema_sha256(model: type[BaseModel]) -> str:
    """Hash of one model's JSON Schema."""
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()


@cache
def draft_schema_sha256() -> str:
    """Hash of the draft schemas the model fills in; changes when they change."""
    blob = json.dumps([FactsDraft.model_json_schema(), EventsDraft.model_json_schema()], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()
