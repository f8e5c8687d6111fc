"""Does the matcher agree with an analyst? ``evals/validity/*.yaml`` holds hand-written candidate
outputs and an analyst's verdict for every (candidate, reference fact) and (candidate, negative)
pair; this module scores the matcher against them: agreement, Cohen's kappa, confusion matrices,
and whether every deliberate error lost credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.claims.match import AliasTable, OutputClaim, Reference, check_claim
from summarizer.errors import ConfigError
from summarizer.evals.dataset import Case, load_case

ErrorClass = Literal["number", "date", "person", "swap", "negation", "attribution", "vague", "comment", "navigation"]
#: Targets: agreement and kappa on facts, kappa on negatives.
TARGETS = {"fact_agreement": 0.95, "fact_kappa": 0.9, "negative_kappa": 0.8}


class Candidate(BaseModel):
    """A hand-written candidate output claim and the analyst's verdicts on it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Id within the file.")
    kind: Literal["faithful", "paraphrase", "error"] = Field(description="What the candidate was written as.")
    error: ErrorClass | None = Field(default=None, description="The one deliberate error, for kind=error.")
    target: list[str] = Field(default_factory=list, description="Reference facts the candidate was written about.")
    text: str = Field(description="The candidate statement.")
    attribution: str | None = Field(default=None, description="The attribution field an output would carry.")
    credits: list[str] = Field(default_factory=list, description="Analyst: facts this statement states correctly.")
    fires: list[str] = Field(default_factory=list, description="Analyst: negatives this statement states.")
    note: str | None = Field(default=None, description="Why, for borderline verdicts.")


class ValiditySet(BaseModel):
    """One file of candidates for one case."""

    model_config = ConfigDict(extra="forbid")
    case: str = Field(description="The case file, relative to this file.")
    candidates: list[Candidate] = Field(description="Candidates with verdicts.")


@dataclass
class Agreement:
    """Binary agreement between the analyst (truth) and the matcher over pairs."""

    tp: int = 0  # both credit
    fp: int = 0  # matcher credits, analyst does not
    fn: int = 0  # analyst credits, matcher does not
    tn: int = 0
    disagreements: list[str] = field(default_factory=list)

    def add(self, analyst: bool, matcher: bool, label: str) -> None:
        """Record one pair."""
        if analyst and matcher:
            self.tp += 1
        elif matcher:
            self.fp += 1
        elif analyst:
            self.fn += 1
        else:
            self.tn += 1
        if analyst != matcher:
            self.disagreements.append(f"{'matcher credits' if matcher else 'matcher misses'}: {label}")

    @property
    def n(self) -> int:
        """Pairs judged."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def agreement(self) -> float:
        """Share of pairs where the matcher agrees with the analyst."""
        return (self.tp + self.tn) / self.n if self.n else 1.0

    @property
    def kappa(self) -> float:
        """Cohen's kappa (1 when both label everything the same way and agree)."""
        n = self.n
        if not n:
            return 1.0
        expected = ((self.tp + self.fp) * (self.tp + self.fn) + (self.fn + self.tn) * (self.fp + self.tn)) / n**2
        return 1.0 if expected == 1 else (self.agreement - expected) / (1 - expected)


@dataclass
class ValidityReport:
    """Agreement on facts and negatives, and the deliberate errors that kept credit."""

    facts: Agreement = field(default_factory=Agreement)
    targeted: Agreement = field(default_factory=Agreement)
    negatives: Agreement = field(default_factory=Agreement)
    errors_total: int = 0
    errors_kept_credit: list[str] = field(default_factory=list)
    by_error: dict[str, list[int]] = field(default_factory=dict)
    candidates: int = 0

    def figures(self) -> dict[str, float]:
        """The headline figures, by name."""
        return {
            "fact_agreement": self.facts.agreement,
            "fact_kappa": self.facts.kappa,
            "targeted_fact_agreement": self.targeted.agreement,
            "negative_agreement": self.negatives.agreement,
            "negative_kappa": self.negatives.kappa,
        }

    def misses(self) -> list[str]:
        """Targets missed, one line each (empty when all are met)."""
        figures = self.figures()
        missed = [f"{name} {figures[name]:.3f} < {goal}" for name, goal in TARGETS.items() if figures[name] < goal]
        if self.errors_kept_credit:
            missed.append(f"{len(self.errors_kept_credit)} deliberate errors kept credit")
        return missed


def load_validity(path: Path) -> tuple[ValiditySet, Case]:
    """A validity file and its case."""
    try:
        data = ValiditySet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: invalid validity file: {exc}") from exc
    case = load_case((path.parent / data.case).resolve())
    ids = {f.id for f in case.facts} | {n.id for n in case.negatives}
    for candidate in data.candidates:
        unknown = set(candidate.target + candidate.credits + candidate.fires) - ids
        if unknown:
            raise ConfigError(f"{path}: {candidate.id} names unknown ids {sorted(unknown)}")
    return data, case


def score_validity(paths: list[Path], shared_aliases: list[list[str]]) -> ValidityReport:
    """Score the matcher against the analyst's verdicts in the given validity files."""
    report = ValidityReport()
    for path in paths:
        data, case = load_validity(path)
        aliases = AliasTable.of(shared_aliases, case.aliases)
        facts = [(f.id, Reference(f.elements, aliases, case.year, case.published, f.source)) for f in case.facts]
        negatives = [(n.id, Reference(n.elements, aliases, case.year, case.published)) for n in case.negatives]
        for candidate in data.candidates:
            report.candidates += 1
            claim = OutputClaim(candidate.text, candidate.attribution)
            credited = {fid for fid, ref in facts if check_claim(ref, claim).ok}
            for fid, _ in facts:
                kind = candidate.kind + (f"/{candidate.error}" if candidate.error else "")
                label = f"{case.id} {candidate.id} {fid} ({kind}): {candidate.text}"
                analyst, matcher = fid in candidate.credits, fid in credited
                report.facts.add(analyst, matcher, label)
                if analyst or matcher or fid in candidate.target:
                    report.targeted.add(analyst, matcher, label)
            for nid, ref in negatives:
                label = f"{case.id} {candidate.id} {nid}: {candidate.text}"
                report.negatives.add(nid in candidate.fires, check_claim(ref, claim).ok, label)
            if candidate.kind == "error":
                report.errors_total += 1
                wrong = [t for t in candidate.target if t not in candidate.credits and t in credited]
                counts = report.by_error.setdefault(candidate.error or "other", [0, 0])
                counts[0] += 1
                if wrong:
                    counts[1] += 1
                    report.errors_kept_credit.append(
                        f"{case.id} {candidate.id} ({candidate.error}) credited {wrong}: {candidate.text}"
                    )
    return report
