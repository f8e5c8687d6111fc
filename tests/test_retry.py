"""The transport retry policy, against a real scripted HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from hand_built import HAND_BUILT_FACTS_000
from scripted_server import Answer, ScriptedServer, completion, http_error, raw

from summarizer.call import ModelClient
from summarizer.drafts import FactsDraft
from summarizer.errors import ProviderError, RateLimitExhausted
from summarizer.retry import RetryPolicy, parse_retry_after
from summarizer.session import EndpointOptions, open_client

FAST = RetryPolicy(max_attempts=4, initial_wait=0.01, max_wait=0.05, retry_after_cap=2.0, deadline=30.0, jitter=0.01)
MESSAGES = [{"role": "user", "content": "summarize"}]


def attempt(server: ScriptedServer, policy: RetryPolicy = FAST, timeout: float = 30.0) -> Any:
    async def run() -> Any:
        options = EndpointOptions(
            base_url=server.base_url,
            kind="vllm",
            model="scripted-model",
            retry=policy,
            timeout=timeout,
            api_key="sk-test-not-a-real-key-000",
        )
        async with open_client(options) as client:
            assert isinstance(client, ModelClient)
            return await client.attempt(
                FactsDraft, MESSAGES, max_tokens=512, temperature=0.0, template_tag="t@1", schema_tag="s@1"
            )

    return asyncio.run(run())


def test_429_with_retry_after_then_500_then_valid_succeeds(
    scripted: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    scripted.queue(http_error(429, retry_after="1"), http_error(500), completion(HAND_BUILT_FACTS_000))
    with caplog.at_level(logging.WARNING, logger="summarizer.retry"):
        result = attempt(scripted)
    assert result.parsed is not None
    assert result.parsed.headline == HAND_BUILT_FACTS_000["headline"]
    assert len(scripted.requests) == 3
    waits = [r.getMessage() for r in caplog.records]
    assert "waiting 1.00s" in waits[0], waits  # Retry-After honoured
    assert "HTTP 500" in waits[1]


def test_retry_after_beyond_cap_fails_at_once_with_rate_limit_error(scripted: ScriptedServer) -> None:
    scripted.queue(http_error(429, retry_after="3600"), completion(HAND_BUILT_FACTS_000))
    with pytest.raises(RateLimitExhausted, match="asked to wait 3600s"):
        attempt(scripted)
    assert len(scripted.requests) == 1


def test_429_storm_exhausts_attempts(scripted: ScriptedServer) -> None:
    scripted.queue(*[http_error(429) for _ in range(FAST.max_attempts)])
    with pytest.raises(RateLimitExhausted, match="retries exhausted"):
        attempt(scripted)
    assert len(scripted.requests) == FAST.max_attempts


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried(scripted: ScriptedServer, status: int) -> None:
    scripted.queue(http_error(status), http_error(status), completion(HAND_BUILT_FACTS_000))
    assert attempt(scripted).parsed is not None
    assert len(scripted.requests) == 3


def test_persistent_500_becomes_provider_error(scripted: ScriptedServer) -> None:
    scripted.queue(*[http_error(500, message="boom") for _ in range(FAST.max_attempts)])
    with pytest.raises(ProviderError, match="HTTP 500: boom"):
        attempt(scripted)


def test_connection_reset_mid_body_is_retried(scripted: ScriptedServer) -> None:
    broken = completion(HAND_BUILT_FACTS_000)
    broken.reset_mid_body = True
    scripted.queue(broken, completion(HAND_BUILT_FACTS_000))
    assert attempt(scripted).parsed is not None
    assert len(scripted.requests) == 2


def test_hang_past_timeout_is_retried(scripted: ScriptedServer) -> None:
    hang = completion(HAND_BUILT_FACTS_000)
    hang.delay = 1.5
    scripted.queue(hang, completion(HAND_BUILT_FACTS_000))
    assert attempt(scripted, timeout=0.5).parsed is not None


def test_non_retryable_status_is_not_retried(scripted: ScriptedServer) -> None:
    scripted.queue(http_error(400, message="bad request"), completion(HAND_BUILT_FACTS_000))
    with pytest.raises(ProviderError, match="HTTP 400"):
        attempt(scripted)
    assert len(scripted.requests) == 1


def test_the_openai_client_itself_does_not_retry(scripted: ScriptedServer) -> None:
    """Only our policy retries: one attempt allowed means exactly one request."""
    scripted.queue(http_error(500), completion(HAND_BUILT_FACTS_000))
    with pytest.raises(ProviderError):
        attempt(scripted, policy=RetryPolicy(max_attempts=1))
    assert len(scripted.requests) == 1


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0) == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0


def test_non_json_http_body_is_a_provider_error_not_a_reask(scripted: ScriptedServer) -> None:
    scripted.queue(raw(b"<html>gateway</html>", content_type="text/html"))
    with pytest.raises(ProviderError):
        attempt(scripted)
    assert len(scripted.requests) == 1  # never fed back to the model


def test_unused_answer_helper_is_plain_data() -> None:
    assert Answer().status == 200


def test_retry_after_date_in_minus_0000_is_utc_not_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 -0000", now=1445412480.0) == 10.0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_insufficient_quota_429_is_not_retried_and_named(scripted: ScriptedServer) -> None:
    error = {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota"}
    body = json.dumps({"error": error}).encode()
    scripted.queue(Answer(status=429, body=body, headers={"Content-Type": "application/json"}))
    with pytest.raises(ProviderError, match="insufficient_quota") as caught:
        attempt(scripted)
    assert not isinstance(caught.value, RateLimitExhausted)
    assert len(scripted.requests) == 1
