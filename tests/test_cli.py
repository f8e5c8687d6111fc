"""The command line, through typer's runner, against a scripted server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hand_built import ROOT, SEED_000, SEED_004, events, facts
from scripted_server import ScriptedServer, completion, http_error, raw
from typer.testing import CliRunner

from summarizer.cli import app

runner = CliRunner()
FREE = ["--quotes", "free", "--endpoint-kind", "vllm", "--model", "scripted-model"]


def run(server: ScriptedServer, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["summarize", *args, *FREE], env={"OPENAI_BASE_URL": server.base_url})
    return result.exit_code, result.stdout, result.stderr


def test_json_output_validates_against_the_printed_schema(scripted: ScriptedServer) -> None:
    scripted.queue(completion(facts()), completion(events()))
    code, out, _ = run(scripted, str(SEED_000), "--format", "json")
    assert code == 0
    record = json.loads(out)
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    jsonschema.validate(record, schema)
    text = SEED_000.read_text(encoding="utf-8")
    for fact in record["key_facts"]:
        for ev in fact["evidence"]:
            if ev["match"] == "exact":
                assert text[ev["start"] : ev["end"]] == ev["quote"]


def test_markdown_report_is_readable(scripted: ScriptedServer) -> None:
    scripted.queue(completion(facts()), completion(events()))
    code, out, _ = run(scripted, str(SEED_000), "--format", "md")
    assert code == 0
    assert out.startswith("# Afghan-U.S. raid killed al-Qaida leader")
    assert "## Key facts" in out and "*National Directorate of Security, reported*" in out  # status from "tweeted"
    assert "### Event 1: Battles / Armed clash" in out and "2019-09-23" in out


def test_429_then_500_then_valid_succeeds(scripted: ScriptedServer) -> None:
    scripted.queue(http_error(429, retry_after="1"), http_error(500), completion(facts()), completion(events()))
    code, out, _ = run(scripted, str(SEED_000))
    assert code == 0 and json.loads(out)["kind"] == "summary"


def test_always_invalid_json_exits_1_with_a_clear_message(scripted: ScriptedServer) -> None:
    body = json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "not json at all"}}
            ],
        }
    )
    scripted.queue(*[raw(body.encode(), draft="FactsDraft") for _ in range(3)], completion(events()))
    code, out, err = run(scripted, str(SEED_000))
    assert code == 1
    assert "invalid_output" in err and "not valid JSON" in err
    assert "Traceback" not in err + out
    assert json.loads(out)["kind"] == "error"


def test_two_files_one_fails_the_good_one_is_still_written(scripted: ScriptedServer, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    bad = tmp_path / "empty.txt"
    bad.write_text("   \n", encoding="utf-8")
    scripted.queue(completion(facts()), completion(events()))
    code, _, err = run(scripted, str(bad), str(SEED_000), "--output", str(out_dir), "--concurrency", "1")
    assert code == 2  # the only failure is bad input
    good = json.loads((out_dir / f"{SEED_000.stem}.json").read_text(encoding="utf-8"))
    assert good["kind"] == "summary"
    assert json.loads((out_dir / "empty.json").read_text(encoding="utf-8"))["error"]["type"] == "input_error"
    assert "empty document" in err


def test_model_failure_in_a_batch_exits_1_and_jsonl_keeps_the_rest(scripted: ScriptedServer, tmp_path: Path) -> None:
    second = tmp_path / "second.txt"
    second.write_text(SEED_000.read_text(encoding="utf-8"), encoding="utf-8")
    scripted.queue(completion(facts()), completion(events()), http_error(400, message="context too long"))
    out = tmp_path / "out.jsonl"
    code, _, _ = run(scripted, str(SEED_000), str(second), "--format", "jsonl", "-o", str(out), "--concurrency", "1")
    assert code == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in lines] == ["summary", "error"]


def test_events_call_truncated_writes_the_facts_and_exits_4(scripted: ScriptedServer) -> None:
    scripted.queue(completion(facts()), completion('{"events": [', finish_reason="length"))
    code, out, err = run(scripted, str(SEED_000))
    assert code == 4
    record = json.loads(out)
    assert record["kind"] == "summary" and len(record["key_facts"]) == 2
    assert record["failed_calls"][0]["part"] == "events"
    assert record["failed_calls"][0]["error"]["type"] == "truncated_output"
    assert f"partial {SEED_000}: events missing: truncated_output" in " ".join(err.split())


def test_a_failed_document_outranks_a_partial_one(scripted: ScriptedServer, tmp_path: Path) -> None:
    second = tmp_path / "second.txt"
    second.write_text(SEED_000.read_text(encoding="utf-8"), encoding="utf-8")
    scripted.queue(completion(facts()), completion('{"events": [', finish_reason="length"), http_error(400))
    code, _, _ = run(scripted, str(SEED_000), str(second), "--format", "jsonl", "--concurrency", "1")
    assert code == 1


def test_missing_path_exits_2_without_traceback(scripted: ScriptedServer) -> None:
    code, out, err = run(scripted, "no/such/article.txt")
    assert code == 2
    assert "no such file" in err and "Traceback" not in err + out


def test_bad_format_is_a_usage_error(scripted: ScriptedServer) -> None:
    code, _, err = run(scripted, str(SEED_000), "--format", "xml")
    assert code == 2 and "--format" in err


def test_stdin_is_read_for_dash(scripted: ScriptedServer) -> None:
    scripted.queue(completion(facts()), completion(events()))
    result = runner.invoke(
        app,
        ["summarize", "-", *FREE],
        input=SEED_000.read_text(encoding="utf-8"),
        env={"OPENAI_BASE_URL": scripted.base_url},
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["provenance"]["source"]["path"] == "-"


def test_schema_command_describes_every_field() -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                assert "description" in prop, f"{path}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(schema, "$")
    assert set(schema["$defs"]) >= {"SummaryRecord", "ErrorRecord", "EventRecord", "Evidence", "CasualtyClaim"}


@pytest.mark.parametrize("mode", ["bogus"])
def test_unknown_mode_is_a_usage_error(scripted: ScriptedServer, mode: str) -> None:
    code, _, err = run(scripted, str(SEED_000), "--mode", mode)
    assert code == 2 and "unknown mode" in err


# --------------------------------------------------------------------------- issue 10


def test_bracketed_text_in_an_error_is_printed_literally(scripted: ScriptedServer, tmp_path: Path) -> None:
    missing = tmp_path / "a[/caption] [/INST].txt"
    code, _, err = run(scripted, str(missing))
    assert code == 2 and f"{missing}: no such file" in err
    result = runner.invoke(app, ["summarize", str(SEED_000), "--endpoint-kind", "x[/INST]"],
                           env={"OPENAI_BASE_URL": scripted.base_url})  # fmt: skip
    assert result.exit_code == 2 and "unknown endpoint kind 'x[/INST]'" in result.stderr


def test_resume_refuses_a_pretty_printed_file_and_leaves_it(scripted: ScriptedServer, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text('{\n  "kind": "summary"\n}\n', encoding="utf-8")
    code, _, err = run(scripted, str(SEED_000), "--format", "jsonl", "-o", str(out), "--resume")
    assert code == 2 and "out.json line 1" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == '{\n  "kind": "summary"\n}\n'


def test_replay_works_with_an_exported_api_key() -> None:
    article = ROOT / "tests" / "data" / "injection_article.txt"
    cassette = ROOT / "tests" / "cassettes" / "reliability" / "injection_article.yaml"
    result = runner.invoke(app, ["summarize", str(article), "--cassette", str(cassette), "--record-mode", "none"],
                           env={"OPENAI_API_KEY": "sk-test-exported0123456789abcd"})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "summary"


def test_output_names_follow_the_input_order_not_completion_order(tmp_path: Path) -> None:
    from contextlib import ExitStack

    from summarizer.cli.summarize import _Sink
    from summarizer.schema import ErrorInfo, ErrorRecord

    out = tmp_path / "out"
    out.mkdir()
    sources = [str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt")]
    with ExitStack() as stack:
        sink = _Sink("json", out, stack, sources)
        for source in reversed(sources):  # the second document finishes first
            sink.add(ErrorRecord(source=source, error=ErrorInfo(type="input_error", message="m")))
    assert json.loads((out / "x.json").read_text())["source"] == sources[0]
    assert json.loads((out / "x-2.json").read_text())["source"] == sources[1]


def test_stdin_over_the_size_cap_is_refused(scripted: ScriptedServer) -> None:
    result = runner.invoke(app, ["summarize", "-", *FREE, "--max-bytes", "100"], input="word " * 100,
                           env={"OPENAI_BASE_URL": scripted.base_url})  # fmt: skip
    assert result.exit_code == 2 and "-: more than 100 bytes exceeds the limit" in result.stderr
    assert scripted.requests == []


def test_eval_report_finds_the_run_config_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.cli.evals import _with_config_located
    from summarizer.evals.runlog import RunLog, RunSpec

    log = RunLog.model_construct(spec=RunSpec.model_construct(config="evals/config.yaml"), samples=[])
    monkeypatch.chdir(tmp_path)  # not the repository root: the relative path does not resolve here
    located = _with_config_located(log, ROOT / "runs" / "eval-X.json")
    assert Path(located.spec.config) == ROOT / "evals" / "config.yaml"


def test_load_prints_what_the_model_sees(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(SEED_004)])
    assert result.exit_code == 0
    loaded = json.loads(result.stdout)
    assert loaded["article_text"] == loaded["text"][: loaded["article_end"]]
    assert loaded["excluded_regions"][0]["text"].startswith("Tags:")
    text = runner.invoke(app, ["load", str(SEED_004), "-f", "text"]).stdout
    assert "=== article text (what the model sees) ===" in text and "reader comments" in text
    missing = runner.invoke(app, ["load", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "nope.txt: no such file" in missing.stderr
