"""Stage 4a: validate. The re-ask loop: an answer that is schema-invalid, or whose quotes are
not in the article (or altered), is sent back with precise feedback, at most ``max_reasks``
times and within a cumulative token budget. Stage 4b, grounding the drafts into records, is
:mod:`summarizer.verify`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from summarizer.budget import RunBudget
from summarizer.call import ModelClient
from summarizer.drafts import EventsDraft, FactsDraft
from summarizer.errors import BudgetExceeded, InvalidOutput, ModelError
from summarizer.ground import ground_quotes
from summarizer.load import Document
from summarizer.prompt import Template, render_reask
from summarizer.schema import MatchKind, Usage

DraftT = TypeVar("DraftT", bound=BaseModel)
MAX_FEEDBACK_QUOTES = 6


@dataclass
class TokenBudget:
    """A cumulative token budget shared by every call for one document."""

    limit: int | None
    used: Usage = field(default_factory=Usage)
    #: The run's budget, shared with the other documents (None: no run limit).
    run: RunBudget | None = None

    def spend(self, usage: Usage) -> None:
        """Record tokens spent."""
        self.used = self.used.add(usage)

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        """Admission for one model call under the run's budget (BudgetExceeded once it is spent)."""
        if self.run is None:
            yield
            return
        async with self.run.call():
            yield

    async def charge(self, usage: Usage) -> None:
        """Record a call's tokens here and in the run's budget."""
        self.spend(usage)
        if self.run is not None:
            await self.run.spend(usage.total_tokens)

    @property
    def exhausted(self) -> bool:
        """True once the spent tokens reach the limit."""
        return self.limit is not None and self.used.total_tokens >= self.limit


@dataclass
class ExtractionOutcome(Generic[DraftT]):
    """The accepted draft of one extraction and what it took."""

    draft: DraftT
    attempts: int
    first_try_valid: bool
    repairs: int = 0


@dataclass(frozen=True)
class CallSettings:
    """Sampling and re-ask settings for each call."""

    max_tokens: int = 2048
    temperature: float = 0.0
    max_reasks: int = 2


def quotes_in_facts(draft: FactsDraft) -> list[str]:
    """Every quote a facts draft relies on."""
    return [fact.quote for fact in draft.key_facts]


def quotes_in_events(draft: EventsDraft) -> list[str]:
    """Every quote an events draft relies on."""
    quotes: list[str] = []
    for event in draft.events:
        quotes.append(event.quote)
        quotes.extend(claim.quote for claim in event.casualties)
    return quotes


def grounding_problems(quotes: Sequence[str], doc: Document) -> list[str]:
    """Feedback lines for quotes that are not in the article body."""
    found = ground_quotes(quotes, doc.text, region=(doc.article_start, doc.article_end))
    problems = []
    for q, evidence in zip(quotes, found, strict=True):
        if evidence.match is MatchKind.unmatched:
            problems.append(f'this quote is not in the article, copy a real sentence instead: "{q[:160]}"')
        elif evidence.match is MatchKind.altered:
            changed = ", ".join(evidence.altered)
            problems.append(f'this quote changes the article\'s words ({changed}); copy it exactly: "{q[:160]}"')
    if len(problems) > MAX_FEEDBACK_QUOTES:
        extra = len(problems) - MAX_FEEDBACK_QUOTES
        problems = [*problems[:MAX_FEEDBACK_QUOTES], f"and {extra} more quotes not found in the article"]
    return problems


async def extract_with_reasks(
    client: ModelClient,
    response_model: type[DraftT],
    messages: list[dict[str, str]],
    *,
    doc: Document,
    quotes_of: Callable[[DraftT], list[str]],
    reask_template: Template,
    template_tag: str,
    schema_tag: str,
    settings: CallSettings,
    budget: TokenBudget,
    claim_problems: Callable[[DraftT], list[str]] | None = None,
) -> ExtractionOutcome[DraftT]:
    """Call the model, re-asking on invalid or ungrounded answers; keep the best valid draft.

    ``claim_problems`` (claims their own quotes do not support) is asked once, after the first
    answer whose quotes are all in the article: one re-ask with the exact reasons."""
    conversation = list(messages)
    best: DraftT | None = None
    first_try_valid = True
    problems: list[str] = []
    attempts = repairs = 0
    asked_claims = False
    for attempt in range(1, settings.max_reasks + 2):
        attempts = attempt
        async with budget.call():
            try:
                result = await client.attempt(
                    response_model,
                    conversation,
                    max_tokens=settings.max_tokens,
                    temperature=settings.temperature,
                    template_tag=template_tag,
                    schema_tag=schema_tag,
                )
            except ModelError as exc:  # the failed attempt still counts, and so do its tokens
                exc.attempts = attempt
                if exc.usage is not None:
                    await budget.charge(exc.usage)
                raise
            await budget.charge(result.usage)
        repairs += result.repaired
        if result.parsed is None or (attempt == 1 and result.repaired):
            first_try_valid = first_try_valid and attempt > 1
        if result.parsed is None:
            problems = result.problems
        else:
            best = result.parsed
            problems = grounding_problems(quotes_of(result.parsed), doc)
            if not problems and claim_problems is not None and not asked_claims:
                problems, asked_claims = claim_problems(result.parsed), True
            if not problems:
                break
        if attempt > settings.max_reasks or budget.exhausted:
            break
        conversation += [
            {"role": "assistant", "content": result.raw_content},
            {"role": "user", "content": render_reask(reask_template, problems)},
        ]
    if best is None:
        if budget.exhausted:
            raise BudgetExceeded(
                f"token budget of {budget.limit} spent ({budget.used.total_tokens}) before a valid answer", attempts
            )
        raise InvalidOutput(f"output invalid after {attempts} attempts: " + "; ".join(problems[:4]), attempts)
    return ExtractionOutcome(draft=best, attempts=attempts, first_try_valid=first_try_valid, repairs=repairs)
