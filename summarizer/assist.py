"""Model assists for the evidence strategy: small, closed tasks a tiny model can do.

- ``summary``: a one- or two-sentence summary of the sentences the program selected (the free-text
  check removes what the article does not say; the lead sentences are the fallback);
- ``rank``: which of the most salient sentences (twice as many as are kept) state the key facts,
  answered as sentence numbers from that closed list;
- ``event_type``: the sub-event type of an event whose action words fit several types, chosen from
  that closed list (constrained decoding makes any other answer impossible).

Each assist is opt-in (``--assist``), and a failed assist leaves the program's own reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer.call import ModelClient
from summarizer.drafts import model_schema_sha256
from summarizer.prompt import Template, render_messages, template_tag
from summarizer.schema import SubEventType
from summarizer.validate import CallSettings, ExtractionOutcome, TokenBudget, extract_with_reasks

ASSISTS = ("summary", "event_type", "rank")
#: Assists on by default: none. Measured on the eval's cases with the built-in 135M model (README,
#: "Extraction strategies"), the summary assist wrote summaries worse than the lead sentences it
#: replaces, the ranking assist lost key facts, and the event-type assist chose what the
#: lexicon's default already was.
DEFAULT_ASSISTS: frozenset[str] = frozenset()
BRIEF_TEMPLATE = "brief.md.j2"
EVENT_TYPE_TEMPLATE = "event_type.md.j2"
RANK_TEMPLATE = "rank.md.j2"
#: Assist answers are short: this caps each call's completion.
ASSIST_MAX_TOKENS = 160


class BriefDraft(BaseModel):
    """A short summary."""

    model_config = ConfigDict(extra="forbid")
    summary: str = Field(description="One or two sentences: who did what to whom, when and where.", max_length=400)


def _choice_model(choices: Sequence[SubEventType]) -> type[BaseModel]:
    kind: Any = Literal[tuple(choices)]  # type: ignore[valid-type]
    return create_model(
        "EventTypeChoice",
        __config__=ConfigDict(extra="forbid"),
        sub_event_type=(kind, Field(description="The kind of event the sentence reports.")),
    )


async def _ask(client: ModelClient, model: type[BaseModel], messages: list[dict[str, str]], *, doc: Any,
               templates: tuple[Template, ...], reask: Template, settings: CallSettings,
               budget: TokenBudget) -> ExtractionOutcome[Any]:  # fmt: skip
    small = CallSettings(max_tokens=min(settings.max_tokens, ASSIST_MAX_TOKENS), temperature=settings.temperature,
                         max_reasks=min(settings.max_reasks, 1))  # fmt: skip
    return await extract_with_reasks(
        client, model, messages, doc=doc, quotes_of=lambda _: [], reask_template=reask,
        template_tag=template_tag(*templates, reask), schema_tag=f"{model.__name__}@{model_schema_sha256(model)[:16]}",
        settings=small, budget=budget,
    )  # fmt: skip


async def brief(client: ModelClient, sentences: Sequence[str], *, doc: Any, system: Template, template: Template,
                reask: Template, settings: CallSettings, budget: TokenBudget) -> ExtractionOutcome[Any]:  # fmt: skip
    """A short summary of the selected sentences, from the model."""
    messages = render_messages(template, system, "\n".join(sentences))
    return await _ask(client, BriefDraft, messages, doc=doc, templates=(system, template), reask=reask,
                      settings=settings, budget=budget)  # fmt: skip


async def choose_event_type(client: ModelClient, sentence: str, choices: Sequence[SubEventType], *, doc: Any,
                            system: Template, template: Template, reask: Template, settings: CallSettings,
                            budget: TokenBudget) -> ExtractionOutcome[Any]:  # fmt: skip
    """The sub-event type of one sentence, chosen by the model from ``choices``."""
    messages = [
        {"role": "system", "content": system.render()},
        {"role": "user", "content": template.render(article=sentence, choices=list(choices))},
    ]
    return await _ask(client, _choice_model(choices), messages, doc=doc, templates=(system, template), reask=reask,
                      settings=settings, budget=budget)  # fmt: skip


def _rank_model(count: int, keep: int) -> type[BaseModel]:
    number: Any = Literal[tuple(range(1, count + 1))]  # type: ignore[valid-type]
    return create_model(
        "SentenceRanking",
        __config__=ConfigDict(extra="forbid"),
        chosen=(list[number], Field(description="Numbers of the sentences with the key facts.", max_length=keep)),  # type: ignore[valid-type]
    )


async def rank_sentences(client: ModelClient, candidates: Sequence[str], keep: int, *, doc: Any, system: Template,
                         template: Template, reask: Template, settings: CallSettings,
                         budget: TokenBudget) -> ExtractionOutcome[Any]:  # fmt: skip
    """The model's choice of at most ``keep`` sentences among the numbered ``candidates``."""
    numbered = "\n".join(f"{i}. {sentence}" for i, sentence in enumerate(candidates, 1))
    messages = [
        {"role": "system", "content": system.render()},
        {"role": "user", "content": template.render(article=numbered, keep=keep)},
    ]
    return await _ask(client, _rank_model(len(candidates), keep), messages, doc=doc, templates=(system, template),
                      reask=reask, settings=settings, budget=budget)  # fmt: skip
