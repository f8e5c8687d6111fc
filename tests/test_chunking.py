"""Long documents: chunk planning (sentence boundaries, overlap, coverage, the token estimate, the
budget) and a long article read in chunks against the scripted server, merged into one record whose
offsets point into the whole document.

tests/data/long_article.txt is written for these tests (fictional). The scripted answers are
hand-built from the text each request was sent (see ``HandBuilt``): they are test inputs, not recordings.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hand_built import ROOT, SEED_000, SEED_004, facts
from scripted_server import Answer, ScriptedServer, completion, draft_name, http_error
from typer.testing import CliRunner

from summarizer import long_document
from summarizer.chunking import OVERLAP_SENTENCES, Chunk, ChunkPlan, estimate_tokens, plan_chunks
from summarizer.cli import app
from summarizer.drafts import EventsDraft, FactsDraft
from summarizer.errors import ConfigError
from summarizer.ground import sentence_spans, split_sentences
from summarizer.load import DEFAULT_MAX_BYTES, Document, load_bytes, load_document
from summarizer.long_document import Drafts, context_budget, merge
from summarizer.pipeline import Pipeline, PipelineSettings
from summarizer.prompt import load_template
from summarizer.retry import RetryPolicy
from summarizer.schema import ErrorRecord, SummaryRecord
from summarizer.session import EndpointOptions, open_client
from summarizer.validate import CallSettings

LONG_ARTICLE = ROOT / "tests" / "data" / "long_article.txt"
NO_RETRY = RetryPolicy(max_attempts=1, initial_wait=0.01, max_wait=0.01, jitter=0.0)


def _words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------- planning


def _check_plan(text: str, plan: ChunkPlan, limit: int, count: Any, region: tuple[int, int]) -> None:
    """Chunks are whole sentences within the limit, cover every sentence, and overlap by whole sentences."""
    spans = [(region[0] + s, region[0] + e) for s, e in sentence_spans(text[slice(*region)])]
    starts, ends = {s for s, _ in spans}, {e for _, e in spans}
    assert plan.chunks and [c.index for c in plan.chunks] == list(range(1, len(plan.chunks) + 1))
    for chunk in plan.chunks:
        assert chunk.start in starts and chunk.end in ends  # sentence boundaries
        assert count(text[chunk.start : chunk.end]) <= limit
        assert chunk.total == len(plan.chunks)
    for s, e in spans:  # every sentence is in some chunk
        assert any(c.start <= s and e <= c.end for c in plan.chunks)
    for before, after in zip(plan.chunks, plan.chunks[1:], strict=False):
        shared = [(s, e) for s, e in spans if after.start <= s and e <= before.end]
        assert len(shared) == OVERLAP_SENTENCES  # the next chunk repeats the last two sentences
        assert before.start < after.start and before.end < after.end


def test_chunks_are_whole_sentences_within_the_limit_covering_all_with_two_shared() -> None:
    doc = load_document(LONG_ARTICLE)
    region = (doc.article_start, doc.article_end)
    plan = plan_chunks(doc.text, 300, _words, region=region)
    assert len(plan.chunks) >= 3 and plan.warnings == ()
    _check_plan(doc.text, plan, 300, _words, region)
    assert plan == plan_chunks(doc.text, 300, _words, region=region)  # deterministic


def test_a_text_within_the_limit_is_one_chunk_of_all_its_sentences() -> None:
    text = "  First sentence here. Second one follows.\n\nThird line.  "
    plan = plan_chunks(text, 1000, _words)
    assert [(c.start, c.end) for c in plan.chunks] == [(2, len(text.rstrip()))]


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces_with_a_warning() -> None:
    long_sentence = "Then " + " ".join(f"word{i}" for i in range(49)) + "."
    text = f"A short opening sentence. {long_sentence} A short closing sentence."
    plan = plan_chunks(text, 12, _words)
    assert len(plan.warnings) == 1
    start = text.index(long_sentence)
    assert f"characters {start:,}\u2013{start + len(long_sentence):,} (50 tokens)" in plan.warnings[0]
    assert "cut at spaces" in plan.warnings[0]
    for chunk in plan.chunks:
        piece = text[chunk.start : chunk.end]
        assert _words(piece) <= 12 and not re.match(r"\S", text[chunk.start - 1 : chunk.start] or " ")
    covered = "".join(text[c.start : c.end] for c in plan.chunks)
    assert all(word in covered for word in long_sentence.split())


def test_a_word_longer_than_a_chunk_is_cut_at_characters() -> None:
    blob = "x" * 400
    plan = plan_chunks(f"Before it. {blob} After it.", 20, estimate_tokens)
    assert plan.warnings and all(estimate_tokens(f"Before it. {blob} After it."[c.start : c.end]) <= 20
                                 for c in plan.chunks)  # fmt: skip


def test_the_estimate_is_utf8_bytes_over_three_rounded_up() -> None:
    assert [estimate_tokens(t) for t in ("", "abc", "abcd", "é", "北京")] == [0, 1, 2, 1, 2]


@pytest.mark.parametrize("path", [SEED_000, SEED_004, LONG_ARTICLE])
def test_the_estimate_overcounts_the_built_in_models_tokens_on_english_news(path: Path) -> None:
    pytest.importorskip("llama_cpp")
    from summarizer.long_document import builtin_token_counter

    count = builtin_token_counter()
    if count is None:
        pytest.skip("the built-in model is not installed")
    text = load_document(path).article_text
    assert count(text) < estimate_tokens(text) < 2 * count(text)


def test_the_budget_is_context_less_answer_prompt_and_reask_feedback() -> None:
    templates = {name: load_template(f"{name}.md.j2") for name in ("system", "facts", "events", "reask")}
    common = {"system": templates["system"], "tasks": [templates["facts"], templates["events"]],
              "reask": templates["reask"], "count": estimate_tokens}  # fmt: skip
    budget = context_budget(8192, max_tokens=2048, max_reasks=2, **common)  # type: ignore[arg-type]
    assert budget.article == 8192 - 2048 - budget.prompt - budget.reasks
    events_prompt = estimate_tokens(templates["system"].render()) + estimate_tokens(
        templates["events"].render(article="")
    )
    assert budget.prompt > events_prompt  # the larger prompt of the two calls, with chat markup
    no_reasks = context_budget(8192, max_tokens=2048, max_reasks=0, **common)  # type: ignore[arg-type]
    assert no_reasks.reasks == 0 and budget.reasks > 0
    with_schema = context_budget(8192, max_tokens=2048, max_reasks=2, schema_text="x" * 3000, **common)  # type: ignore[arg-type]
    assert with_schema.prompt == budget.prompt + 1000
    twice = context_budget(8192, max_tokens=2048, max_reasks=2, copies=2, **common)  # type: ignore[arg-type]
    assert twice.article == budget.article // 2  # the sentences also sent as quote choices
    with pytest.raises(ConfigError, match="leaves no room for the article"):
        context_budget(3000, max_tokens=2048, max_reasks=2, **common)  # type: ignore[arg-type]


def test_a_document_at_the_byte_limit_loads_and_is_planned_into_chunks() -> None:
    article = LONG_ARTICLE.read_text(encoding="utf-8")
    data = (article * (DEFAULT_MAX_BYTES // len(article.encode()) + 1)).encode()[:DEFAULT_MAX_BYTES]
    doc = load_bytes(data, "at-the-limit.txt")
    region = (doc.article_start, doc.article_end)
    plan = plan_chunks(doc.text, 3000, estimate_tokens, region=region)
    assert len(data) == DEFAULT_MAX_BYTES and len(plan.chunks) > DEFAULT_MAX_BYTES // (3 * 3000)
    assert plan.chunks[-1].end == len(doc.article_text.rstrip())
    assert all(estimate_tokens(doc.text[c.start : c.end]) <= 3000 for c in plan.chunks)


# --------------------------------------------------------------------------- reading a long article

#: The incidents of tests/data/long_article.txt as a hand-built answer gives them: the event's fields,
#: the sentences that report it, and the casualty counts some of them state.
INCIDENTS: dict[str, dict[str, Any]] = {
    "Kuru": {
        "event": {
            "sub_event_type": "Attack",
            "date_start": "2024-03-03",
            "country": "Nigeria",
            "admin1": "Plateau",
            "place": "Kuru",
        },
        "sentences": [
            "Gunmen attacked the village of Kuru in Plateau State on Sunday, killing 12 villagers, police said.",
            "In Nigeria, police said on Monday that they had arrested 4 suspects in connection with the Kuru attack.",
        ],
        "counts": {0: ("civilians", "killed", 12)},
    },
    "Mogadishu": {
        "event": {
            "sub_event_type": "Remote explosive/landmine/IED",
            "date_start": "2024-03-05",
            "country": "Somalia",
            "admin1": None,
            "place": "Mogadishu",
        },
        "sentences": [
            "A car bomb exploded outside a hotel in Mogadishu on Tuesday, killing 7 people, the Somali police said.",
            "Medina Hospital said it had treated 23 people injured in the explosion.",
            "In Somalia, the police said the death toll from the Mogadishu bombing had not changed by Wednesday.",
        ],
        "counts": {0: ("unknown", "killed", 7), 1: ("unknown", "injured", 23)},
    },
    "Tillaberi": {
        "event": {
            "sub_event_type": "Armed clash",
            "date_start": "2024-03-08",
            "country": "Niger",
            "admin1": None,
            "place": "Tillaberi",
        },
        "sentences": [
            "Soldiers clashed with militants near the town of Tillaberi in Niger on Friday, and the army said 9 "
            "militants were killed.",
            "The defence ministry said 3 soldiers were injured in the clash near Tillaberi.",
            "In Niger, the army said on Saturday that its patrols had returned to the area around Tillaberi.",
        ],
        "counts": {0: ("militants", "killed", 9), 1: ("security_forces", "injured", 3)},
    },
}
#: Words that make a sentence a key fact of a hand-built answer.
FACT_WORDS = re.compile(r"\b(killing|killed|injured|arrested)\b")


def _sent_article(body: dict[str, Any]) -> str:
    """The text a request asked about: what stands between <article> and </article>."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return user.split("<article>\n", 1)[1].split("\n</article>", 1)[0]


def _facts_for(text: str) -> list[str]:
    """The key facts a hand-built answer states for a text: its first two and last two sentences (so the
    overlap of two chunks is stated by both), and up to four between them that fit FACT_WORDS."""
    sentences = split_sentences(text)
    middle = [s for s in sentences[2:-2] if FACT_WORDS.search(s)][:4]
    return list(dict.fromkeys(sentences[:2] + middle + sentences[-2:]))


class HandBuilt:
    """Answers each request from the text it was sent. A fact or casualty count it gave before (the
    chunks overlap) is given again in other words: the statement without its full stop, the count with
    a higher bound the quote does not state; so only the merge's span rule can tell them for repeats."""

    def __init__(self) -> None:
        self.stated: set[str] = set()
        self.counted: set[str] = set()
        self.repeated: list[str] = []

    def _repeat(self, seen: set[str], sentence: str) -> bool:
        repeat = sentence in seen
        seen.add(sentence)
        if repeat:
            self.repeated.append(sentence)
        return repeat

    def __call__(self, body: dict[str, Any]) -> Answer:
        text = _sent_article(body)
        if draft_name(body) == "FactsDraft":
            facts = [{"statement": s.rstrip(".") if self._repeat(self.stated, s) else s, "quote": s,
                      "attribution": "the article", "status": "reported"} for s in _facts_for(text)]  # fmt: skip
            return completion({"headline": text.split("\n", 1)[0][:200], "dateline": None,
                               "summary": split_sentences(text)[0], "key_facts": facts})  # fmt: skip
        events = []
        for incident in INCIDENTS.values():
            present = sorted(
                (i for i, s in enumerate(incident["sentences"]) if s in text),
                key=lambda i: text.index(incident["sentences"][i]),
            )  # in the order of the text
            if not present:
                continue
            casualties = []
            for i in (i for i in present if i in incident["counts"]):
                group, outcome, n = incident["counts"][i]
                quote = incident["sentences"][i]
                high = n + 1 if self._repeat(self.counted, quote) else n
                casualties.append({"group": group, "outcome": outcome, "low": n, "best": n, "high": high,
                                   "claimed_by": "police", "quote": quote})  # fmt: skip
            event = incident["event"]
            quote = incident["sentences"][present[0]]
            events.append({**event, "date_end": event["date_start"], "date_precision": "day", "admin2": None,
                           "location_precision": "place", "actors": [], "persons": [], "casualties": casualties,
                           "sources": [], "conflicting_reports": None, "quote": quote})  # fmt: skip
        return completion({"events": events})


async def _read(
    server: ScriptedServer, source: Path = LONG_ARTICLE, **settings: Any
) -> tuple[Any, Document, ChunkPlan]:
    options = EndpointOptions(base_url=server.base_url, kind="vllm", model="scripted-model", retry=NO_RETRY)
    async with open_client(options) as client:
        pipeline = Pipeline(client, PipelineSettings(call=CallSettings(max_tokens=500), support_reask=False,
                                                     **{"context_tokens": 4000, **settings}))  # fmt: skip
        doc = load_document(source)
        plan = pipeline.chunk_plan(doc)
        return await pipeline.run_one(str(source)), doc, plan or ChunkPlan(chunks=())


@pytest.fixture
def one_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks read in order, so that ``HandBuilt`` words a repeat as the later chunk (it goes by the
    order requests arrive in; the merge itself goes by chunk order, whatever the arrival order)."""
    monkeypatch.setattr(long_document, "CHUNKS_AT_ONCE", 1)


def _chunk_texts(server: ScriptedServer, draft: str) -> list[str]:
    return [_sent_article(r["body"]) for r in server.requests_for(draft)]


@pytest.mark.usefixtures("one_chunk_at_a_time")
def test_a_long_article_is_read_in_chunks_and_merged_with_offsets_into_the_whole_document() -> None:
    answer = HandBuilt()
    with ScriptedServer(responder=answer) as server:
        record, doc, plan = asyncio.run(_read(server))
    assert isinstance(record, SummaryRecord), record
    assert len(plan.chunks) >= 3 and record.provenance.chunks == len(plan.chunks)
    # each call read one chunk, in order, the quote choices offered being that chunk's own sentences
    sent = _chunk_texts(server, "FactsDraft")
    assert sent == [doc.text[c.start : c.end] for c in plan.chunks] == _chunk_texts(server, "EventsDraft")
    for request in server.requests:
        schema = json.dumps(request["body"]["response_format"])
        outside = [s for s in split_sentences(doc.article_text) if s not in _sent_article(request["body"])]
        assert not any(json.dumps(s)[1:-1] in schema for s in outside)
    assert record.provenance.attempts == len(server.requests) == 2 * len(plan.chunks)
    assert record.provenance.usage.total_tokens == 150 * len(server.requests)
    assert record.failed_calls == [] and record.provenance.first_try_valid
    # every fact's offsets are into the whole document, and each sentence is a fact once although
    # the overlapping chunks both stated some of them
    stated = [s for text in sent for s in _facts_for(text)]
    assert len(stated) > len(set(stated))  # the overlap did repeat facts, and counts
    assert set(answer.repeated) & answer.counted
    kept = [f.statement for f in record.key_facts] + [d.statement for d in record.dropped_claims]
    assert sorted(kept) == sorted(set(stated))  # each once, as the first chunk to state it put it
    for fact in record.key_facts:
        (evidence,) = fact.evidence
        assert evidence.start is not None and doc.text[evidence.start : evidence.end] == evidence.quote
    assert len(record.key_facts) >= 6
    # one event per incident: its reports in far-apart chunks joined, its counts not repeated
    assert [e.location.place for e in record.events] == list(INCIDENTS)
    for event, incident in zip(record.events, INCIDENTS.values(), strict=True):
        firsts = [min((s for s in incident["sentences"] if s in text), key=text.index, default=None) for text in sent]
        reported = list(dict.fromkeys(s for s in firsts if s is not None))
        assert [e.quote for e in event.evidence] == reported and len(reported) >= 2
        for evidence in event.evidence + [e for c in event.casualty_claims for e in c.evidence]:
            assert evidence.start is not None and doc.text[evidence.start : evidence.end] == evidence.quote
        claims = [(c.evidence[0].start, c.group, c.outcome) for c in event.casualty_claims]
        assert len(claims) == len(set(claims)) == len(incident["counts"])
    assert not [d for d in record.dropped_claims if d.statement.startswith("casualties")]  # repeats left out
    assert record.events[1].totals.killed == 7 and record.events[1].totals.injured == 23
    assert record.headline == "Three attacks in one week across the Sahel and the Horn of Africa"


def test_several_chunks_are_read_at_once_and_merged_in_chunk_order(monkeypatch: pytest.MonkeyPatch) -> None:
    hand_built = HandBuilt()
    article = load_document(LONG_ARTICLE).article_text
    later_chunk_arrived = threading.Event()

    def answer(body: dict[str, Any]) -> Answer:
        text = _sent_article(body)
        if not article.startswith(text[:80]):
            later_chunk_arrived.set()
        elif draft_name(body) == "FactsDraft" and not later_chunk_arrived.wait(timeout=10):
            return http_error(400, message="the first chunk was read alone")  # chunks one after another
        return hand_built(body)

    with ScriptedServer(responder=answer) as server:
        record, _, plan = asyncio.run(_read(server))
    assert isinstance(record, SummaryRecord) and record.failed_calls == []
    assert len(plan.chunks) > 1 and long_document.CHUNKS_AT_ONCE > 1
    # whatever order the answers came in, the record is the one chunk order gives
    monkeypatch.setattr(long_document, "CHUNKS_AT_ONCE", 1)
    with ScriptedServer(responder=HandBuilt()) as server:
        in_order, _, _ = asyncio.run(_read(server))
    assert [f.statement.rstrip(".") for f in record.key_facts] == [f.statement.rstrip(".") for f in in_order.key_facts]
    # (a repeated count is worded by whichever chunk arrived second, so compare what the events are)
    assert [(e.location.place, [q.quote for q in e.evidence]) for e in record.events] == [
        (e.location.place, [q.quote for q in e.evidence]) for e in in_order.events
    ]


def test_an_article_that_fits_is_read_whole() -> None:
    with ScriptedServer(responder=HandBuilt()) as server:
        record, doc, plan = asyncio.run(_read(server, context_tokens=None))
    assert plan.chunks == () and record.provenance.chunks == 1
    assert _chunk_texts(server, "FactsDraft") == [doc.article_text]


FAILING = "Security analysts say the group has carried out similar attacks on hotels and restaurants in the capital"


@pytest.mark.usefixtures("one_chunk_at_a_time")
def test_a_failed_chunk_is_named_by_its_span_and_the_other_chunks_facts_are_kept() -> None:
    hand_built = HandBuilt()

    def answer(body: dict[str, Any]) -> Answer:
        if draft_name(body) == "FactsDraft" and FAILING in _sent_article(body):
            return http_error(400, message="scripted failure for this chunk")
        return hand_built(body)

    with ScriptedServer(responder=answer) as server:
        record, doc, plan = asyncio.run(_read(server))
    assert isinstance(record, SummaryRecord), record
    lost = [c for c in plan.chunks if FAILING in doc.text[c.start : c.end]]
    assert len(lost) == 1 and 1 < lost[0].index < len(plan.chunks)
    chunk = lost[0]
    assert [(f.part, f.error.type, f.chunk) for f in record.failed_calls] == [
        ("facts", "provider_error", record.failed_calls[0].chunk)
    ]
    info = record.failed_calls[0].chunk
    assert info is not None and (info.index, info.total, info.start, info.end) == (
        chunk.index, chunk.total, chunk.start, chunk.end)  # fmt: skip
    span = f"chunk {chunk.index} of {chunk.total} (characters {chunk.start:,}\u2013{chunk.end:,})"
    assert f"{span}: facts not extracted: provider_error: " in "\n".join(record.warnings)
    # the other chunks' facts are all there, and the lost chunk's only where a neighbour repeats them
    others = {s for c in plan.chunks if c is not chunk for s in _facts_for(doc.text[c.start : c.end])}
    kept = {f.statement for f in record.key_facts} | {d.statement for d in record.dropped_claims}
    assert kept == others
    assert set(_facts_for(doc.text[chunk.start : chunk.end])) - others  # something was lost
    assert len(record.events) == 3  # that chunk's events call succeeded
    assert not record.provenance.first_try_valid


def test_a_document_whose_every_chunk_fails_is_an_error_record() -> None:
    def answer(body: dict[str, Any]) -> Answer:
        if draft_name(body) == "FactsDraft":
            return http_error(400, message="scripted failure for every chunk")
        return HandBuilt()(body)

    with ScriptedServer(responder=answer) as server:
        record, _, plan = asyncio.run(_read(server))
    assert isinstance(record, ErrorRecord)
    assert record.error.type == "provider_error"
    assert record.error.message.startswith(f"the facts of all {len(plan.chunks)} chunks failed; chunk 1 of ")
    assert len(server.requests_for("FactsDraft")) == len(plan.chunks) >= 3


def test_merge_joins_events_that_agree_and_knows_a_quote_by_its_span() -> None:
    doc = load_document(LONG_ARTICLE)
    kuru = INCIDENTS["Kuru"]["sentences"][0]
    event = {**INCIDENTS["Kuru"]["event"], "date_end": "2024-03-03", "date_precision": "day", "admin2": None,
             "location_precision": "place", "actors": [], "persons": [], "casualties": [], "sources": ["police"],
             "conflicting_reports": None, "quote": kuru}  # fmt: skip
    same_span = {**event, "quote": "  " + kuru.upper() + " ", "sources": ["Police", "the governor"]}
    other_day = {**event, "date_start": "2024-03-04", "date_end": "2024-03-04"}
    first = Drafts(facts=None, events=EventsDraft.model_validate({"events": [event]}))
    second = Drafts(facts=None, events=EventsDraft.model_validate({"events": [same_span, other_day]}))
    first.facts = second.facts = FactsDraft.model_validate(facts())
    chunks = [Chunk(index=1, total=2, start=0, end=10), Chunk(index=2, total=2, start=5, end=20)]
    merged = merge(doc, list(zip(chunks, [first, second], strict=True)))
    assert merged.events is not None and len(merged.events.events) == 2  # another day is another event
    assert merged.event_quotes == [[], []]  # the upper-cased quote grounds to the same span
    assert merged.events.events[0].sources == ["police", "the governor"]
    assert merged.chunks == 2


def test_the_cli_reads_a_long_article_in_chunks_and_exits_4_for_a_lost_chunk() -> None:
    hand_built = HandBuilt()

    def answer(body: dict[str, Any]) -> Answer:
        if draft_name(body) == "FactsDraft" and FAILING in _sent_article(body):
            return http_error(400, message="scripted failure for this chunk")
        return hand_built(body)

    args = ["summarize", str(LONG_ARTICLE), "--context-tokens", "4000", "--max-tokens", "500", "--max-retries", "0"]
    with ScriptedServer(responder=answer) as server:
        result = CliRunner().invoke(app, args, env={"OPENAI_BASE_URL": server.base_url})
    assert result.exit_code == 4, result.stderr
    record = json.loads(result.stdout)
    jsonschema.validate(record, json.loads(CliRunner().invoke(app, ["schema"]).stdout))
    assert record["provenance"]["chunks"] >= 3 and record["key_facts"]
    assert [c["part"] for c in record["failed_calls"]] == ["facts"]
    assert f"partial {LONG_ARTICLE}: facts missing: provider_error" in " ".join(result.stderr.split())
