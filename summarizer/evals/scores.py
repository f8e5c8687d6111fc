"""What scorers return, and the sample they score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from summarizer.claims.match import AliasTable, CheckTable, ElementCheck, OutputClaim, Reference, check_claim
from summarizer.evals.dataset import Case
from summarizer.schema import SummaryRecord


class ItemResult(BaseModel):
    """One scored item (a reference fact, an output fact, an event field ...)."""

    id: str = Field(description="Item id.")
    ok: bool = Field(description="Whether the item earned credit (for negatives: whether it was hit).")
    reason: str = Field(default="", description="Why.")
    group: str | None = Field(default=None, description="Sub-metric the item belongs to, if any.")


class Score(BaseModel):
    """A scorer's verdict on one sample: a pooled ratio with its items."""

    name: str = Field(description="Metric name.")
    numerator: float = Field(description="Units earning credit.")
    denominator: float = Field(description="Units scored.")
    explanation: str = Field(default="", description="One-line summary.")
    items: list[ItemResult] = Field(default_factory=list, description="Per-item results.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Scorer-specific data (e.g. a confusion matrix).")
    higher_is_better: bool = Field(default=True, description="Direction of the metric.")

    @classmethod
    def from_items(cls, name: str, items: list[ItemResult], what: str, higher_is_better: bool = True) -> Score:
        """A ratio of the items that are ok, explained as 'k/n <what>'."""
        hits = sum(item.ok for item in items)
        return cls(name=name, numerator=hits, denominator=len(items), items=items,
                   explanation=f"{hits}/{len(items)} {what}", higher_is_better=higher_is_better)  # fmt: skip

    @property
    def value(self) -> float | None:
        """numerator / denominator, or None when nothing was scored."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class Sample:
    """One document's reference and output, ready to score."""

    case: Case
    output: SummaryRecord | None
    raw_output: dict[str, Any] | None = None
    error: str | None = None
    aliases: AliasTable = field(default_factory=AliasTable)
    _references: dict[str, Reference] = field(default_factory=dict, repr=False, compare=False)
    #: Keyed by (item id, claim text, attribution): a tuple of strings, which the garbage collector
    #: stops tracking (an OutputClaim inside the key would keep every key tracked).
    _checks: dict[tuple[str, str, str | None], ElementCheck] = field(default_factory=dict, repr=False, compare=False)
    #: Equal checks kept once, across the sample's references.
    _distinct: CheckTable = field(default_factory=dict, repr=False, compare=False)

    @property
    def year(self) -> int:
        """Year assumed for dates stated without one."""
        return self.case.year

    def reference(self, item_id: str) -> Reference:
        """The matching reference for one of the case's facts or negatives (by id)."""
        ref = self._references.get(item_id)
        if ref is None:
            ref = self._references[item_id] = self._build_reference(item_id)
        return ref

    def _build_reference(self, item_id: str) -> Reference:
        published = self.case.published
        for fact in self.case.facts:
            if fact.id == item_id:
                return Reference(fact.elements, self.aliases, self.year, published, fact.source, checks=self._distinct)
        negative = next((n for n in self.case.negatives if n.id == item_id), None)
        if negative is None:
            raise KeyError(f"case {self.case.id} has no fact or negative {item_id!r}")
        return Reference(negative.elements, self.aliases, self.year, published, checks=self._distinct)

    def check(self, item_id: str, claim: OutputClaim) -> ElementCheck:
        """:func:`check_claim` of one reference item against one output claim, computed once per sample
        (every scorer reads the same verdicts)."""
        key = (item_id, claim.text, claim.attribution)
        found = self._checks.get(key)
        if found is None:
            found = self._checks[key] = check_claim(self.reference(item_id), claim)
        return found
