"""Long documents: read an article that does not fit the model's context in chunks, a few at a time,
and merge what the chunks give into one set of drafts, deterministically.

The record is then built once, against the whole document, exactly as for an article read whole, so
every offset is an offset into the whole document. The merge rules:

* headline, dateline and summary come from the first chunk whose facts were extracted (news puts
  what happened first); every chunk adds its key facts and events;
* a key fact whose quote grounds to the same span of the document as a fact of an earlier chunk is
  a repeat (the chunks overlap) and is left out; so is a casualty claim with the same span, group
  and outcome as one already in the event it joins;
* an event of a later chunk joins an earlier one when their action (sub-event type), dates and
  place (country, admin1, admin2, place) agree: its casualty claims, actors, persons, sources and
  quote are added to it;
* a failed call loses only its chunk's part: the record keeps the others', names the lost span in a
  warning and a ``failed_calls`` entry, and is partial. When the facts of every chunk fail, the
  document fails with the first chunk's error (its type, the message naming the chunk).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from pydantic import BaseModel

from summarizer.chunking import (
    CHAT_MARKUP_TOKENS,
    Chunk,
    ChunkPlan,
    ContextBudget,
    TokenCounter,
    estimate_tokens,
)
from summarizer.drafts import DraftEvent, EventsDraft, FactsDraft
from summarizer.errors import ConfigError, ModelError
from summarizer.ground import Aligner, aligner_for, normalise
from summarizer.load import Document
from summarizer.local_model import ServerSettings
from summarizer.prompt import Template, render_messages, render_reask
from summarizer.providers import Endpoint
from summarizer.redact import redact
from summarizer.schema import ChunkInfo, ErrorInfo, FailedCall
from summarizer.validate import MAX_FEEDBACK_QUOTES, CallSettings, ExtractionOutcome

logger = logging.getLogger(__name__)

#: The longest feedback line a re-ask sends about a quote or a claim (quotes cut at 160 characters,
#: reasons at 200, with the wording around them).
FEEDBACK_LINE_CHARS = 480
#: Below this many tokens of article per call, chunking is refused as a configuration error.
MIN_ARTICLE_TOKENS = 128
#: Chunks of one document read at once (each with its facts and events calls at once).
CHUNKS_AT_ONCE = 4


@dataclass
class Drafts:
    """What the model calls gave for one text (an article, or a chunk of one), quotes restored."""

    facts: FactsDraft | None
    events: EventsDraft | None = None
    #: Why the facts call failed (then ``facts`` is None).
    facts_error: ModelError | None = None
    outcomes: list[ExtractionOutcome[Any]] = field(default_factory=list)
    failed: list[FailedCall] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Attempts made by each failed call.
    failed_attempts: list[int] = field(default_factory=list)
    #: Further quotes of each event (the quotes of the events merged into it).
    event_quotes: list[list[str]] = field(default_factory=list)
    chunks: int = 1


def failed_call(part: str, exc: ModelError, chunk: Chunk | None = None) -> tuple[FailedCall, str]:
    """The ``failed_calls`` entry and the warning for one failed call."""
    message = redact(str(exc))
    where = ChunkInfo(index=chunk.index, total=chunk.total, start=chunk.start, end=chunk.end) if chunk else None
    entry = FailedCall(part=part, error=ErrorInfo(type=exc.kind, message=message), chunk=where)  # type: ignore[arg-type]
    prefix = f"{chunk.label}: " if chunk else ""
    return entry, f"{prefix}{part} not extracted: {exc.kind}: {message}"


# --------------------------------------------------------------------------- the budget


@cache
def builtin_token_counter() -> TokenCounter | None:
    """The built-in model's own tokenizer (its vocabulary only, loaded once), or None without ``[local]``."""
    try:
        from llama_cpp import Llama
        from llama_cpp._utils import suppress_stdout_stderr

        from summarizer.local_model import builtin_model_path

        path = builtin_model_path()
    except (ImportError, ConfigError):
        return None
    with suppress_stdout_stderr(disable=False):  # llama.cpp logs the context it would make
        vocab = Llama(model_path=str(path), vocab_only=True, verbose=False)
    atexit.register(vocab.close)  # freed before the interpreter tears down the bindings it needs

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    return count


def context_budget(
    context: int,
    *,
    count: TokenCounter,
    system: Template,
    tasks: Sequence[Template],
    reask: Template,
    max_tokens: int,
    max_reasks: int,
    schema_text: str = "",
    copies: int = 1,
) -> ContextBudget:
    """The budget of one call under a context window of ``context`` tokens.

    The prompt is measured by rendering the templates without the article (the larger of the facts
    and events calls), plus :data:`CHAT_MARKUP_TOKENS` per message and the schema when it is sent as
    text. Each re-ask adds a feedback message, bounded by the re-ask template rendered with
    ``MAX_FEEDBACK_QUOTES + 1`` lines of :data:`FEEDBACK_LINE_CHARS` characters (estimated); it also
    adds the previous answer, which is not reserved (see README, Long documents)."""
    prompt = max(
        sum(count(m["content"]) + CHAT_MARKUP_TOKENS for m in render_messages(task, system, "")) for task in tasks
    ) + count(schema_text)
    feedback = estimate_tokens(render_reask(reask, ["x" * FEEDBACK_LINE_CHARS] * (MAX_FEEDBACK_QUOTES + 1)))
    budget = ContextBudget(
        context=context,
        answer=max_tokens,
        prompt=prompt + CHAT_MARKUP_TOKENS,  # the assistant's turn opens with markup too
        reasks=max_reasks * (feedback + CHAT_MARKUP_TOKENS),
        copies=copies,
    )
    if budget.article < MIN_ARTICLE_TOKENS:
        raise ConfigError(
            f"a context of {context} tokens leaves no room for the article ({budget.describe()}; at least "
            f"{MIN_ARTICLE_TOKENS} are needed): raise --context-tokens or lower --max-tokens or --max-reasks"
        )
    return budget


def call_context(
    endpoint: Endpoint,
    context_tokens: int | None,
    *,
    system: Template,
    tasks: Sequence[Template],
    reask: Template,
    schemas: Sequence[type[BaseModel]],
    call: CallSettings,
    quote_choices: bool | None = None,
    evidence: bool = False,
) -> tuple[TokenCounter, ContextBudget | None]:
    """How an endpoint's tokens are counted (the built-in model's own tokenizer, else the estimate), and one
    call's budget: under ``context_tokens``, else the built-in server's n_ctx; None (no chunking) for any
    other endpoint without ``context_tokens``, and for the evidence strategy, which reads the article itself."""
    if context_tokens is None and endpoint.kind == "builtin":
        context_tokens = ServerSettings().n_ctx
    if context_tokens is None or evidence:
        return estimate_tokens, None
    count = (builtin_token_counter() if endpoint.kind == "builtin" else None) or estimate_tokens
    # A server that decodes under a grammar does not put the schema in the prompt; the others send it as text,
    # and then quote choices (--quotes sentences) send the article's sentences a second time.
    in_prompt = not endpoint.constrains_decoding
    sent = [json.dumps(model.model_json_schema()) for model in schemas] if in_prompt else []
    copies = 2 if in_prompt and quote_choices else 1
    budget = context_budget(context_tokens, count=count, system=system, tasks=tasks, reask=reask,
                            max_tokens=call.max_tokens, max_reasks=call.max_reasks,
                            schema_text=max(sent, key=len, default=""), copies=copies)  # fmt: skip
    return count, budget


# --------------------------------------------------------------------------- extraction


def chunk_document(doc: Document, chunk: Chunk) -> Document:
    """The chunk as a document of its own: what the model reads, and what its re-asks check quotes against."""
    text = doc.text[chunk.start : chunk.end]
    return replace(doc, text=text, article_start=0, article_end=len(text), excluded=())


async def extract_in_chunks(doc: Document, plan: ChunkPlan, extract: Callable[[Document], Awaitable[Drafts]]) -> Drafts:
    """Extract the chunks with ``extract``, ``CHUNKS_AT_ONCE`` at a time, and merge the results in
    chunk order (see the module docstring). Every chunk runs to its end before an error that is not a
    failed call (a deferred batch call, a bug) is raised, so a batch round captures every chunk's
    requests; a deadline cancels them all."""
    gate = asyncio.Semaphore(CHUNKS_AT_ONCE)

    async def one(chunk: Chunk) -> Drafts:
        async with gate:
            logger.info("%s: reading %s", doc.path, chunk.label)
            return await extract(chunk_document(doc, chunk))

    results = await asyncio.gather(*(one(chunk) for chunk in plan.chunks), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return merge(doc, list(zip(plan.chunks, results, strict=True)), plan.warnings)  # type: ignore[arg-type]


def merge(doc: Document, parts: Sequence[tuple[Chunk, Drafts]], warnings: Sequence[str] = ()) -> Drafts:
    """One set of drafts from the chunks' (raises the first chunk's facts error when every chunk's failed)."""
    extracted = [part for _, part in parts if part.facts is not None]
    if not extracted:
        chunk, first = parts[0]
        assert first.facts_error is not None
        error = type(first.facts_error)(
            f"the facts of all {len(parts)} chunks failed; {chunk.label}: {first.facts_error}"
        )
        error.attempts = first.facts_error.attempts
        raise error from first.facts_error
    aligner = aligner_for(doc.text, (doc.article_start, doc.article_end))
    merged = Drafts(facts=_merge_facts([p.facts for p in extracted if p.facts], aligner), chunks=len(parts))
    merged.warnings = list(warnings)
    for chunk, part in parts:
        merged.outcomes += part.outcomes
        merged.failed_attempts += part.failed_attempts
        if part.facts_error is not None:
            entry, warning = failed_call("facts", part.facts_error, chunk)
            merged.failed.append(entry)
            merged.warnings.append(warning)
        for entry in part.failed:
            info = ChunkInfo(index=chunk.index, total=chunk.total, start=chunk.start, end=chunk.end)
            merged.failed.append(entry.model_copy(update={"chunk": info}))
        merged.warnings += [f"{chunk.label}: {warning}" for warning in part.warnings]
    events = [p.events for _, p in parts if p.events is not None]
    if events:
        merged.events, merged.event_quotes = _merge_events(events, aligner)
    return merged


def _span(aligner: Aligner, quote: str) -> Hashable:
    """Where a quote grounds in the whole document; an unmatched quote is known by its words."""
    evidence = aligner.align(quote)
    return (evidence.start, evidence.end) if evidence.start is not None else normalise(quote)


def _merge_facts(parts: Sequence[FactsDraft], aligner: Aligner) -> FactsDraft:
    """The first chunk's headline, dateline and summary; every chunk's facts, repeats of an earlier chunk's left out."""
    seen: set[Hashable] = set()
    facts = []
    for part in parts:
        spans = [_span(aligner, fact.quote) for fact in part.key_facts]
        facts += [fact for fact, span in zip(part.key_facts, spans, strict=True) if span not in seen]
        seen.update(spans)
    return parts[0].model_copy(update={"key_facts": facts})


def _event_key(event: DraftEvent) -> Hashable:
    """What two events must share to be one: action, dates and place."""
    place = tuple(normalise(value or "") for value in (event.country, event.admin1, event.admin2, event.place))
    return event.sub_event_type, event.date_start, event.date_end or event.date_start, place


def _merge_events(parts: Sequence[EventsDraft], aligner: Aligner) -> tuple[EventsDraft, list[list[str]]]:
    """Every chunk's events; one of a later chunk joins an earlier chunk's event with the same key."""
    events: list[DraftEvent] = []
    quotes: list[list[str]] = []
    for part in parts:
        earlier = len(events)
        for event in part.events:
            same = next((i for i in range(earlier) if _event_key(events[i]) == _event_key(event)), None)
            if same is None:
                events.append(event)
                quotes.append([])
                continue
            events[same] = _join(events[same], event, aligner)
            known = {_span(aligner, q) for q in (events[same].quote, *quotes[same])}
            if _span(aligner, event.quote) not in known:
                quotes[same].append(event.quote)
    return EventsDraft.model_construct(events=events), quotes


def _join(first: DraftEvent, other: DraftEvent, aligner: Aligner) -> DraftEvent:
    """One event from two that agree: the first's fields, with the other's claims, actors, persons and sources added."""
    claims = {(_span(aligner, c.quote), c.group, c.outcome) for c in first.casualties}
    actors = {(a.name.casefold(), a.role) for a in first.actors}
    persons = {p.name.casefold() for p in first.persons}
    sources = {s.casefold() for s in first.sources}
    reports = [r for r in dict.fromkeys([first.conflicting_reports, other.conflicting_reports]) if r]
    return first.model_copy(
        update={
            "casualties": first.casualties
            + [c for c in other.casualties if (_span(aligner, c.quote), c.group, c.outcome) not in claims],
            "actors": first.actors + [a for a in other.actors if (a.name.casefold(), a.role) not in actors],
            "persons": first.persons + [p for p in other.persons if p.name.casefold() not in persons],
            "sources": first.sources + [s for s in other.sources if s.casefold() not in sources],
            "conflicting_reports": "; ".join(reports) or None,
        }
    )
