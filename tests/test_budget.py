"""The run's token budget holds under concurrency (a scripted server reports 150 tokens a call)."""

from __future__ import annotations

import json
from pathlib import Path

from hand_built import SEED_000
from scripted_server import ScriptedServer
from test_reliability import FREE, distinct_docs, hand_built_answer
from typer.testing import CliRunner

from summarizer.cli import app

runner = CliRunner()


def test_run_token_budget_holds_at_concurrency_3(tmp_path: Path) -> None:
    assert SEED_000.exists()
    docs = distinct_docs(tmp_path / "docs", 3)
    out = tmp_path / "out.jsonl"
    with ScriptedServer(responder=hand_built_answer) as server:
        result = runner.invoke(app, ["summarize", *map(str, docs), *FREE, "--concurrency", "3", "--format", "jsonl",
                                     "-o", str(out), "--run-token-budget", "250"],
                               env={"OPENAI_BASE_URL": server.base_url})  # fmt: skip
        calls = len(server.requests)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    spent = sum((r.get("usage") or r.get("provenance", {}).get("usage"))["total_tokens"] for r in records)
    assert calls == 2 and spent == 300  # the call that crossed 250 is the only overshoot
    assert result.exit_code == 1
    assert any(r.get("error", {}).get("type") == "budget_exceeded" for r in records)
