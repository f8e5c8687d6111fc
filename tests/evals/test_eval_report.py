"""Reports from a hand-built run log (snapshot-tested), and the eval CLI from cassettes."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import pytest
from hand_built import ROOT, hand_built_record
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evals.html import render_html
from summarizer.evals.render import json_text, markdown
from summarizer.evals.report import build_report
from summarizer.evals.runlog import CaseRef, RunLog, RunSpec, SampleLog, file_sha256, write_run_log
from summarizer.schema import TemplateInfo, Usage

runner = CliRunner()
CONFIG = ROOT / "evals" / "config.yaml"
SIX = "The NDS said it killed six other AQIS members."


def hand_built_run(statement_000: str = SIX) -> RunLog:
    """A run log whose outputs are hand-built (fixed spec, so reports are stable)."""
    outputs = {
        "000_27aace103a48bbe9": hand_built_record(
            [statement_000, "Asim Umar, leader of AQIS, was killed in a raid on Sept. 23."],
            summary="A joint Afghan-U.S. raid in Musa Qala district of Helmand killed Asim Omar.",
        ),
        "004_dd696f60cd6e8ce5": hand_built_record(["Resolute Support said Omar Khetab was killed."]),
    }
    cases = [ROOT / "evals" / "cases" / f"{name}.yaml" for name in outputs]
    spec = RunSpec(
        created_at="2019-10-08T00:00:00+00:00", git_revision="hand-built", git_dirty=False, model="hand-built",
        endpoint_kind="none", mode="none", templates=[TemplateInfo(name="facts.md.j2", sha256="0" * 64)],
        schema_version="1.0", schema_sha256="0" * 64, packages={}, config=str(CONFIG),
        cases=[CaseRef(id=p.stem, path=str(p), sha256=file_sha256(p)) for p in cases], record_mode="none",
        cassettes="none",
    )  # fmt: skip
    samples = [
        SampleLog(id=name, document=str(ROOT / "seeds" / f"{name}.txt"), document_sha256=None,
                  output=record.model_dump(mode="json"), error=None, usage=Usage(), duration_s=0.0)
        for name, record in outputs.items()
    ]  # fmt: skip
    return RunLog(spec=spec, samples=samples)


def test_markdown_report_snapshot(snapshot: SnapshotAssertion) -> None:
    assert markdown(build_report(hand_built_run())) == snapshot


def test_json_report_snapshot(snapshot: SnapshotAssertion) -> None:
    data = json.loads(json_text(build_report(hand_built_run())))
    data.pop("spec")  # holds absolute paths of this checkout
    assert data == snapshot


def test_html_is_self_contained_and_highlights_evidence() -> None:
    page = render_html(build_report(hand_built_run()))
    assert '<mark class="exact">The NDS said it killed six other AQIS members</mark>' in page
    assert 'class="excluded"' in page or "In Other News" in page
    assert "src=" not in page and "<link" not in page and "http://" not in page
    assert "matched by:" in page and "missing" in page


def test_killed_60_edit_lowers_recall_and_the_report_explains(tmp_path: Path) -> None:
    base, edited = tmp_path / "base.json", tmp_path / "edited.json"
    write_run_log(hand_built_run(), base)
    write_run_log(hand_built_run(SIX.replace("six", "60")), edited)
    result = runner.invoke(app, ["eval", "report", str(edited), "--baseline", str(base), "--format", "md"])
    assert result.exit_code == 0, result.stderr
    assert "- 000_27aace103a48bbe9: gained none; lost f08" in result.stdout
    assert "**f08** missing number 6 killed (stated: 60 killed)" in result.stdout
    before = json.loads(runner.invoke(app, ["eval", "report", str(base), "-f", "json"]).stdout)
    after = json.loads(runner.invoke(app, ["eval", "report", str(edited), "-f", "json"]).stdout)
    assert after["metrics"]["fact_recall"]["value"] < before["metrics"]["fact_recall"]["value"]


def test_eval_run_from_cassettes_then_report(tmp_path: Path) -> None:
    run_path = tmp_path / "run.json"
    result = runner.invoke(app, ["eval", "run", "--config", str(CONFIG), "--strategy", "llm", "-o", str(run_path)])
    assert result.exit_code == 0, result.stderr
    assert "fact_recall" in result.stdout and "[" in result.stdout  # a value with its CI
    log = json.loads(run_path.read_text(encoding="utf-8"))
    assert log["format"] == "summarizer-eval-run" and log["version"] == 1
    assert log["spec"]["model"] == "smollm2-135m-instruct" and log["spec"]["record_mode"] == "none"
    assert {"git_revision", "git_dirty", "packages", "templates", "schema_sha256"} <= set(log["spec"])
    assert all(s["output"] and s["scores"] and s["usage"]["total_tokens"] > 0 for s in log["samples"])

    html = tmp_path / "report.html"
    assert runner.invoke(app, ["eval", "report", str(run_path), "-f", "html", "-o", str(html)]).exit_code == 0
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_fail_under_exits_3_and_writes_junit(tmp_path: Path) -> None:
    run_path, junit = tmp_path / "run.json", tmp_path / "junit.xml"
    write_run_log(hand_built_run(), run_path)
    result = runner.invoke(app, ["eval", "report", str(run_path), "--fail-under", "fact_recall=1.01",
                                 "--junit", str(junit)])  # fmt: skip
    assert result.exit_code == 3
    assert "fact_recall" in result.stderr and "under 1.01" in result.stderr
    assert '<failure message="fact_recall' in junit.read_text(encoding="utf-8")
    ok = runner.invoke(app, ["eval", "report", str(run_path), "--fail-under", "schema_validity=1",
                             "--fail-over", "negative_hits=0"])  # fmt: skip
    assert ok.exit_code == 0


@pytest.mark.parametrize("bad", ["fact_recall", "nonsense=0.5", "fact_recall=high"])
def test_bad_threshold_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    run_path = tmp_path / "run.json"
    write_run_log(hand_built_run(), run_path)
    assert runner.invoke(app, ["eval", "report", str(run_path), "--fail-under", bad]).exit_code == 2


def test_report_on_a_file_that_is_not_a_run_log_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["eval", "report", str(bogus)])
    assert result.exit_code == 2 and "not a summarizer run log" in result.stderr


#: Judge cassettes, recorded from the built-in model by scripts/record-cassettes.sh.
JUDGE_CASSETTES = ["000_27aace103a48bbe9.judge", "004_dd696f60cd6e8ce5.judge"]


def test_optional_llm_judge_replays_and_is_kept_apart(tmp_path: Path) -> None:
    for name in JUDGE_CASSETTES:
        assert (ROOT / "tests" / "cassettes" / "seeds" / f"{name}.yaml").exists()
    plain, judged = tmp_path / "plain.json", tmp_path / "judged.json"
    llm = ["--strategy", "llm", "--case", "00*"]  # the judge cassettes hold the llm strategy's seed outputs
    assert runner.invoke(app, ["eval", "run", "--config", str(CONFIG), "-o", str(plain), *llm]).exit_code == 0
    result = runner.invoke(app, ["eval", "run", "--config", str(CONFIG), "-o", str(judged), "--judge", *llm])
    assert result.exit_code == 0, result.stderr
    logs = [json.loads(p.read_text(encoding="utf-8")) for p in (plain, judged)]
    assert all(s["judge"] is None for s in logs[0]["samples"])
    for sample in logs[1]["samples"]:
        assert sample["judge"]["label"].startswith("LLM judge") and sample["judge"]["model"]
    # the deterministic scores do not change when the judge runs
    assert [s["scores"] for s in logs[0]["samples"]] == [s["scores"] for s in logs[1]["samples"]]
    report = runner.invoke(app, ["eval", "report", str(judged), "-f", "md"]).stdout
    assert "## LLM judge (model opinion, not a deterministic metric)" in report
    assert "judge" not in report.split("## LLM judge")[0]  # not in the metrics table


def test_fewer_than_five_documents_say_the_interval_is_not_meaningful() -> None:
    from rich.console import Console

    from summarizer.evals.render import table

    report = build_report(hand_built_run())  # two documents
    console = Console(width=400, file=io.StringIO())
    console.print(table(report))
    assert isinstance(console.file, io.StringIO)
    rendered = {"table": console.file.getvalue(), "md": markdown(report), "html": html.unescape(render_html(report))}
    for name, text in rendered.items():
        assert "0.074 (n=2<5: no CI)" in text, name  # fact_recall's pooled value, with no interval
        assert "0.074 [" not in text, name
    data = json.loads(json_text(report))
    recall = data["metrics"]["fact_recall"]
    assert recall["value"] == pytest.approx(0.074, abs=5e-4)
    assert recall["documents"] == 2 and recall["ci_meaningful"] is False


def test_five_documents_are_enough_for_an_interval() -> None:
    from summarizer.evals.render import fmt_ci
    from summarizer.evals.stats import bootstrap

    four, five = bootstrap([(1, 4)] * 2 + [(3, 4)] * 2), bootstrap([(1, 4)] * 2 + [(3, 4)] * 3)
    assert (four.documents, four.ci_meaningful) == (4, False)
    assert fmt_ci(four) == "0.500 (n=4<5: no CI)"
    assert (five.documents, five.ci_meaningful) == (5, True)
    assert five.low is not None and five.high is not None
    assert fmt_ci(five) == f"0.550 [{five.low:.3f}, {five.high:.3f}]" and five.low < 0.55 < five.high
