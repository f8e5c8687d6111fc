"""Shared fixtures: a clean environment, and a network wall (pytest-socket) that lets
tests reach only loopback; see ``addopts`` in pyproject.toml."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scripted_server import ScriptedServer

from summarizer.cassette import Cassette, RecordMode
from summarizer.redact import forget_secrets

CASSETTE_DIR = Path(__file__).resolve().parent / "cassettes"


def pytest_addoption(parser: pytest.Parser) -> None:
    """--record-mode for the ``cassette`` fixture: none (default, replay only), once, new, rewrite."""
    parser.addoption(
        "--record-mode",
        default="none",
        choices=[mode.value for mode in RecordMode],
        help="cassette record mode for tests that use the cassette fixture",
    )


ENV_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "SUMMARIZER_PROMPTS_DIR")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's endpoint or key, nor a secret an earlier test registered."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    forget_secrets()
    yield
    forget_secrets()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def cassette(request: pytest.FixtureRequest) -> Iterator[Cassette]:
    """The test's own cassette, next to the tests: cassettes/<module>/<test>.yaml."""
    module = Path(str(request.node.fspath)).stem
    path = CASSETTE_DIR / module / f"{request.node.name}.yaml"
    recorder = Cassette.load(path, request.config.getoption("--record-mode"))
    yield recorder
    recorder.save()
