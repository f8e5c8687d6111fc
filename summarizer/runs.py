"""What the documents of one run share: its limits (deadlines, token budget, what is done), the
resume key of a finished document, and the record written for a failed one."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.budget import RunBudget
from summarizer.errors import BudgetExceeded, DeadlineExceeded, SummarizerError
from summarizer.redact import redact
from summarizer.schema import ErrorInfo, ErrorRecord, SummaryRecord, TemplateInfo, Usage


def resume_key(text_sha256: str, templates: Sequence[TemplateInfo], schema_sha256: str, model: str,
               strategy: str = "llm") -> str:  # fmt: skip
    """Hash of what makes a summary reusable: document, prompts, schema, model and strategy."""
    parts = [text_sha256, *(f"{t.name}@{t.sha256}" for t in sorted(templates, key=lambda t: t.name)), schema_sha256,
             model, *([strategy] if strategy != "llm" else [])]  # fmt: skip
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def record_resume_key(record: SummaryRecord) -> str:
    """The resume key of a finished record."""
    prov = record.provenance
    return resume_key(prov.source.sha256, prov.templates, prov.schema_sha256, prov.model, prov.strategy)


@dataclass
class RunLimits:
    """Per-run limits shared by every document: deadlines, a token budget, and what is done."""

    deadline_s: float | None = None
    doc_timeout_s: float | None = None
    run_token_budget: int | None = None
    done: frozenset[str] = frozenset()
    started: float = field(default_factory=time.monotonic)
    used: Usage = field(default_factory=Usage)
    #: Enforced per model call, across the documents in flight (see :mod:`summarizer.budget`).
    budget: RunBudget | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.run_token_budget is not None:
            self.budget = RunBudget(self.run_token_budget)

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def time_left(self) -> float | None:
        """Seconds this document may take: the smaller of its timeout and the run's remaining time."""
        limits = [self.doc_timeout_s] if self.doc_timeout_s is not None else []
        if self.deadline_s is not None:
            limits.append(max(0.0, self.deadline_s - self.elapsed()))
        return min(limits) if limits else None

    def check_before(self, source: str) -> None:
        """Refuse to start a document once the run's deadline or token budget is spent."""
        if self.deadline_s is not None and self.elapsed() >= self.deadline_s:
            raise DeadlineExceeded(f"run deadline of {self.deadline_s:g}s passed before {source} started")
        if self.budget is not None and self.budget.spent:
            raise BudgetExceeded(f"run token budget of {self.run_token_budget} spent before {source} started")

    def spend(self, usage: Usage) -> None:
        """Add a document's tokens to the run total."""
        self.used = self.used.add(usage)


def error_record(source: str, exc: SummarizerError, usage: Usage | None = None) -> ErrorRecord:
    """The record written for a document that failed."""
    message = redact(str(exc))
    return ErrorRecord(source=source, error=ErrorInfo(type=exc.kind, message=message), usage=usage or Usage())
