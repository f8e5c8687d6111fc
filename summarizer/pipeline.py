"""The pipeline: load -> render prompt -> call model -> validate and ground -> record.

Data flows one way.  A failing document becomes an :class:`ErrorRecord` naming the
cause; the other documents of the batch still complete.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.call import ModelClient
from summarizer.errors import InvalidOutput, SummarizerError
from summarizer.ground import split_sentences
from summarizer.load import DEFAULT_MAX_BYTES, Document, load_bytes, load_document
from summarizer.prompt import REASK_TEMPLATE, SYSTEM_TEMPLATE, Template, load_template, render_messages
from summarizer.schema import (
    SCHEMA_VERSION,
    ErrorInfo,
    ErrorRecord,
    EventRecord,
    EventsDraft,
    FactsDraft,
    Provenance,
    SourceInfo,
    SummaryRecord,
    Usage,
    draft_schema_sha256,
    drafts_with_quote_choices,
    model_schema_sha256,
)
from summarizer.validate import (
    CallSettings,
    Grounder,
    TokenBudget,
    build_events,
    build_key_facts,
    extract_with_reasks,
    quotes_in_events,
    quotes_in_facts,
)

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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def load_source(source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load a path, or standard input for '-'."""
    if source == "-":
        return load_bytes(sys.stdin.buffer.read(), "-", max_bytes=max_bytes)
    return load_document(source, max_bytes=max_bytes)


def template_tag(*templates: Template) -> str:
    """Names and short hashes of the templates behind a request."""
    return ",".join(f"{t.name}@{t.sha256[:16]}" for t in templates)


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

    @property
    def templates(self) -> list[Template]:
        """Templates used for every document."""
        used = [self.system, self.facts, self.reask]
        return [*used, self.events] if self.settings.extract_events else used

    def _draft_models(self, doc: Document) -> tuple[type[FactsDraft], type[EventsDraft]]:
        use_choices = self.settings.quote_choices
        if use_choices is None:
            use_choices = self.client.endpoint.constrains_decoding
        # llama-cpp-python's schema-to-grammar converter breaks on literals holding '"' or '\\'.
        sentences = (
            [s for s in split_sentences(doc.article_text) if '"' not in s and "\\" not in s] if use_choices else []
        )
        if not sentences:
            return FactsDraft, EventsDraft
        return drafts_with_quote_choices(sentences)

    async def summarize(self, doc: Document, budget: TokenBudget | None = None) -> SummaryRecord:
        """Summarize one loaded document; raises a SummarizerError on failure."""
        started = _now()
        budget = budget or TokenBudget(self.settings.token_budget)
        common = {
            "doc": doc,
            "reask_template": self.reask,
            "settings": self.settings.call,
            "budget": budget,
        }
        facts_model, events_model = self._draft_models(doc)
        facts = await extract_with_reasks(
            self.client,
            facts_model,
            render_messages(self.facts, self.system, doc.article_text),
            quotes_of=quotes_in_facts,
            template_tag=template_tag(self.system, self.facts, self.reask),
            schema_tag=f"FactsDraft@{model_schema_sha256(FactsDraft)[:16]}",
            **common,  # type: ignore[arg-type]
        )
        outcomes = [facts]
        grounder = Grounder(doc)
        key_facts, dropped = build_key_facts(facts.draft, grounder)
        events_out: list[EventRecord] = []
        warnings: list[str] = []
        failed_attempts = 0
        if self.settings.extract_events:
            try:
                events = await extract_with_reasks(
                    self.client,
                    events_model,
                    render_messages(self.events, self.system, doc.article_text),
                    quotes_of=quotes_in_events,
                    template_tag=template_tag(self.system, self.events, self.reask),
                    schema_tag=f"EventsDraft@{model_schema_sha256(EventsDraft)[:16]}",
                    **common,  # type: ignore[arg-type]
                )
            except InvalidOutput as exc:
                # The facts are still worth writing; say plainly that events are missing.
                warnings.append(f"events not extracted: {exc}")
                failed_attempts = exc.attempts
            else:
                outcomes.append(events)  # type: ignore[arg-type]
                events_out, dropped_events = build_events(events.draft, grounder)
                dropped += dropped_events
        if grounder.removed:
            removed = ", ".join(dict.fromkeys(grounder.removed))
            warnings.append(f"values not found in the article were removed: {removed}")
        attempts = sum(o.attempts for o in outcomes) + failed_attempts
        calls = len(outcomes) + (1 if failed_attempts else 0)
        provenance = Provenance(
            source=SourceInfo(
                path=doc.path, sha256=doc.sha256, chars=len(doc.text), article_chars=len(doc.article_text)
            ),
            model=self.client.endpoint.model,
            endpoint_kind=self.client.endpoint.kind,
            mode=self.client.endpoint.mode_name,
            templates=[t.info for t in self.templates],
            schema_version=SCHEMA_VERSION,
            schema_sha256=draft_schema_sha256(),
            usage=budget.used,
            attempts=attempts,
            reasks=attempts - calls,
            first_try_valid=not failed_attempts and all(o.first_try_valid for o in outcomes),
            started_at=started,
            finished_at=_now(),
        )
        return SummaryRecord(
            provenance=provenance,
            headline=facts.draft.headline.strip(),
            dateline=facts.draft.dateline,
            summary=facts.draft.summary.strip(),
            key_facts=key_facts,
            events=events_out,
            excluded_regions=list(doc.excluded),
            dropped_claims=dropped,
            warnings=warnings,
            grounding=grounder.stats(),
        )

    async def run_one(self, source: str) -> DocumentRecordT:
        """Load and summarize one source; any SummarizerError becomes an ErrorRecord."""
        budget = TokenBudget(self.settings.token_budget)
        try:
            doc = load_source(source, self.settings.max_bytes)
            return await self.summarize(doc, budget)
        except SummarizerError as exc:
            logger.info("%s failed: %s", source, exc)
            return error_record(source, exc, budget.used)

    async def run_batch(
        self,
        sources: Sequence[str],
        *,
        concurrency: int = 4,
        on_record: Callable[[DocumentRecordT], Awaitable[None] | None] | None = None,
    ) -> list[DocumentRecordT]:
        """Summarize many sources concurrently; returns records in input order."""
        semaphore = asyncio.Semaphore(max(1, concurrency))

        async def one(source: str) -> DocumentRecordT:
            async with semaphore:
                record = await self.run_one(source)
            if on_record is not None:
                maybe = on_record(record)
                if maybe is not None:
                    await maybe
            return record

        return list(await asyncio.gather(*(one(source) for source in sources)))


def error_record(source: str, exc: SummarizerError, usage: Usage | None = None) -> ErrorRecord:
    """The record written for a document that failed."""
    return ErrorRecord(source=source, error=ErrorInfo(type=exc.kind, message=str(exc)), usage=usage or Usage())
