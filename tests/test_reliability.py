"""Reliability: a 429 storm within budget and deadline, a directory of messy files,
SIGKILL then --resume, prompt injection, and no secret in anything written."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hand_built import HAND_BUILT_EVENTS_000, HAND_BUILT_FACTS_000, ROOT, SEED_000
from scripted_server import Answer, ScriptedServer, completion, draft_name, http_error
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.pipeline import Pipeline, PipelineSettings
from summarizer.retry import RetryPolicy
from summarizer.session import EndpointOptions, open_client

runner = CliRunner()
FREE = ["--quotes", "free", "--endpoint-kind", "vllm", "--model", "scripted-model"]
FAKE_KEY = "sk-test-FAKEKEY0123456789abcdef"


def hand_built_answer(body: dict[str, Any]) -> Answer:
    """Answer each request with the hand-built draft it asks for."""
    answer = completion(HAND_BUILT_FACTS_000 if draft_name(body) == "FactsDraft" else HAND_BUILT_EVENTS_000)
    answer.delay = 0.1
    return answer


def distinct_docs(directory: Path, count: int) -> list[Path]:
    """Copies of seed 000 that differ in one trailing line (so their content hashes differ)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = SEED_000.read_text(encoding="utf-8")
    paths = []
    for i in range(count):
        path = directory / f"doc{i:02d}.txt"
        path.write_text(text.replace("Shawn Snow is", f"(Copy {i}.) Shawn Snow is"), encoding="utf-8")
        paths.append(path)
    return paths


def test_429_storm_on_a_batch_respects_the_retry_budget(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.queue(*[http_error(429) for _ in range(50)])
    policy = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.0)

    async def run() -> list[Any]:
        options = EndpointOptions(base_url=scripted.base_url, kind="vllm", model="scripted-model", retry=policy)
        async with open_client(options) as client:
            pipeline = Pipeline(client, PipelineSettings(quote_choices=False))
            return await pipeline.run_batch([str(p) for p in distinct_docs(tmp_path, 3)], concurrency=3)

    records = asyncio.run(run())
    assert [r.error.type for r in records] == ["rate_limit_exhausted"] * 3
    # each call (facts and events, at once) stops at its own retry budget
    assert len(scripted.requests) == 3 * 2 * policy.max_attempts


def test_429_storm_stops_at_the_run_deadline(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.queue(*[http_error(429) for _ in range(200)])
    docs = distinct_docs(tmp_path / "docs", 3)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["summarize", *map(str, docs), *FREE, "--format", "jsonl", "-o", str(out),
                                 "--concurrency", "1", "--deadline", "1.5"],
                           env={"OPENAI_BASE_URL": scripted.base_url})  # fmt: skip
    assert result.exit_code == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3 and all(r["error"]["type"] == "deadline_exceeded" for r in records)
    assert "before" in records[2]["error"]["message"]  # the last document was never started
    assert len(scripted.requests) <= 5  # one document's retries, cut off by the deadline


def test_directory_of_mixed_files(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_good.txt").write_text(SEED_000.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b_empty.txt").write_text("  \n\t\n", encoding="utf-8")
    (folder / "c_binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (folder / "d_latin1.txt").write_bytes("Le caf\xe9 a \xe9t\xe9 ferm\xe9 apr\xe8s le raid.\n".encode("latin-1") * 5)
    (folder / "e_page.html").write_text("<html><body><nav>Home | World</nav><article><h1>Raid</h1><p>"
                                        + SEED_000.read_text(encoding="utf-8").split("\n")[0]
                                        + "</p></article><div class='comments'>Great!</div></body></html>",
                                        encoding="utf-8")  # fmt: skip
    (folder / ".hidden.txt").write_text("secret notes", encoding="utf-8")
    out = tmp_path / "out"
    with ScriptedServer(responder=hand_built_answer) as server:
        result = runner.invoke(app, ["summarize", str(folder), *FREE, "-o", f"{out}/", "--max-reasks", "0"],
                               env={"OPENAI_BASE_URL": server.base_url})  # fmt: skip
    assert result.exit_code == 2, result.stderr  # the only failures are bad input
    assert "Traceback" not in result.stdout + result.stderr
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}
    assert set(records) == {"a_good", "b_empty", "c_binary", "d_latin1", "e_page"}
    assert records["b_empty"]["error"]["message"].endswith("empty document")
    assert "binary file" in records["c_binary"]["error"]["message"]
    for name in ("a_good", "d_latin1", "e_page"):
        assert records[name]["kind"] == "summary"
    assert "Great!" not in json.dumps(records["e_page"]) and "Home | World" not in json.dumps(records["e_page"])


def test_too_large_file_is_refused_with_the_limit(tmp_path: Path, scripted: ScriptedServer) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (2 * 1024 * 1024))
    result = runner.invoke(app, ["summarize", str(big), *FREE], env={"OPENAI_BASE_URL": scripted.base_url})
    assert result.exit_code == 2 and "exceeds the limit of 2,000,000 bytes" in result.stderr
    assert scripted.requests == []  # never handed to the model


def test_sigkill_midway_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    docs = distinct_docs(tmp_path / "docs", 6)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer.cli", "summarize", *map(str, docs), *FREE, "--format", "jsonl",
               "-o", str(out), "--concurrency", "1"]  # fmt: skip
    with ScriptedServer(responder=hand_built_answer) as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url}
        env.pop("OPENAI_API_KEY", None)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):  # wait (at most 30 s) until two documents are written
                if out.exists() and len(out.read_text(encoding="utf-8").splitlines()) >= 2:
                    break
                time.sleep(0.1)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=10)
        written_before = len(out.read_text(encoding="utf-8").splitlines())
        assert 2 <= written_before < 6
        resumed = subprocess.run([*command, "--resume"], env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {written_before} documents already done" in resumed.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    paths = sorted(r["provenance"]["source"]["path"] for r in records)
    assert paths == sorted(map(str, docs))  # every document exactly once


def test_prompt_injection_is_treated_as_data() -> None:
    article = ROOT / "tests" / "data" / "injection_article.txt"
    cassette = ROOT / "tests" / "cassettes" / "reliability" / "injection_article.yaml"
    result = runner.invoke(app, ["summarize", str(article), "--cassette", str(cassette), "--record-mode", "none"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    written = [record["headline"], record["summary"]]
    written += [f["statement"] for f in record["key_facts"]]
    written += [a["name"] for e in record["events"] for a in e["actors"]]
    for text in written:
        assert "ALL CLEAR" not in text.upper() and "NEVER HAPPENED" not in text.upper(), text


@pytest.mark.parametrize("failure", ["unauthorized", "server_errors", "invalid_json"])
def test_fake_key_never_reaches_anything_written(tmp_path: Path, failure: str) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def answer(body: dict[str, Any]) -> Answer:
        if failure == "unauthorized":
            return http_error(401, message=f"Incorrect API key provided: {FAKE_KEY}. Bearer {FAKE_KEY}")
        if failure == "server_errors":
            return http_error(500, message=f"upstream failed for key {FAKE_KEY}")
        return completion(f"not json, your key is {FAKE_KEY}")

    with ScriptedServer(responder=answer) as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": FAKE_KEY}
        result = subprocess.run(
            [sys.executable, "-m", "summarizer.cli", "summarize", str(SEED_000), *FREE, "-vv", "--format", "jsonl",
             "-o", str(out_dir / "out.jsonl"), "--cassette", str(out_dir / "run.yaml"), "--record-mode", "once",
             "--max-reasks", "1", "--max-retries", "2"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert server.requests, "the endpoint was never called"
    (out_dir / "stdout.txt").write_text(result.stdout, encoding="utf-8")
    (out_dir / "stderr.txt").write_text(result.stderr, encoding="utf-8")
    assert result.returncode == 1 and "DEBUG" in result.stderr  # the failure path ran, with debug logging
    written = {p.name: p.read_text(encoding="utf-8") for p in out_dir.iterdir()}
    assert {"out.jsonl", "run.yaml", "stderr.txt"} <= set(written)
    for name, text in written.items():
        assert FAKE_KEY not in text, f"{name} leaks the key"
        assert "FAKEKEY" not in text, f"{name} leaks part of the key"


def test_document_timeout_and_run_token_budget(tmp_path: Path) -> None:
    docs = distinct_docs(tmp_path / "docs", 3)

    def slow(body: dict[str, Any]) -> Answer:
        answer = hand_built_answer(body)
        answer.delay = 2.0
        return answer

    with ScriptedServer(responder=slow) as server:
        timed = runner.invoke(app, ["summarize", str(docs[0]), *FREE, "--doc-timeout", "0.5", "--max-retries", "0"],
                              env={"OPENAI_BASE_URL": server.base_url})  # fmt: skip
    assert timed.exit_code == 1 and json.loads(timed.stdout)["error"]["type"] == "deadline_exceeded"

    with ScriptedServer(responder=hand_built_answer) as server:
        out = tmp_path / "budget.jsonl"
        budget = runner.invoke(app, ["summarize", *map(str, docs), *FREE, "--concurrency", "1", "--format", "jsonl",
                                     "-o", str(out), "--run-token-budget", "250"],
                               env={"OPENAI_BASE_URL": server.base_url})  # fmt: skip
    kinds = [json.loads(line).get("error", {}).get("type", "summary") for line in out.read_text().splitlines()]
    assert budget.exit_code == 1
    assert kinds == ["summary", "budget_exceeded", "budget_exceeded"]  # 300 tokens spent by the first
