"""The pipeline runs a document's facts and events calls at once, and still fails, cancels and
counts each call correctly."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from hand_built import HAND_BUILT_EVENTS_000, HAND_BUILT_FACTS_000, SEED_000, events, facts
from scripted_server import Answer, ScriptedServer, completion, draft_name, http_error

from summarizer.errors import DeadlineExceeded, ProviderError
from summarizer.load import load_document
from summarizer.pipeline import Pipeline, PipelineSettings
from summarizer.retry import RetryPolicy
from summarizer.runs import RunLimits
from summarizer.schema import ErrorRecord, SummaryRecord
from summarizer.session import EndpointOptions, open_client

NO_RETRY = RetryPolicy(max_attempts=1, initial_wait=0.01, max_wait=0.01, jitter=0.0)


async def _summarize(server: ScriptedServer, **settings: Any) -> SummaryRecord:
    options = EndpointOptions(base_url=server.base_url, kind="vllm", model="scripted-model", retry=NO_RETRY)
    async with open_client(options) as client:
        return await Pipeline(client, PipelineSettings(quote_choices=False, **settings)).summarize(
            load_document(SEED_000)
        )


def test_the_facts_answer_waits_for_the_events_request_so_both_are_in_flight_at_once() -> None:
    events_arrived = threading.Event()

    def answer(body: dict[str, Any]) -> Answer:
        if draft_name(body) == "EventsDraft":
            events_arrived.set()
            return completion(HAND_BUILT_EVENTS_000)
        # Were the calls made one after another, the events request could not arrive before this
        # answer is sent, and the wait would give up.
        overlapped = events_arrived.wait(timeout=10)
        return completion(HAND_BUILT_FACTS_000) if overlapped else http_error(500, message="events never came")

    with ScriptedServer(responder=answer) as server:
        record = asyncio.run(_summarize(server))
    assert events_arrived.is_set()
    assert len(record.key_facts) == 2 and len(record.events) == 1
    assert record.provenance.attempts == 2 and record.provenance.reasks == 0
    assert record.provenance.usage.total_tokens == 2 * 150


def test_a_failed_facts_call_fails_the_document_after_the_events_call_ends(scripted: ScriptedServer) -> None:
    scripted.queue(http_error(400, message="facts refused", draft="FactsDraft"), completion(events()))
    with pytest.raises(ProviderError, match="facts refused"):
        asyncio.run(_summarize(scripted))
    assert [draft_name(r["body"]) for r in scripted.requests].count("EventsDraft") == 1


def test_a_failed_events_call_keeps_the_facts_and_counts_its_attempt(scripted: ScriptedServer) -> None:
    scripted.queue(completion(facts()), http_error(400, message="events refused", draft="EventsDraft"))
    record = asyncio.run(_summarize(scripted))
    assert len(record.key_facts) == 2 and record.events == []
    assert [(c.part, c.error.type) for c in record.failed_calls] == [("events", "provider_error")]
    assert record.provenance.attempts == 2 and not record.provenance.first_try_valid


def test_a_deadline_cancels_both_calls_in_flight(scripted: ScriptedServer) -> None:
    scripted.queue(
        Answer(**{**completion(facts()).__dict__, "delay": 3.0}),
        Answer(**{**completion(events()).__dict__, "delay": 3.0}),
    )

    async def run() -> Any:
        options = EndpointOptions(base_url=scripted.base_url, kind="vllm", model="scripted-model", retry=NO_RETRY)
        async with open_client(options) as client:
            pipeline = Pipeline(client, PipelineSettings(quote_choices=False))
            record = await pipeline.run_one(str(SEED_000), RunLimits(doc_timeout_s=0.3))
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            return record, pending

    record, pending = asyncio.run(run())
    assert isinstance(record, ErrorRecord) and record.error.type == DeadlineExceeded.kind
    assert pending == []  # neither call is left running after the document gave up
    assert len(scripted.requests) == 2


def test_run_batch_keeps_concurrency_documents_in_flight_and_can_stream_without_keeping(tmp_path: Any) -> None:
    text = SEED_000.read_text(encoding="utf-8")
    sources = []
    for i in range(6):
        path = tmp_path / f"doc{i}.txt"
        path.write_text(f"Dispatch {i}.\n\n{text}", encoding="utf-8")
        sources.append(str(path))
    lock, in_flight, most = threading.Lock(), [0], [0]

    def answer(body: dict[str, Any]) -> Answer:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.05)  # hold the answer a moment, so documents overlap if they can
            draft = HAND_BUILT_FACTS_000 if draft_name(body) == "FactsDraft" else HAND_BUILT_EVENTS_000
            return completion(draft)
        finally:
            with lock:
                in_flight[0] -= 1

    seen: list[Any] = []

    async def run() -> list[Any]:
        options = EndpointOptions(base_url=server.base_url, kind="vllm", model="scripted-model", retry=NO_RETRY)
        async with open_client(options) as client:
            pipeline = Pipeline(client, PipelineSettings(quote_choices=False))
            return await pipeline.run_batch(sources, concurrency=2, on_record=seen.append, keep=False)

    with ScriptedServer(responder=answer) as server:
        returned = asyncio.run(run())
    assert returned == []  # nothing kept: every record went to on_record
    assert sorted(r.provenance.source.path for r in seen) == sorted(sources)
    assert all(isinstance(r, SummaryRecord) and len(r.key_facts) == 2 for r in seen)
    assert 2 < most[0] <= 4  # two documents at a time, each with its two calls at once


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Answer(body=b"<html>gateway</html>", headers={"Content-Type": "application/json"}, draft="FactsDraft"),
         "could not be read"),
        (Answer(body=b'{"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": '
                     b'[{"index": 0, "finish_reason": "stop", "message": null}]}',
                headers={"Content-Type": "application/json"}, draft="FactsDraft"),
         "without a message"),
    ],
)  # fmt: skip
def test_an_unreadable_answer_is_a_provider_error_record_and_the_run_goes_on(
    tmp_path: Any, bad: Answer, message: str
) -> None:
    """Hand-built answers: an HTTP 200 whose body is not JSON, and a choice with no message."""
    second = tmp_path / "second.txt"
    second.write_text("Dispatch 2.\n\n" + SEED_000.read_text(encoding="utf-8"), encoding="utf-8")

    def answer(body: dict[str, Any]) -> Answer:
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        if "Dispatch 2." not in user and draft_name(body) == "FactsDraft":
            return bad
        return completion(HAND_BUILT_FACTS_000 if draft_name(body) == "FactsDraft" else HAND_BUILT_EVENTS_000)

    async def run() -> list[Any]:
        options = EndpointOptions(base_url=server.base_url, kind="vllm", model="scripted-model", retry=NO_RETRY)
        async with open_client(options) as client:
            pipeline = Pipeline(client, PipelineSettings(quote_choices=False))
            return await pipeline.run_batch([str(SEED_000), str(second)], concurrency=1)

    with ScriptedServer(responder=answer) as server:
        first, then = asyncio.run(run())
    assert isinstance(first, ErrorRecord) and first.error.type == "provider_error" and message in first.error.message
    assert isinstance(then, SummaryRecord) and len(then.key_facts) == 2
