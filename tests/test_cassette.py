"""Record and replay: the seed cassettes, stale detection, record modes, secrets."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from hand_built import ROOT, SEED_000, events, facts
from scripted_server import ScriptedServer, completion
from typer.testing import CliRunner

from summarizer.cassette import Cassette, RecordMode, read_interactions
from summarizer.cli import app
from summarizer.errors import CassetteError, StaleCassette

runner = CliRunner()
SEED_CASSETTES = ROOT / "tests" / "cassettes" / "seeds"
#: The same seeds recorded from llama.cpp's llama-server by scripts/record-llamaserver-cassettes.sh.
LLAMA_SERVER_CASSETTES = ROOT / "tests" / "cassettes" / "llamaserver"
#: Replaying a non-built-in endpoint needs a base URL; nothing is contacted.
REPLAY_URL = "http://127.0.0.1:9/v1"
#: Committed seed cassettes, recorded from the built-in model by scripts/record-cassettes.sh.
SEEDS = ["000_27aace103a48bbe9", "004_dd696f60cd6e8ce5"]
KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_\-]{8,}|(?i:bearer\s+[A-Za-z0-9._\-]{8,})|(?i:authorization)")


def replay_seed(seed: str, *extra: str, env: dict[str, str] | None = None, cassettes: Path = SEED_CASSETTES) -> Any:
    return runner.invoke(
        app,
        [
            "summarize",
            str(ROOT / "seeds" / f"{seed}.txt"),
            "--cassette",
            str(cassettes / f"{seed}.yaml"),
            "--record-mode",
            "none",
            "--strategy",
            "llm",
            *extra,
        ],
        env=env,
    )


def without_timestamps(record: dict[str, Any]) -> dict[str, Any]:
    record = json.loads(json.dumps(record))
    record["provenance"].pop("started_at")
    record["provenance"].pop("finished_at")
    record["provenance"]["source"].pop("path")
    return record


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_replay_reproduces_the_recorded_output(seed: str) -> None:
    first, second = replay_seed(seed), replay_seed(seed)
    assert first.exit_code == 0, first.stderr
    expected = json.loads((SEED_CASSETTES / f"{seed}.expected.json").read_text(encoding="utf-8"))
    assert without_timestamps(json.loads(first.stdout)) == without_timestamps(expected)
    assert without_timestamps(json.loads(first.stdout)) == without_timestamps(json.loads(second.stdout))


@pytest.mark.parametrize("seed", SEEDS)
def test_llama_server_replay_reproduces_the_recorded_output(seed: str) -> None:
    result = replay_seed(seed, env={"OPENAI_BASE_URL": REPLAY_URL}, cassettes=LLAMA_SERVER_CASSETTES)
    expected = json.loads((LLAMA_SERVER_CASSETTES / f"{seed}.expected.json").read_text(encoding="utf-8"))
    assert result.exit_code == (4 if expected["failed_calls"] else 0), result.stderr
    record = json.loads(result.stdout)
    assert record["provenance"]["endpoint_kind"] == "llamacpp"
    assert without_timestamps(record) == without_timestamps(expected)


def test_eval_compares_the_two_servers_on_the_same_cases(tmp_path: Path) -> None:
    builtin, llama = tmp_path / "builtin.json", tmp_path / "llama.json"
    assert (
        runner.invoke(
            app, ["eval", "run", "--config", str(ROOT / "evals" / "config.yaml"), "-o", str(builtin)]
        ).exit_code
        == 0
    )
    config = ROOT / "evals" / "llamaserver.yaml"
    result = runner.invoke(app, ["eval", "run", "--config", str(config), "--base-url", REPLAY_URL, "-o", str(llama)])
    assert result.exit_code == 0, result.stderr
    log = json.loads(llama.read_text(encoding="utf-8"))
    assert {s["output"]["provenance"]["endpoint_kind"] for s in log["samples"]} == {"llamacpp"}
    report = runner.invoke(app, ["eval", "report", str(llama), "--baseline", str(builtin), "-f", "json"])
    assert report.exit_code == 0, report.stderr
    assert json.loads(report.stdout)["comparison"]["metrics"]["fact_recall"]


def test_changed_prompt_template_fails_as_stale_and_names_it(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    template = prompts / "facts.md.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("distinct claims", "separate claims"))
    env = {"SUMMARIZER_PROMPTS_DIR": str(prompts)}
    result = replay_seed(SEEDS[0], env=env)
    assert result.exit_code == 1
    assert "stale: prompt template facts.md.j2 changed since recording" in result.stderr
    assert "re-record with" in result.stderr

    check = runner.invoke(app, ["cassettes", "check", str(SEED_CASSETTES)], env=env)
    assert check.exit_code == 1
    assert "stale: prompt template facts.md.j2 changed since recording" in check.stdout


def test_committed_cassettes_are_fresh_and_used() -> None:
    result = runner.invoke(
        app,
        [
            "cassettes",
            "check",
            str(ROOT / "tests" / "cassettes"),
            "--refs",
            str(ROOT / "tests"),
            "--refs",
            str(ROOT / "scripts"),
        ],
    )
    assert result.exit_code == 0, result.stdout


def test_unreferenced_cassette_is_reported_unused(tmp_path: Path) -> None:
    orphan = tmp_path / "orphan_run.yaml"
    shutil.copy(SEED_CASSETTES / f"{SEEDS[0]}.yaml", orphan)
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_other.py").write_text("CASSETTE = 'some_other_run.yaml'\n", encoding="utf-8")
    result = runner.invoke(app, ["cassettes", "check", str(orphan), "--refs", str(project)])
    assert result.exit_code == 1 and "unused" in result.stdout


def test_no_committed_cassette_holds_a_key_or_authorization_header() -> None:
    files = [p for root in ("tests", "evals") for p in (ROOT / root).rglob("*.yaml")]
    assert files, "no cassettes found"
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not KEY_LIKE.search(text), f"{path} holds a key-like string"


# --------------------------------------------------------------------------- record modes


def run_pipeline(server: ScriptedServer, cassette: Cassette) -> Any:
    from summarizer.load import load_document
    from summarizer.pipeline import Pipeline, PipelineSettings
    from summarizer.session import EndpointOptions, open_client

    async def run() -> Any:
        options = EndpointOptions(
            base_url=server.base_url, kind="vllm", model="scripted-model", api_key="sk-live-THISMUSTNOTLEAK123456"
        )
        async with open_client(options, cassette) as client:
            return await Pipeline(client, PipelineSettings(quote_choices=False)).summarize(load_document(SEED_000))

    return asyncio.run(run())


def test_once_records_then_replays_without_the_server(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    with ScriptedServer() as server:
        server.queue(completion(facts()), completion(events()))
        recorded = run_pipeline(server, Cassette.load(path, RecordMode.once))
    assert len(read_interactions(path)) == 2
    with ScriptedServer() as silent:  # nothing queued: every answer must come from the cassette
        replayed = run_pipeline(silent, Cassette.load(path, RecordMode.once))
        assert silent.requests == []
    assert replayed.key_facts == recorded.key_facts


def test_none_mode_names_the_closest_recording_and_the_difference(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    with ScriptedServer() as server:
        server.queue(completion(facts()), completion(events()))
        run_pipeline(server, Cassette.load(path, RecordMode.once))
    cassette = Cassette.load(path, RecordMode.none)
    with pytest.raises(CassetteError) as info:
        cassette.play("POST", "/v1/chat/completions", {**read_interactions(path)[0].body, "temperature": 0.7}, {}, {})
    message = str(info.value)
    assert "parameter temperature: recorded 0.0 != now 0.7" in message
    assert not isinstance(info.value, StaleCassette)


def test_new_appends_and_rewrite_drops_unused(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    with ScriptedServer() as server:
        server.queue(completion(facts()), completion(events()))
        run_pipeline(server, Cassette.load(path, RecordMode.once))
        other = facts(headline="Another headline")
        server.queue(completion(other))
        cassette = Cassette.load(path, RecordMode.new)
        client = httpx2.Client(transport=cassette.wrap(httpx2.HTTPTransport()))
        sync = openai.OpenAI(
            base_url=server.base_url, api_key="sk-live-THISMUSTNOTLEAK123456", http_client=client, max_retries=0
        )
        sync.chat.completions.create(model="scripted-model", messages=[{"role": "user", "content": "new one"}])
        cassette.save()
        assert len(read_interactions(path)) == 3  # appended

        server.queue(completion(facts()), completion(events()))
        rewrite = Cassette.load(path, RecordMode.rewrite)
        run_pipeline(server, rewrite)
    assert len(read_interactions(path)) == 2  # the unused third one is gone


def test_secrets_are_scrubbed_on_record_and_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    leaky = facts(summary="Echo: Bearer sk-live-THISMUSTNOTLEAK123456 and org-ABCDEFGH12345678")
    for mode in (RecordMode.once, RecordMode.rewrite):
        with ScriptedServer() as server:
            server.queue(completion(leaky), completion(events()))
            run_pipeline(server, Cassette.load(path, mode))
        text = path.read_text(encoding="utf-8")
        assert "THISMUSTNOTLEAK" not in text and "ABCDEFGH12345678" not in text
        assert "authorization" not in text.lower()


def test_concurrent_async_requests_replay(tmp_path: Path) -> None:
    path = tmp_path / "concurrent.yaml"

    async def ask_all(cassette: Cassette, base_url: str) -> list[str]:
        http = httpx2.AsyncClient(transport=cassette.wrap(httpx2.AsyncHTTPTransport()))
        client = openai.AsyncOpenAI(base_url=base_url, api_key="x", http_client=http, max_retries=0)
        answers = await asyncio.gather(
            *(
                client.chat.completions.create(model="scripted-model", messages=[{"role": "user", "content": f"q{i}"}])
                for i in range(8)
            )
        )
        await http.aclose()
        cassette.save()
        return sorted(a.choices[0].message.content or "" for a in answers)

    with ScriptedServer() as server:
        server.queue(*[completion(f"answer {i}") for i in range(8)])
        recorded = asyncio.run(ask_all(Cassette.load(path, RecordMode.once), server.base_url))
    replayed = asyncio.run(ask_all(Cassette.load(path, RecordMode.none), "http://127.0.0.1:9/v1"))
    assert replayed == recorded and len(recorded) == 8


def test_missing_cassette_in_replay_mode_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["summarize", str(SEED_000), "--cassette", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_network_wall_blocks_non_loopback_hosts() -> None:
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError), socket.create_connection(("192.0.2.1", 443), timeout=1):
        pass


def test_library_pipeline_replays_through_the_cassette_fixture(cassette: Cassette) -> None:
    """Recorded from the built-in model with: pytest tests/test_cassette.py -k fixture --record-mode=once
    (cassette: tests/cassettes/test_cassette/test_library_pipeline_replays_through_the_cassette_fixture.yaml)."""
    from summarizer.load import load_document
    from summarizer.pipeline import Pipeline, PipelineSettings
    from summarizer.session import EndpointOptions, open_client

    async def run() -> Any:
        async with open_client(EndpointOptions(), cassette) as client:
            settings = PipelineSettings(extract_events=False, strategy="llm")
            return await Pipeline(client, settings).summarize(load_document(ROOT / "seeds" / f"{SEEDS[1]}.txt"))

    record = asyncio.run(run())
    assert record.provenance.endpoint_kind == "builtin" and record.events == []
    text = (ROOT / "seeds" / f"{SEEDS[1]}.txt").read_text(encoding="utf-8")
    for fact in record.key_facts:
        for ev in fact.evidence:
            assert ev.match.value != "exact" or text[ev.start : ev.end] == ev.quote


def test_interrupted_rewrite_keeps_the_old_cassette(tmp_path: Path) -> None:
    from summarizer.session import EndpointOptions, open_client

    path = tmp_path / "run.yaml"
    with ScriptedServer() as server:
        server.queue(completion(facts()), completion(events()))
        run_pipeline(server, Cassette.load(path, RecordMode.once))
    before = path.read_text(encoding="utf-8")

    async def interrupted() -> None:
        options = EndpointOptions(base_url=server.base_url, kind="vllm", model="scripted-model")
        async with open_client(options, Cassette.load(path, RecordMode.rewrite)) as client:
            await client._openai.models.list()  # one new interaction is recorded, then Ctrl-C
            raise KeyboardInterrupt

    with ScriptedServer() as server, pytest.raises(KeyboardInterrupt):
        asyncio.run(interrupted())
    assert path.read_text(encoding="utf-8") == before
