"""Eval cases as data: one YAML file per document, validated by these models.

``summarizer eval schema`` (and ``evals/schema/case.schema.json``) is their JSON Schema,
which editors use through the ``$schema`` line at the top of each YAML file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.claims.elements import DateElement, DatePrecision, Elements, NumberElement, PeriodElement
from summarizer.claims.vocabulary import Outcome
from summarizer.errors import ConfigError

__all__ = [
    "Case",
    "DateElement",
    "DatePrecision",
    "Elements",
    "EvalConfig",
    "NegativeFact",
    "NumberElement",
    "Outcome",
    "PeriodElement",
    "ReferenceFact",
]

CountedGroup = Literal["militants", "civilians", "security_forces", "unknown"]

_strict = ConfigDict(extra="forbid")


class ReferenceFact(BaseModel):
    """One atomic claim an analyst would extract."""

    model_config = _strict
    id: str = Field(description="Stable id within the case, e.g. 'f01'.")
    statement: str = Field(description="The claim in plain words (for people; scoring uses elements).")
    attribution: str = Field(description="Who makes the claim, e.g. 'NDS', 'a U.S. official', 'the article'.")
    source: str | list[str] | None = Field(
        default=None,
        description="The source (or sources) the claim is attributed to, as names aliases apply to; an output that "
        "attributes the claim to another named source gets no credit. Null when the article asserts it itself.",
    )
    importance: Literal["key", "detail"] = Field(
        description="key: an analyst would expect it in any summary (scored by key_fact_recall); detail: the rest."
    )
    elements: Elements = Field(description="Required elements for a match.")


class NegativeFact(BaseModel):
    """A claim that must not appear in the output."""

    model_config = _strict
    id: str = Field(description="Stable id within the case, e.g. 'n01'.")
    statement: str = Field(description="The wrong claim, in plain words.")
    why: str = Field(description="Why it is wrong: reader comment, wrong date, killed/captured swap ...")
    elements: Elements = Field(description="Elements whose joint presence makes an output claim a hit.")


class ReferenceLocation(BaseModel):
    """Where a reference event happened."""

    model_config = _strict
    country: str | None = Field(default=None, description="Country.")
    admin1: str | None = Field(default=None, description="Province.")
    admin2: str | None = Field(default=None, description="District.")
    place: str | None = Field(default=None, description="Village, town or site.")


class ReferenceDate(BaseModel):
    """A reference event date with its precision."""

    model_config = _strict
    start: dt.date = Field(description="First day.")
    end: dt.date | None = Field(default=None, description="Last day (defaults to start).")
    precision: DatePrecision = Field(description="Precision of the date.")


class ReferenceCasualty(BaseModel):
    """A count claimed by one source."""

    model_config = _strict
    group: CountedGroup = Field(description="Who was counted.")
    outcome: Outcome = Field(description="killed, captured or injured.")
    low: int = Field(description="Low count.")
    best: int = Field(description="Best count.")
    high: int = Field(description="High count.")
    claimed_by: str = Field(description="The source; aliases apply.")


class ReferencePerson(BaseModel):
    """A named person and what happened to them."""

    model_config = _strict
    name: str = Field(description="Name; aliases apply.")
    outcome: Literal["killed", "captured", "injured", "targeted", "none"] = Field(description="Outcome.")


class ReferenceEvent(BaseModel):
    """One event the article reports."""

    model_config = _strict
    id: str = Field(description="Stable id within the case, e.g. 'e1'.")
    description: str = Field(description="What happened, for people reading the case.")
    event_type: str = Field(description="ACLED event type.")
    sub_event_type: str = Field(description="ACLED sub-event type.")
    date: ReferenceDate = Field(description="Date with precision.")
    location: ReferenceLocation = Field(description="Location along the admin hierarchy.")
    actors: list[str] = Field(default_factory=list, description="Actors; aliases apply.")
    persons: list[ReferencePerson] = Field(default_factory=list, description="Named persons.")
    casualties: list[ReferenceCasualty] = Field(default_factory=list, description="Counts per source.")


class Case(BaseModel):
    """The reference for one document."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    schema_ref: str | None = Field(default=None, alias="$schema", description="Path of this file's JSON Schema.")
    id: str = Field(description="Case id (the document's file stem).")
    document: str = Field(description="Path of the document, relative to this file.")
    year: int = Field(description="Year the article was published; dates without a year fall in it.")
    published: dt.date | None = Field(
        default=None, description="Publication date, when known: relative dates ('Tuesday') resolve against it."
    )
    optional: bool = Field(
        default=False,
        description="The document lives outside the project (e.g. ../shared/real-news); skip the case when absent.",
    )
    article_ends: str | None = Field(
        default=None,
        description="Opening words of the first line that is not article text (a comment heading, a link list) "
        "in a plain-text document; the reference self-checks read the article up to it.",
    )
    aliases: list[list[str]] = Field(
        default_factory=list, description="Groups of names that mean the same thing in this article."
    )
    facts: list[ReferenceFact] = Field(description="Reference facts.")
    events: list[ReferenceEvent] = Field(default_factory=list, description="Reference events.")
    negatives: list[NegativeFact] = Field(default_factory=list, description="Claims that must not appear.")

    def document_path(self, case_file: Path) -> Path:
        """The document's path, resolved against the case file."""
        return (case_file.parent / self.document).resolve()


class EvalConfig(BaseModel):
    """evals/config.yaml: which cases, global aliases, where cassettes live."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    schema_ref: str | None = Field(default=None, alias="$schema", description="Path of this file's JSON Schema.")
    cases: list[str] = Field(description="Case files, relative to the config.")
    cassettes: str = Field(description="Directory of per-case cassettes, relative to the config.")
    aliases: list[list[str]] = Field(default_factory=list, description="Alias groups shared by all cases.")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def load_case(path: Path) -> Case:
    """Read and validate one case file."""
    try:
        return Case.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid case: {exc}") from exc


def load_config(path: Path) -> EvalConfig:
    """Read and validate the eval config."""
    try:
        return EvalConfig.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid eval config: {exc}") from exc


def case_json_schema() -> dict[str, Any]:
    """JSON Schema of a case file."""
    schema = Case.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def config_json_schema() -> dict[str, Any]:
    """JSON Schema of the eval config file."""
    schema = EvalConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
