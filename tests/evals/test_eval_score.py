"""``eval score`` end to end through the CLI, from a directory that is not the checkout:
outputs made by ``summarize`` replaying the committed seed cassettes, and hand-built
records (tests/hand_built.py) where a test needs a record the model did not write."""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hand_built import ROOT, SEED_000, SEED_004, hand_built_record
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.schema import ErrorInfo, ErrorRecord

runner = CliRunner()
CONFIG = ROOT / "evals" / "config.yaml"
SEEDS = {"000_27aace103a48bbe9": SEED_000, "004_dd696f60cd6e8ce5": SEED_004}
CASSETTES = ROOT / "tests" / "cassettes"
#: A real summarize record (replayed from a cassette) of an article no case describes.
NO_CASE_OUTPUT = CASSETTES / "reliability" / "injection_article.expected.json"


def invoke(*args: str) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def summarize_seed_copies(folder: Path) -> Path:
    """summarize JSONL of copies of the seeds (same text, other names), replayed from the seed cassettes."""
    folder.mkdir()
    out = folder / "seeds.jsonl"
    for case_id, seed in SEEDS.items():
        copy = folder / f"copy-of-{case_id[:3]}.txt"
        shutil.copyfile(seed, copy)
        cassette = CASSETTES / "seeds" / f"{case_id}.yaml"
        result = invoke("summarize", copy.relative_to(Path.cwd()), "--cassette", cassette, "-f", "jsonl", "-o", out,
                        "--resume", "--strategy", "llm")  # fmt: skip
        assert result.exit_code == 0, result.stderr
    return out


def write_hand_built(path: Path, *records: dict[str, Any]) -> Path:
    """Hand-built records (not model output), one per line."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a folder outside the checkout, so no path resolves by accident."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_scoring_summarize_jsonl_agrees_with_eval_run_and_report(elsewhere: Path) -> None:
    out = summarize_seed_copies(elsewhere / "outputs")
    assert (
        invoke("eval", "run", "--config", CONFIG, "-o", "run.json", "--strategy", "llm", "--case", "00*").exit_code == 0
    )
    ran = json.loads(invoke("eval", "report", "run.json", "-f", "json").stdout)

    result = invoke("eval", "score", out, "--config", CONFIG, "-f", "json")
    assert result.exit_code == 0, result.stderr
    scored = json.loads(result.stdout)
    assert set(scored["metrics"]) == set(ran["metrics"]) >= {"key_fact_recall", "fact_recall", "event_recall"}
    for name, metric in ran["metrics"].items():
        assert scored["metrics"][name]["value"] == metric["value"], name
        assert scored["metrics"][name]["per_sample"] == metric["per_sample"], name
    assert scored["samples"] == ran["samples"]  # every item, with its reason
    # the copies have other names, so both matched by the text's sha256
    assert scored["scored_from"] == {case_id: f"{out} line {i}, matched by sha256"
                                     for i, case_id in enumerate(SEEDS, 1)}  # fmt: skip
    assert scored["unmatched_outputs"] == [] and scored["failed_samples"] == []
    recall = scored["metrics"]["fact_recall"]
    items = [i for sample in scored["samples"].values() for i in sample["fact_recall"]["items"]]
    assert recall["value"] == sum(i["ok"] for i in items) / len(items) and 0 < recall["value"] < 1
    assert scored["metrics"]["schema_validity"]["value"] == 1.0
    assert scored["metrics"]["first_try_validity"]["per_sample"] == {  # 000's first facts answer was repaired
        "000_27aace103a48bbe9": 0.0, "004_dd696f60cd6e8ce5": 1.0}  # fmt: skip
    assert recall["documents"] == 2 and recall["ci_meaningful"] is False
    assert scored["spec"]["model"] == "smollm2-135m-instruct" and scored["spec"]["outputs"] == [str(out)]

    table = invoke("eval", "score", out.parent, "--config", CONFIG)  # a directory of outputs
    assert table.exit_code == 0
    assert f"{recall['value']:.3f} (n=2<5: no CI)" in table.stdout


def test_an_output_with_no_case_is_listed_in_every_format(elsewhere: Path) -> None:
    out = summarize_seed_copies(elsewhere / "outputs")
    shown = f"{NO_CASE_OUTPUT}: tests/data/injection_article.txt (sha256 4ce5e11f5e8c)"
    for fmt in ("table", "md", "json", "html"):
        result = invoke("eval", "score", out, NO_CASE_OUTPUT, "--config", CONFIG, "-f", fmt)
        assert result.exit_code == 0, result.stderr
        assert f"no case: {shown} (not scored)" in result.stderr
        if fmt == "json":
            data = json.loads(result.stdout)
            assert data["unmatched_outputs"] == [{
                "output": str(NO_CASE_OUTPUT), "source": "tests/data/injection_article.txt",
                "sha256": "4ce5e11f5e8c099822e24f94941250d5a6bc72a1b92b56efadfb238f10e32a7e",
            }]  # fmt: skip
            assert sorted(data["scored_from"]) == sorted(SEEDS)
        else:  # the table's caption may wrap; html escapes
            assert shown in " ".join(html.unescape(result.stdout).split()), fmt


def test_a_hand_built_record_matches_by_path_when_its_hash_differs(elsewhere: Path) -> None:
    folder = elsewhere / "out"
    folder.mkdir()
    record = hand_built_record(["The NDS said it killed six other AQIS members."]).model_dump(mode="json")
    assert record["provenance"]["source"]["sha256"] == "0" * 64  # not the seed's hash
    record["provenance"]["source"]["path"] = os.path.relpath(SEED_000, folder)  # relative to the output's folder
    path = write_hand_built(folder / "hand-built.jsonl", record)
    result = invoke("eval", "score", path, "--config", CONFIG, "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["scored_from"] == {"000_27aace103a48bbe9": f"{path} line 1, matched by path"}
    assert data["metrics"]["fact_recall"]["per_sample"] == {"000_27aace103a48bbe9": pytest.approx(1 / 31)}
    assert "matched case 000_27aace103a48bbe9 by path, but its text hash differs" in result.stderr
    assert "case 004_dd696f60cd6e8ce5 has no output; not scored" in data["warnings"]


def test_a_schema_invalid_hand_built_record_is_scored_invalid(elsewhere: Path) -> None:
    good = hand_built_record(["Asim Omar was killed."]).model_dump(mode="json")
    broken = hand_built_record(["Omar Khetab was killed."]).model_dump(mode="json")
    broken["provenance"]["source"]["path"] = str(SEED_004)
    broken["events"] = [{"event_type": "Picnic"}]
    path = write_hand_built(elsewhere / "hand-built.jsonl", good, broken)
    result = invoke("eval", "score", path, "--config", CONFIG, "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["metrics"]["schema_validity"]["per_sample"] == {"000_27aace103a48bbe9": 1.0,
                                                                "004_dd696f60cd6e8ce5": 0.0}  # fmt: skip
    assert data["metrics"]["fact_recall"]["per_sample"]["004_dd696f60cd6e8ce5"] == 0.0
    assert data["failed_samples"] == []  # invalid, not failed to run


def test_an_error_record_is_a_failed_sample(elsewhere: Path) -> None:
    good = hand_built_record(["Asim Omar was killed."]).model_dump(mode="json")
    failed = ErrorRecord(source=str(SEED_004), error=ErrorInfo(type="truncated_output", message="stopped at 2048"))
    path = elsewhere / "hand-built.json"  # an array, as summarize -f json writes several records
    path.write_text(json.dumps([good, failed.model_dump(mode="json")], indent=2), encoding="utf-8")
    result = invoke("eval", "score", path, "--config", CONFIG, "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["failed_samples"] == ["004_dd696f60cd6e8ce5"]
    assert data["metrics"]["fact_recall"]["per_sample"]["004_dd696f60cd6e8ce5"] == 0.0
    assert "samples that failed to run: 004_dd696f60cd6e8ce5" in result.stderr
    assert data["scored_from"]["004_dd696f60cd6e8ce5"] == f"{path} item 2, matched by path"


def test_thresholds_gate_the_score_and_write_junit(elsewhere: Path) -> None:
    record = hand_built_record(["The NDS said it killed six other AQIS members."]).model_dump(mode="json")
    path = write_hand_built(elsewhere / "hand-built.jsonl", record)
    result = invoke("eval", "score", path, "--config", CONFIG, "--fail-under", "fact_recall=0.5", "--junit", "j.xml")
    assert result.exit_code == 3 and "fact_recall = 0.032 is under 0.5" in result.stderr
    assert '<failure message="fact_recall' in (elsewhere / "j.xml").read_text(encoding="utf-8")
    assert invoke("eval", "score", path, "--config", CONFIG, "--fail-over", "negative_hits=0").exit_code == 0


BAD_INPUTS: dict[str, tuple[str, str]] = {
    "missing file": ("", "nope.jsonl: no such file or directory"),
    "not JSON": ("{not json", "bad.json: not JSON"),
    "JSONL line not a record": ('{"kind": "summary"}\n[1, 2]\n', "bad.jsonl line 2: not a summarizer record"),
    "JSONL line not JSON": ("garbage\n", "bad.jsonl line 1: not JSON"),
    "a run log, not records": ('{"format": "summarizer-eval-run"}', "bad.json: not a summarizer record"),
    "no outputs": ("", "no outputs found in empty"),
    "config missing": ("", "cannot read missing.yaml"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_a_one_line_usage_error(elsewhere: Path, case: str) -> None:
    content, message = BAD_INPUTS[case]
    config = CONFIG
    target = Path("nope.jsonl")
    if case == "no outputs":
        target = Path("empty")
        target.mkdir()
        (target / "notes.md").write_text("not an output", encoding="utf-8")
    elif case == "config missing":
        target = write_hand_built(Path("ok.jsonl"), hand_built_record(["x"]).model_dump(mode="json"))
        config = Path("missing.yaml")
    elif content:
        target = Path("bad.jsonl" if "JSONL" in case else "bad.json")
        target.write_text(content, encoding="utf-8")
    result = invoke("eval", "score", target, "--config", config)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_two_outputs_for_one_case_are_refused(elsewhere: Path) -> None:
    record = hand_built_record(["Asim Omar was killed."]).model_dump(mode="json")
    path = write_hand_built(elsewhere / "hand-built.jsonl", record, record)
    result = invoke("eval", "score", path, "--config", CONFIG)
    assert result.exit_code == 2
    assert "line 1 and" in result.stderr and "line 2 are both outputs for case 000_27aace103a48bbe9" in result.stderr


def test_outputs_that_match_no_case_at_all_are_an_error_that_lists_them(elsewhere: Path) -> None:
    result = invoke("eval", "score", NO_CASE_OUTPUT, "--config", CONFIG)
    assert result.exit_code == 2
    assert "no output matches a case of" in result.stderr and "injection_article.txt" in result.stderr
