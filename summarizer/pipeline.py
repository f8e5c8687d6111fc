"""The pipeline: load -> render prompt -> call model -> validate and ground -> record.

Data flows one way.  A failing document becomes an :class:`ErrorRecord` naming the
cause; the other documents of the batch still complete.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from summarizer.assist import ASSISTS, BRIEF_TEMPLATE, DEFAULT_ASSISTS, EVENT_TYPE_TEMPLATE, RANK_TEMPLATE
from summarizer.call import ModelClient
from summarizer.chunking import ChunkPlan, ContextBudget, TokenCounter, plan_chunks
from summarizer.drafts import (
    EventsDraft,
    FactsDraft,
    draft_schema_sha256,
    drafts_with_quote_choices,
    model_schema_sha256,
    quote_choice,
    restore_quotes,
)
from summarizer.errors import DeadlineExceeded, ModelError, SummarizerError
from summarizer.evidence_run import summarize_evidence
from summarizer.free_text import FreeTextCheck
from summarizer.ground import split_sentences
from summarizer.load import DEFAULT_MAX_BYTES, Document, load_document
from summarizer.long_document import Drafts, call_context, extract_in_chunks, failed_call
from summarizer.prompt import (
    REASK_TEMPLATE,
    SYSTEM_TEMPLATE,
    Template,
    instruction_text,
    load_template,
    render_messages,
    template_tag,
)
from summarizer.runs import RunLimits, error_record, resume_key
from summarizer.schema import (
    SCHEMA_VERSION,
    ErrorRecord,
    EventRecord,
    Provenance,
    SourceInfo,
    SummaryRecord,
)
from summarizer.validate import (
    CallSettings,
    ExtractionOutcome,
    TokenBudget,
    extract_with_reasks,
    quotes_in_events,
    quotes_in_facts,
)
from summarizer.verify import Grounder, build_events, build_key_facts, support_problems

logger = logging.getLogger(__name__)

FACTS_TEMPLATE = "facts.md.j2"
EVENTS_TEMPLATE = "events.md.j2"
DocumentRecordT = SummaryRecord | ErrorRecord


@dataclass(frozen=True)
class PipelineSettings:
    """Everything that shapes a run besides the endpoint."""

    call: CallSettings = field(default_factory=CallSettings)
    token_budget: int | None = 60_000
    max_bytes: int = DEFAULT_MAX_BYTES
    prompts_dir: Path | None = None
    extract_events: bool = True
    #: Constrain quotes to the article's sentences: None = when the endpoint decodes with a grammar.
    quote_choices: bool | None = None
    #: Re-ask once when a fact's own quote does not support it: None = unless the endpoint is the
    #: built-in model, which cannot use such feedback (its unsupported facts are simply dropped).
    support_reask: bool | None = None
    #: llm: the model extracts facts and events; evidence: the program reads them from the article's
    #: sentences and the model only assists; auto: evidence for the built-in model or a small one.
    strategy: Literal["llm", "evidence", "auto"] = "auto"
    #: The endpoint serves a small model (auto picks the evidence strategy for it).
    small_model: bool = False
    #: Model assists of the evidence strategy (see :mod:`summarizer.assist`); None = the defaults.
    assists: frozenset[str] | None = None
    #: Publication date for relative dates (ISO date or year); None = from the page or a byline.
    published: str | None = None
    #: The model's context window in tokens, for reading a long article in chunks; None = the built-in
    #: model's (its server's n_ctx), and for any other endpoint no chunking (the server's own limit applies).
    context_tokens: int | None = None

    @property
    def active_assists(self) -> frozenset[str]:
        """The assists asked for, else the defaults."""
        return DEFAULT_ASSISTS if self.assists is None else self.assists


def resolve_strategy(settings: PipelineSettings, endpoint_kind: str) -> Literal["llm", "evidence"]:
    """The strategy a run uses: ``auto`` is evidence for the built-in model or a small one, else llm."""
    if settings.strategy != "auto":
        return settings.strategy
    return "evidence" if settings.small_model or endpoint_kind == "builtin" else "llm"


def calls_model(settings: PipelineSettings, endpoint_kind: str) -> bool:
    """Whether a run makes model calls: the llm strategy does, the evidence strategy only for its assists."""
    if resolve_strategy(settings, endpoint_kind) == "llm":
        return True
    return bool(settings.active_assists)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def load_source(source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load a path, or standard input for '-' (both under the same size cap)."""
    return load_document(source, max_bytes=max_bytes)


class Pipeline:
    """Summarizes documents with one model client."""

    def __init__(self, client: ModelClient, settings: PipelineSettings | None = None) -> None:
        self.client = client
        self.settings = settings or PipelineSettings()
        directory = self.settings.prompts_dir
        self.system = load_template(SYSTEM_TEMPLATE, directory)
        self.facts = load_template(FACTS_TEMPLATE, directory)
        self.events = load_template(EVENTS_TEMPLATE, directory)
        self.reask = load_template(REASK_TEMPLATE, directory)
        self.instructions = instruction_text(self.system, self.facts, self.events, self.reask)
        self.strategy = resolve_strategy(self.settings, client.endpoint.kind)
        self.assists = self.settings.active_assists
        self.assist_templates = {"summary": load_template(BRIEF_TEMPLATE, directory),
                                 "event_type": load_template(EVENT_TYPE_TEMPLATE, directory),
                                 "rank": load_template(RANK_TEMPLATE, directory)}  # fmt: skip
        self.count_tokens, self.context = self._context()

    def _context(self) -> tuple[TokenCounter, ContextBudget | None]:
        """How tokens are counted for this endpoint, and one call's budget (None: no chunking)."""
        events = self.settings.extract_events
        tasks = [self.facts, self.events] if events else [self.facts]
        return call_context(self.client.endpoint, self.settings.context_tokens, evidence=self.strategy == "evidence",
                            system=self.system, tasks=tasks, reask=self.reask, call=self.settings.call,
                            quote_choices=self.settings.quote_choices,
                            schemas=[FactsDraft, EventsDraft] if events else [FactsDraft])  # fmt: skip

    @property
    def templates(self) -> list[Template]:
        """Templates used for every document."""
        if self.strategy == "evidence":
            used = [self.assist_templates[name] for name in ASSISTS if name in self.assists]
            return [self.system, *used, self.reask] if used else []
        used = [self.system, self.facts, self.reask]
        return [*used, self.events] if self.settings.extract_events else used

    def _draft_models(self, doc: Document) -> tuple[type[FactsDraft], type[EventsDraft], dict[str, str]]:
        """The draft models, and the quote choices mapped back to the article's own sentences."""
        use_choices = self.settings.quote_choices
        if use_choices is None:
            use_choices = self.client.endpoint.constrains_decoding
        if not use_choices:
            return FactsDraft, EventsDraft, {}
        # llama-cpp-python's schema-to-grammar converter escapes '"' but not the backslash JSON puts
        # before it, so a choice holding '"' breaks the grammar. It is offered with typographic
        # quotes instead and mapped back to the article's sentence; sentences holding '\' are left out.
        restore: dict[str, str] = {}
        for sentence in split_sentences(doc.article_text):
            if "\\" not in sentence:
                restore.setdefault(quote_choice(sentence), sentence)
        if not restore:
            return FactsDraft, EventsDraft, {}
        return (*drafts_with_quote_choices(list(restore)), restore)

    async def summarize(self, doc: Document, budget: TokenBudget | None = None) -> SummaryRecord:
        """Summarize one loaded document; raises a SummarizerError on failure."""
        started = _now()
        budget = budget or TokenBudget(self.settings.token_budget)
        if self.settings.published:
            doc = replace(doc, published=self.settings.published)
        if self.strategy == "evidence":  # reads the whole article without a model: no chunks
            return await summarize_evidence(self, doc, budget, started)
        plan = self.chunk_plan(doc)
        if plan is None:
            drafts = await self.extract(doc, budget)
            if drafts.facts_error is not None:
                raise drafts.facts_error
        else:
            drafts = await extract_in_chunks(doc, plan, lambda chunk: self.extract(chunk, budget))
        return self.record(doc, budget, drafts, started)

    def chunk_plan(self, doc: Document) -> ChunkPlan | None:
        """The chunks of an article that does not fit one call's budget; None when it fits (or no context is known)."""
        if self.context is None or self.count_tokens(doc.article_text) <= self.context.article:
            return None
        region = (doc.article_start, doc.article_end)
        plan = plan_chunks(doc.text, self.context.article, self.count_tokens, region=region)
        logger.info("%s: %d chunks (%s)", doc.path, len(plan.chunks), self.context.describe())
        return plan

    async def extract(self, doc: Document, budget: TokenBudget) -> Drafts:
        """The facts and events drafts for one text (an article, or a chunk of one), quotes restored.

        A failed facts call is returned as ``facts_error``; the caller decides what it costs."""
        common = {
            "doc": doc,
            "reask_template": self.reask,
            "settings": self.settings.call,
            "budget": budget,
        }
        facts_model, events_model, restore = self._draft_models(doc)
        support_reask = self.settings.support_reask
        if support_reask is None:
            support_reask = self.client.endpoint.kind != "builtin"
        facts_call = extract_with_reasks(
            self.client,
            facts_model,
            render_messages(self.facts, self.system, doc.article_text),
            quotes_of=quotes_in_facts,
            template_tag=template_tag(self.system, self.facts, self.reask),
            schema_tag=f"FactsDraft@{model_schema_sha256(FactsDraft)[:16]}",
            claim_problems=(lambda draft: support_problems(restore_quotes(draft, restore), doc))
            if support_reask
            else None,
            **common,  # type: ignore[arg-type]
        )
        events_call = (
            extract_with_reasks(
                self.client,
                events_model,
                render_messages(self.events, self.system, doc.article_text),
                quotes_of=quotes_in_events,
                template_tag=template_tag(self.system, self.events, self.reask),
                schema_tag=f"EventsDraft@{model_schema_sha256(EventsDraft)[:16]}",
                **common,  # type: ignore[arg-type]
            )
            if self.settings.extract_events
            else None
        )
        # Both calls need only the article, so they run at once (each with its own re-asks, under
        # the document's shared budget). Both are awaited to the end: a failed facts call fails the
        # document only after the events call has finished, and a deadline cancels both.
        facts_result, events_result = await asyncio.gather(
            facts_call, events_call or _nothing(), return_exceptions=True
        )
        drafts = Drafts(facts=None)
        if isinstance(facts_result, ModelError):
            drafts.facts_error = facts_result
            drafts.failed_attempts.append(facts_result.attempts)
        elif isinstance(facts_result, BaseException):
            raise facts_result
        else:
            drafts.facts = restore_quotes(facts_result.draft, restore)
            drafts.outcomes.append(facts_result)
        if isinstance(events_result, ModelError):
            # Truncated, invalid, refused, over budget or a provider failure: the facts are
            # still worth writing, so the record is partial and says what is missing.
            entry, warning = failed_call("events", events_result)
            drafts.failed.append(entry)
            drafts.warnings.append(warning)
            drafts.failed_attempts.append(events_result.attempts)
        elif isinstance(events_result, BaseException):
            raise events_result
        elif events_result is not None:
            drafts.outcomes.append(events_result)
            drafts.events = restore_quotes(events_result.draft, restore)
        return drafts

    def record(self, doc: Document, budget: TokenBudget, drafts: Drafts, started: str) -> SummaryRecord:
        """Ground and verify the drafts against the whole document, and write its record."""
        assert drafts.facts is not None
        grounder = Grounder(doc)
        key_facts, dropped = build_key_facts(drafts.facts, grounder)
        events_out: list[EventRecord] = []
        if drafts.events is not None:
            events_out, dropped_events = build_events(drafts.events, grounder, drafts.event_quotes)
            dropped += dropped_events
        warnings = drafts.warnings + grounder.notes()
        free_text = FreeTextCheck(doc, self.instructions)
        headline = free_text.headline(drafts.facts.headline)
        dateline = free_text.dateline(drafts.facts.dateline)
        summary = free_text.summary(drafts.facts.summary)
        warnings += free_text.warnings
        provenance = self.provenance(doc, budget, drafts.outcomes, drafts.failed_attempts, not drafts.failed,
                                     started, chunks=drafts.chunks)  # fmt: skip
        return SummaryRecord(
            provenance=provenance,
            headline=headline,
            dateline=dateline,
            summary=summary,
            key_facts=key_facts,
            events=events_out,
            excluded_regions=list(doc.excluded),
            dropped_claims=dropped,
            warnings=warnings,
            grounding=grounder.stats(),
            failed_calls=drafts.failed,
        )

    def provenance(self, doc: Document, budget: TokenBudget, outcomes: Sequence[ExtractionOutcome[Any]],
                   failed_attempts: Sequence[int], complete: bool, started: str,
                   chunks: int = 1) -> Provenance:  # fmt: skip
        """Where a record came from: the document, the model, the templates, the calls and their cost."""
        attempts = sum(o.attempts for o in outcomes) + sum(failed_attempts)
        calls = len(outcomes) + sum(1 for a in failed_attempts if a)  # a call refused before it was made is no call
        return Provenance(
            source=SourceInfo(
                path=doc.path, sha256=doc.sha256, chars=len(doc.text), article_chars=len(doc.article_text)
            ),
            model=self.client.endpoint.model,
            endpoint_kind=self.client.endpoint.kind,
            mode=self.client.endpoint.mode_name,
            strategy=self.strategy,
            assists=sorted(self.assists) if self.strategy == "evidence" else [],
            templates=[t.info for t in self.templates],
            schema_version=SCHEMA_VERSION,
            schema_sha256=draft_schema_sha256(),
            usage=budget.used,
            attempts=attempts,
            reasks=attempts - calls,
            first_try_valid=complete and all(o.first_try_valid for o in outcomes),
            repairs=sum(o.repairs for o in outcomes),
            chunks=chunks,
            started_at=started,
            finished_at=_now(),
        )

    def resume_key_for(self, doc: Document) -> str:
        """Identity of a finished document: its text, the prompts, the schema and the model."""
        return resume_key(doc.sha256, [t.info for t in self.templates], draft_schema_sha256(),
                          self.client.endpoint.model, self.strategy)  # fmt: skip

    async def run_one(self, source: str, limits: RunLimits | None = None) -> DocumentRecordT | None:
        """Load and summarize one source; any SummarizerError becomes an ErrorRecord.

        Returns None when ``limits.done`` says the document is already finished (resume)."""
        limits = limits or RunLimits()
        budget = TokenBudget(self.settings.token_budget, run=limits.budget)
        try:
            doc = load_source(source, self.settings.max_bytes)
            if self.resume_key_for(doc) in limits.done:
                logger.info("%s already done; skipped", source)
                return None
            limits.check_before(source)
            try:
                return await asyncio.wait_for(self.summarize(doc, budget), timeout=limits.time_left())
            except TimeoutError:
                raise DeadlineExceeded(f"deadline passed after {limits.elapsed():.1f}s") from None
            finally:
                limits.spend(budget.used)
        except SummarizerError as exc:
            logger.info("%s failed: %s", source, exc)
            return error_record(source, exc, budget.used)

    async def run_batch(
        self,
        sources: Sequence[str],
        *,
        concurrency: int = 4,
        on_record: Callable[[DocumentRecordT], Awaitable[None] | None] | None = None,
        limits: RunLimits | None = None,
        keep: bool = True,
    ) -> list[DocumentRecordT]:
        """Summarize many sources, ``concurrency`` at a time; returns new records in input order
        (skipped ones left out). ``keep=False`` returns nothing: records only go to ``on_record``, so
        memory stays flat however many sources there are (``concurrency`` workers, no task per source)."""
        limits = limits or RunLimits()
        results: list[DocumentRecordT | None] = [None] * len(sources) if keep else []
        pending = iter(enumerate(sources))  # shared by the workers: each source is taken once

        async def worker() -> None:
            for i, source in pending:
                record = await self.run_one(source, limits)
                if record is None:
                    continue
                if keep:
                    results[i] = record
                if on_record is not None:
                    maybe = on_record(record)
                    if maybe is not None:
                        await maybe

        await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(sources))))))
        return [r for r in results if r is not None]


async def _nothing() -> None:
    """Stands in for a call that is not made."""
