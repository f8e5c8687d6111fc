"""Open a model client: pick the endpoint (or start the built-in model), build the HTTP
stack (retry policy over optional cassette over the network) and close it all after.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Protocol

import httpx2

from summarizer.cache import ResponseCache
from summarizer.call import ModelClient
from summarizer.local_model import builtin_server
from summarizer.providers import BUILTIN_MODEL, Endpoint, resolve_endpoint
from summarizer.redact import register_secret
from summarizer.retry import RetryPolicy, RetryTransport

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
#: Base URL used when replaying built-in model cassettes without starting the model.
REPLAY_BUILTIN_URL = "http://127.0.0.1:9/v1"


class TransportRecorder(Protocol):
    """What a cassette offers the session (see :mod:`summarizer.cassette`)."""

    @property
    def needs_live_endpoint(self) -> bool:
        """False when every request will be answered from the recording."""

    def wrap(self, inner: httpx2.AsyncBaseTransport) -> httpx2.AsyncBaseTransport:
        """Wrap the network transport."""

    def save(self, complete: bool = True) -> None:
        """Write the recording (no-op in replay); ``complete`` is False when the run was interrupted."""


@dataclass(frozen=True)
class EndpointOptions:
    """Endpoint choices from flags and environment. The key never appears in repr."""

    base_url: str | None = None
    model: str | None = None
    kind: str | None = None
    mode: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 600.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Sampling seed sent to servers that take one (see :mod:`summarizer.sampling`).
    seed: int | None = 0

    @classmethod
    def from_env(cls, **overrides: object) -> EndpointOptions:
        """Options with OPENAI_BASE_URL and OPENAI_API_KEY filled in from the environment."""
        values: dict[str, object] = {
            "base_url": os.environ.get("OPENAI_BASE_URL") or None,
            "api_key": os.environ.get("OPENAI_API_KEY") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def uses_builtin(self) -> bool:
        """No endpoint and no key configured: use the built-in model."""
        return self.base_url is None and self.api_key is None

    def expected_kind(self, replay_only: bool) -> str:
        """The endpoint kind known before connecting: the one given, "builtin" for the built-in model
        (or a cassette replayed with no endpoint chosen), else "openai" standing for a server whose
        kind is detected on connecting."""
        if self.kind:
            return self.kind
        return "builtin" if self.uses_builtin or (replay_only and self.base_url is None) else "openai"

    def replays_builtin(self, recorder: TransportRecorder | None) -> bool:
        """Replaying a cassette with no endpoint chosen: the key in the environment is not
        used (nothing goes to the network), so the cassette replays as the built-in model's."""
        replay_only = recorder is not None and not recorder.needs_live_endpoint
        return replay_only and self.base_url is None and self.kind in (None, "builtin")


def _saver(recorder: TransportRecorder) -> Callable[..., bool]:
    """An exit callback that saves the cassette, marked incomplete when the run raised (Ctrl-C)."""

    def save(exc_type: type[BaseException] | None, *_: object) -> bool:
        recorder.save(complete=exc_type is None)
        return False

    return save


@asynccontextmanager
async def open_client(
    options: EndpointOptions,
    recorder: TransportRecorder | None = None,
    *,
    start_builtin: bool = True,
    cache: ResponseCache | None = None,
) -> AsyncIterator[ModelClient]:
    """Yield a ready :class:`ModelClient`; stop the built-in server and save cassettes on exit.

    ``start_builtin=False``: the run makes no model call (the evidence strategy without assists), so
    the built-in server is not started; a call would fail loudly (nothing listens at its address).
    ``cache``: answers already cached are not sent (below a cassette, above the network)."""
    register_secret(options.api_key)
    async with AsyncExitStack() as stack:
        # keep-alive for every request in flight (httpx's default keeps only 20 and reconnects)
        limits = httpx2.Limits(max_connections=256, max_keepalive_connections=256)
        transport: httpx2.AsyncBaseTransport = httpx2.AsyncHTTPTransport(limits=limits)
        if cache is not None:
            transport = cache.wrap(transport)
        if recorder is not None:
            transport = recorder.wrap(transport)
            stack.push(_saver(recorder))
        http = httpx2.AsyncClient(
            transport=RetryTransport(transport, options.retry),
            timeout=httpx2.Timeout(options.timeout, connect=10.0),
        )
        stack.push_async_callback(http.aclose)
        if options.uses_builtin or options.replays_builtin(recorder):
            live = (recorder is None or recorder.needs_live_endpoint) and start_builtin
            base_url = stack.enter_context(builtin_server()) if live else REPLAY_BUILTIN_URL
            endpoint = Endpoint(
                base_url=base_url,
                kind="builtin",
                model=options.model or BUILTIN_MODEL,
                mode_name=options.mode or "json_schema",
            )
        else:
            endpoint = await resolve_endpoint(
                http,
                base_url=options.base_url or OPENAI_DEFAULT_BASE_URL,
                api_key=options.api_key,
                model=options.model,
                kind=options.kind or ("openai" if options.base_url is None else None),
                mode=options.mode,
            )
        yield ModelClient(replace(endpoint, seed=options.seed), http)
