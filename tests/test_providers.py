"""Endpoint detection: a failed GET /models is a clear error, never a silent switch to another model."""

from __future__ import annotations

import asyncio
import logging

import httpx2
import pytest
from scripted_server import ScriptedServer

from summarizer.errors import ConfigError
from summarizer.providers import DEFAULT_OPENAI_MODEL, Endpoint, resolve_endpoint


def resolve(base_url: str, **given: str | None) -> Endpoint:
    async def run() -> Endpoint:
        options: dict[str, str | None] = {"model": None, "kind": None, "mode": None, **given}
        async with httpx2.AsyncClient() as http:
            return await resolve_endpoint(http, base_url=base_url, api_key=None, **options)  # type: ignore[arg-type]

    return asyncio.run(run())


def test_models_probe_4xx_is_an_error_naming_the_server() -> None:
    expected = r"GET http://127\.0\.0\.1:\d+/v1/models answered HTTP 404"
    with ScriptedServer(models_status=404) as server, pytest.raises(ConfigError, match=expected):
        resolve(server.base_url, model="scripted-model")


def test_unknown_server_keeps_its_own_model_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with ScriptedServer(models=("their-model",), owned_by="someone") as server, caplog.at_level(logging.WARNING):
        endpoint = resolve(server.base_url)
    assert (endpoint.kind, endpoint.model) == ("openai", "their-model")
    assert "does not say which server it is" in caplog.text


def test_openai_without_model_uses_the_documented_default_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        endpoint = resolve("http://127.0.0.1:9/v1", kind="openai")  # never contacted
    assert endpoint.model == DEFAULT_OPENAI_MODEL and "no --model given" in caplog.text
