"""What a claim must state to match: the elements a reference fact lists, or the ones read from
an output statement to check it against its own evidence (data only; the rules are in
:mod:`summarizer.claims.match`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.claims.vocabulary import Outcome

DatePrecision = Literal["day", "week", "month", "year"]

_strict = ConfigDict(extra="forbid")


class DateElement(BaseModel):
    """A date that must be stated, within its precision (month precision: any day of that month)."""

    model_config = _strict
    value: dt.date = Field(description="The date; for month or year precision any day inside it.")
    precision: DatePrecision = Field(default="day", description="How exactly the output must match it.")


class NumberElement(BaseModel):
    """A count that must be stated. The stated value (or open bound) must lie inside [low, high];
    a vague word ('several', 'dozens') never matches an exact count."""

    model_config = _strict
    low: float = Field(description="Lowest acceptable value.")
    high: float | None = Field(description="Highest acceptable value; null for no upper bound ('more than 100').")


class PeriodElement(BaseModel):
    """When the claim happened. A date is not required, but a stated date outside the period
    contradicts the claim ('killed in May 2016' for a raid in late 2017)."""

    model_config = _strict
    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day of the period.")


class Elements(BaseModel):
    """What must be present for an output claim to match. Every listed element must match."""

    model_config = _strict
    entities: list[str] = Field(default_factory=list, description="People, groups or bodies; aliases apply.")
    numbers: list[NumberElement] = Field(default_factory=list, description="Numbers that must be stated.")
    dates: list[DateElement] = Field(default_factory=list, description="Dates that must be stated.")
    places: list[str] = Field(default_factory=list, description="Places that must be named; aliases apply.")
    period: PeriodElement | None = Field(
        default=None, description="When it happened: no date need be stated, but none may fall outside it."
    )
    outcome: Outcome | None = Field(
        default=None,
        description="killed / captured / injured, when the claim has one. It must be stated affirmatively and, "
        "with numbers, bound to the count; otherwise bound to `subject` when one is given.",
    )
    subject: str | None = Field(
        default=None, description="The entity the outcome happens to ('Asim Omar' for 'a raid killed Asim Omar')."
    )
    negated: bool = Field(
        default=False,
        description="The claim is itself a negation ('provided no other details'); the output must negate it too.",
    )
    keywords: list[str] = Field(
        default_factory=list,
        description="Other words that must appear, as whole words or lemmas; 'a|b' accepts either.",
    )
