"""The one transport retry policy: tenacity, wrapped around the HTTP transport.

Retries 429 (honouring Retry-After up to a cap), 5xx, timeouts and connection errors
with exponential backoff and jitter.  It sits below the openai client, whose own
``max_retries`` is 0, so the two layers never multiply.  The response body is read
inside the attempt, so a connection reset mid-body is retried too.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_EXCEPTIONS: tuple[type[BaseException], ...] = (
    httpx2.TimeoutException,
    httpx2.NetworkError,
    httpx2.RemoteProtocolError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry one HTTP request."""

    max_attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 8.0
    retry_after_cap: float = 30.0
    deadline: float = 120.0
    jitter: float = 0.5


class RetryableStatus(Exception):
    """An HTTP answer worth retrying; carries the response (body already read)."""

    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # '-0000': HTTP dates are always UTC (RFC 9110), never local time
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class _Wait:
    """Exponential backoff with jitter, replaced by Retry-After when the server sends one."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._backoff = wait_exponential_jitter(
            multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.jitter
        )

    def __call__(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, RetryableStatus):
            retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
            if retry_after is not None:
                return min(retry_after, self._policy.retry_after_cap)
        return float(self._backoff(state))


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    logger.warning("transport retry %d after %s; waiting %.2fs", state.attempt_number, exc, wait)


#: Error codes in a 429 body that no wait will cure (OpenAI: the account's quota is used up).
FINAL_ERROR_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached", "access_terminated"})


def final_error_code(content: bytes) -> str | None:
    """The error code of an answer that must not be retried (e.g. ``insufficient_quota``), or None."""
    try:
        error = json.loads(content).get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    codes = {str(error.get("code")), str(error.get("type"))} & FINAL_ERROR_CODES
    return min(codes) if codes else None


def _check(response: httpx2.Response, policy: RetryPolicy) -> httpx2.Response:
    """Raise for answers worth retrying; a Retry-After beyond the cap, or a 429 that waiting
    cannot cure (insufficient_quota), is handed back at once."""
    if response.status_code == 429 and (code := final_error_code(response.content)):
        logger.warning("the endpoint answered 429 %s; not retrying", code)
        return response
    if response.status_code in RETRY_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None and retry_after > policy.retry_after_cap:
            logger.warning(
                "server asked to wait %.0fs, over the %.0fs cap; not retrying", retry_after, policy.retry_after_cap
            )
            return response
        raise RetryableStatus(response)
    return response


def _last_response(state: RetryCallState) -> httpx2.Response:
    """When retries run out on an HTTP status, hand the last answer to the client."""
    exc = state.outcome.exception() if state.outcome is not None else None
    if isinstance(exc, RetryableStatus):
        return exc.response
    assert exc is not None
    raise exc


def _retry_kwargs(policy: RetryPolicy) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.deadline),
        "wait": _Wait(policy),
        "retry": retry_if_exception_type((RetryableStatus, *RETRY_EXCEPTIONS)),
        "before_sleep": _log_retry,
        "retry_error_callback": _last_response,
    }


def _rebuild(response: httpx2.Response, content: bytes) -> httpx2.Response:
    return httpx2.Response(
        status_code=response.status_code,
        headers=response.headers,
        content=content,
        extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
    )


class RetryTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """An httpx transport that applies :class:`RetryPolicy` around an inner transport."""

    def __init__(
        self,
        inner: httpx2.BaseTransport | httpx2.AsyncBaseTransport,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send with retries (sync)."""
        assert isinstance(self.inner, httpx2.BaseTransport)
        inner = self.inner

        def attempt() -> httpx2.Response:
            response = inner.handle_request(request)
            try:
                content = response.read()
            finally:
                response.close()
            return _check(_rebuild(response, content), self.policy)

        result: httpx2.Response = Retrying(**_retry_kwargs(self.policy))(attempt)
        return result

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send with retries (async)."""
        assert isinstance(self.inner, httpx2.AsyncBaseTransport)
        inner = self.inner

        async def attempt() -> httpx2.Response:
            response = await inner.handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            return _check(_rebuild(response, content), self.policy)

        result: httpx2.Response = await AsyncRetrying(**_retry_kwargs(self.policy))(attempt)
        return result

    def close(self) -> None:
        """Close the inner transport."""
        if isinstance(self.inner, httpx2.BaseTransport):
            self.inner.close()

    async def aclose(self) -> None:
        """Close the inner transport."""
        if isinstance(self.inner, httpx2.AsyncBaseTransport):
            await self.inner.aclose()
