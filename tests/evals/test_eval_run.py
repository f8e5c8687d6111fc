"""``eval run``: choosing cases and the model's sampling options, through the CLI from a
directory outside the checkout, replaying the committed seed cassettes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hand_built import ROOT
from typer.testing import CliRunner

from summarizer.cli import app

runner = CliRunner()
CONFIG = ROOT / "evals" / "config.yaml"
IDS = ["000_27aace103a48bbe9", "004_dd696f60cd6e8ce5"]


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def eval_run(*args: str) -> tuple[int, str, Any]:
    result = runner.invoke(app, ["eval", "run", "--config", str(CONFIG), "-o", "run.json", *args])
    log = json.loads(Path("run.json").read_text(encoding="utf-8")) if Path("run.json").exists() else None
    return result.exit_code, result.stderr, log


@pytest.mark.parametrize(("selected", "expected"), [(["004_dd696f60cd6e8ce5"], IDS[1:]), (["00*"], IDS),
                                                     (["004*", "000_27aace103a48bbe9"], IDS)])  # fmt: skip
def test_case_selects_by_id_or_glob(selected: list[str], expected: list[str]) -> None:
    code, err, log = eval_run(*[arg for case in selected for arg in ("--case", case)])
    assert code == 0, err
    assert log is not None
    assert [s["id"] for s in log["samples"]] == expected
    assert [c["id"] for c in log["spec"]["cases"]] == expected
    report = json.loads(runner.invoke(app, ["eval", "report", "run.json", "-f", "json"]).stdout)
    assert sorted(report["metrics"]["fact_recall"]["per_sample"]) == expected


@pytest.mark.parametrize(("case", "message"), [("nope", "unknown case 'nope'"), ("9*", "no case matches '9*'")])
def test_an_unknown_case_is_a_usage_error_that_lists_the_known_ones(case: str, message: str) -> None:
    code, err, log = eval_run("--case", case)
    assert code == 2 and log is None
    assert f"error: {message}; known cases: {', '.join(IDS)}" in err


def test_the_run_log_records_the_sampling_options() -> None:
    code, err, log = eval_run("--case", IDS[0])
    assert code == 0, err
    assert log is not None
    assert log["spec"]["sampling"] == {"temperature": 0.0, "max_tokens": 2048, "max_reasks": 2, "seed": 0}


@pytest.mark.parametrize(
    ("option", "difference"),
    [
        (["--temperature", "0.7"], "parameter temperature: recorded 0.0 != now 0.7"),
        (["--seed", "7"], "parameter seed: recorded 0 != now 7"),
        (["--max-tokens", "1024"], "parameter max_tokens: recorded 2048 != now 1024"),
    ],
)
def test_sampling_options_reach_the_request_so_the_cassette_misses_loudly(option: list[str], difference: str) -> None:
    code, err, log = eval_run("--case", IDS[0], "--strategy", "llm", *option)
    assert code == 1  # the sample failed: a cassette answers only the requests it recorded
    assert f"{IDS[0]}: failed: no recorded request matches" in err and difference in err
    assert "samples that failed to run: 000_27aace103a48bbe9" in err
    assert log is not None
    assert log["samples"][0]["error"]["type"] == "cassette_error"
