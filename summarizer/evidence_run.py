"""The evidence strategy's run: read facts and events from the article (:mod:`summarizer.evidence`),
ask the model only for the assists, then ground and verify exactly as for a model's drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from summarizer.assist import brief, choose_event_type, rank_sentences
from summarizer.errors import ModelError
from summarizer.evidence.extract import extract_evidence
from summarizer.free_text import FreeTextCheck
from summarizer.load import Document
from summarizer.redact import redact
from summarizer.schema import SubEventType, SummaryRecord
from summarizer.validate import ExtractionOutcome, TokenBudget
from summarizer.verify import Grounder, build_events, build_key_facts

if TYPE_CHECKING:
    from summarizer.pipeline import Pipeline


async def summarize_evidence(pipeline: Pipeline, doc: Document, budget: TokenBudget, started: str) -> SummaryRecord:
    """One record by the evidence strategy; a failed assist is a warning, never a failed document."""
    drafts = extract_evidence(doc, pipeline.settings.published)
    warnings = list(drafts.warnings)
    outcomes: list[ExtractionOutcome[Any]] = []
    common: dict[str, Any] = {"doc": doc, "system": pipeline.system, "reask": pipeline.reask,
                              "settings": pipeline.settings.call, "budget": budget}  # fmt: skip
    chosen: dict[int, SubEventType] = {}
    if "event_type" in pipeline.assists:
        for index, sentence, candidates in drafts.ambiguous():
            try:
                template = pipeline.assist_templates["event_type"]
                outcome = await choose_event_type(pipeline.client, sentence, candidates, template=template, **common)
            except ModelError as exc:
                warnings.append(f"event type assist failed ({exc.kind}): kept the lexicon's {candidates[0]}")
                continue
            outcomes.append(outcome)
            chosen[index] = outcome.draft.sub_event_type
    for index, _sentence, candidates in drafts.ambiguous():
        picked = chosen.get(index, candidates[0])
        how = "the model chose" if index in chosen else "the lexicon's default"
        warnings.append(f"event {index + 1}: its action words fit {' or '.join(candidates)}; {how}: {picked}")
    events_draft = drafts.with_sub_types(chosen)
    facts_draft = drafts.facts
    offered, keep = drafts.rank_candidates()
    if "rank" in pipeline.assists and offered:
        try:
            template = pipeline.assist_templates["rank"]
            outcome = await rank_sentences(pipeline.client, offered, keep, template=template, **common)
        except ModelError as exc:
            warnings.append(f"ranking assist failed ({exc.kind}): kept the salience ranking")
        else:
            outcomes.append(outcome)
            ranked = [offered[n - 1] for n in dict.fromkeys(outcome.draft.chosen)]
            if ranked:
                facts_draft = drafts.with_facts(ranked)
            else:
                warnings.append("the ranking assist chose no sentence: kept the salience ranking")
    grounder = Grounder(doc)
    key_facts, dropped = build_key_facts(facts_draft, grounder)
    sentences = [[m.sentence for m in group.mentions] for group in drafts.groups]
    events, dropped_events = build_events(events_draft, grounder, sentences)
    free_text = FreeTextCheck(doc, pipeline.instructions)
    summary = ""
    if "summary" in pipeline.assists:
        selected = [f.quote for f in facts_draft.key_facts]
        try:
            outcome = await brief(pipeline.client, selected, template=pipeline.assist_templates["summary"], **common)
        except ModelError as exc:
            warnings.append(f"summary assist failed ({exc.kind}): {redact(str(exc))[:120]}")
        else:
            outcomes.append(outcome)
            summary = free_text.summary(outcome.draft.summary)
    if not summary:
        if "summary" in pipeline.assists:
            warnings.append("the model's summary said nothing the article supports: the lead sentences are used")
        summary = free_text.summary(drafts.facts.summary)
    headline = free_text.headline(drafts.facts.headline)
    warnings += free_text.warnings
    warnings += grounder.notes()
    return SummaryRecord(
        provenance=pipeline.provenance(doc, budget, outcomes, (), True, started),
        headline=headline,
        dateline=free_text.dateline(None),
        summary=summary,
        key_facts=key_facts,
        events=events,
        excluded_regions=list(doc.excluded),
        dropped_claims=dropped + dropped_events,
        warnings=warnings,
        grounding=grounder.stats(),
    )
