"""The evidence strategy end to end: the built-in default, both strategies side by side in the
eval (against the issue's targets), the model assists replayed from their cassettes, a failing
assist, and the real-news pages (skipped when ../shared/real-news is absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scripted_server import ScriptedServer, completion, http_error
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evals.dataset import load_case
from summarizer.pipeline import PipelineSettings, resolve_strategy

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "evals" / "config.yaml"
ARTICLE = ROOT / "tests" / "data" / "evidence_article.txt"  # written for the tests
SEEDS = ["000_27aace103a48bbe9", "004_dd696f60cd6e8ce5"]
#: Recorded from the built-in model with both assists by scripts/record-cassettes.sh.
EVIDENCE_CASSETTES = [
    "000_27aace103a48bbe9.evidence.yaml",
    "004_dd696f60cd6e8ce5.evidence.yaml",
    "t01_borno_base_attack.evidence.yaml",
    "t02_shabelle_raid_car_bomb.evidence.yaml",
]
REAL_CASES = sorted((ROOT / "evals" / "real").glob("*.yaml"))
runner = CliRunner()


def _grounded_and_verbatim(record: dict[str, Any], text: str) -> None:
    """Every kept fact is grounded, supported and quoted exactly; every event quote is exact."""
    assert record["key_facts"], "no key facts"
    for fact in record["key_facts"]:
        assert fact["grounded"] and fact["support"]["verdict"] == "supported", fact["statement"]
        for ev in fact["evidence"]:
            assert ev["match"] == "exact" and text[ev["start"] : ev["end"]] == ev["quote"]
    for event in record["events"]:
        assert event["grounded"]
        assert all(text[e["start"] : e["end"]] == e["quote"] for e in event["evidence"])


def test_the_built_in_default_is_the_evidence_strategy_and_calls_no_model() -> None:
    result = runner.invoke(app, ["summarize", str(ARTICLE), "--published", "2024-06-03"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    prov = record["provenance"]
    assert (prov["strategy"], prov["assists"], prov["attempts"], prov["usage"]["total_tokens"]) == (
        "evidence", [], 0, 0)  # fmt: skip
    text = ARTICLE.read_text(encoding="utf-8")
    _grounded_and_verbatim(record, text)
    dumped = json.dumps(record["key_facts"] + record["events"])
    assert "Bello_K" not in dumped and "40 soldiers" not in dumped  # the reader comment is never a fact
    assert record["events"][0]["sub_event_type"] == "Armed clash"
    assert record["events"][0]["date"] == {"start": "2024-06-02", "end": "2024-06-02", "precision": "day"}


@pytest.mark.parametrize(
    ("settings", "kind", "expected"),
    [
        (PipelineSettings(), "builtin", "evidence"),
        (PipelineSettings(), "openai", "llm"),
        (PipelineSettings(small_model=True), "vllm", "evidence"),
        (PipelineSettings(strategy="llm"), "builtin", "llm"),
        (PipelineSettings(strategy="evidence"), "openai", "evidence"),
    ],
)
def test_auto_picks_evidence_for_small_models_only(settings: PipelineSettings, kind: str, expected: str) -> None:
    assert resolve_strategy(settings, kind) == expected


def _eval(tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    path = tmp_path / f"{name}.json"
    result = runner.invoke(app, ["eval", "run", "--config", str(CONFIG), "-o", str(path), *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(path.read_text(encoding="utf-8"))


def _value(log: dict[str, Any], case: str, metric: str) -> float | None:
    sample = next(s for s in log["samples"] if s["id"] == case)
    score = sample["scores"][metric]
    return None if score["denominator"] == 0 else score["numerator"] / score["denominator"]


def test_both_strategies_run_side_by_side_and_evidence_meets_the_targets_on_the_seeds(tmp_path: Path) -> None:
    llm = _eval(tmp_path, "llm", "--strategy", "llm", "--case", "00*")
    evidence = _eval(tmp_path, "evidence", "--case", "00*")  # auto: the built-in model reads as evidence
    assert (llm["spec"]["strategy"], evidence["spec"]["strategy"]) == ("llm", "evidence")
    assert {s["output"]["provenance"]["strategy"] for s in evidence["samples"]} == {"evidence"}
    for case in SEEDS:  # the targets, scored by the same scorers as every eval
        assert _value(evidence, case, "key_fact_recall") >= 0.6  # type: ignore[operator]
        assert _value(evidence, case, "fact_reference_precision") >= 0.8  # type: ignore[operator]
        assert _value(evidence, case, "contradiction_rate") == 0
        assert _value(evidence, case, "unsupported_as_grounded") == 0
        assert _value(evidence, case, "event_recall") >= 0.5  # type: ignore[operator]
        assert _value(evidence, case, "key_fact_recall") > _value(llm, case, "key_fact_recall")  # type: ignore[operator]
    report = runner.invoke(app, ["eval", "report", str(tmp_path / "evidence.json"), "--baseline",
                                 str(tmp_path / "llm.json"), "-f", "json"])  # fmt: skip
    assert report.exit_code == 0, report.stderr
    row = json.loads(report.stdout)["comparison"]["metrics"]["key_fact_recall"]
    assert row["current"] > row["baseline"] and row["difference"] == pytest.approx(row["current"] - row["baseline"])


def test_the_assists_replay_from_their_cassettes_and_a_bad_summary_is_replaced(tmp_path: Path) -> None:
    assert all((ROOT / "tests" / "cassettes" / "seeds" / name).is_file() for name in EVIDENCE_CASSETTES)
    log = _eval(tmp_path, "assisted", "--strategy", "evidence", "--assist", "summary", "--assist", "event_type")
    for sample in log["samples"]:
        prov = sample["output"]["provenance"]
        assert prov["assists"] == ["event_type", "summary"] and prov["attempts"] >= 1
    seed = next(s["output"] for s in log["samples"] if s["id"] == SEEDS[0])
    # The 135M model's summary of seed 000 names someone the article does not ("Amin Omar"): it is
    # removed, and the lead sentences are used instead, with warnings saying so.
    assert any("lead sentences are used" in w for w in seed["warnings"])
    assert seed["summary"].startswith("Afghanistan\u2019s intelligence agency says")


def test_a_failing_assist_is_a_warning_and_the_record_is_still_written(scripted: ScriptedServer) -> None:
    scripted.queue(*[http_error(500) for _ in range(10)])
    result = runner.invoke(app, ["summarize", str(ARTICLE), "--published", "2024-06-03", "--small-model",
                                 "--assist", "summary", "--max-retries", "0", "--model", "scripted-model"],
                           env={"OPENAI_BASE_URL": scripted.base_url})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["provenance"]["strategy"] == "evidence" and record["key_facts"]
    assert any(w.startswith("summary assist failed") for w in record["warnings"])
    assert record["summary"].startswith("Written for the summarizer tests")  # the lead sentences


def test_a_summary_assist_answer_is_checked_like_any_model_text(scripted: ScriptedServer) -> None:
    """Hand-built answer (not a recording): a summary naming someone the article does not."""
    scripted.queue(completion({"summary": "Gunmen attacked an army post in Zaria. John Smith led the attack."}))
    result = runner.invoke(app, ["summarize", str(ARTICLE), "--published", "2024-06-03", "--small-model",
                                 "--assist", "summary", "--model", "scripted-model"],
                           env={"OPENAI_BASE_URL": scripted.base_url})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["summary"] == "Gunmen attacked an army post in Zaria."
    assert any("John Smith" in w for w in record["warnings"])


@pytest.mark.parametrize("path", REAL_CASES, ids=lambda p: p.stem)
def test_real_news_pages_are_read_as_evidence_with_every_fact_grounded(path: Path, tmp_path: Path) -> None:
    case = load_case(path)
    document = case.document_path(path)
    if not document.exists():
        pytest.skip(f"{document} is absent (real-news pages are read from ../shared/real-news)")
    published = str(case.published or case.year)
    result = runner.invoke(app, ["summarize", str(document), "--published", published, "--strategy", "evidence"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    from summarizer.load import load_document

    _grounded_and_verbatim(record, load_document(document).text)


def test_the_ranking_assist_replays_and_only_chooses_among_the_offered_sentences(tmp_path: Path) -> None:
    log = _eval(tmp_path, "ranked", "--strategy", "evidence", "--assist", "rank")
    plain = _eval(tmp_path, "plain", "--strategy", "evidence")
    for ranked, default in zip(log["samples"], plain["samples"], strict=True):
        assert ranked["output"]["provenance"]["assists"] == ["rank"]
        assert ranked["output"]["provenance"]["attempts"] == 1
        facts = ranked["output"]["key_facts"]
        assert facts and all(f["grounded"] and f["support"]["verdict"] == "supported" for f in facts)
        # Measured, not assumed: on these cases the 135M model's choice loses key facts (README).
        assert _value(log, ranked["id"], "key_fact_recall") <= _value(plain, default["id"], "key_fact_recall")  # type: ignore[operator]


def test_a_finished_record_is_resumed_only_under_the_same_strategy() -> None:
    from summarizer.runs import resume_key

    llm = resume_key("sha", [], "schema", "model")
    assert resume_key("sha", [], "schema", "model", "llm") == llm  # records written before strategies
    assert resume_key("sha", [], "schema", "model", "evidence") != llm


def test_the_markdown_report_names_the_strategy() -> None:
    result = runner.invoke(app, ["summarize", str(ARTICLE), "--published", "2024-06-03", "-f", "md"])
    assert result.exit_code == 0, result.stderr
    assert "*strategy:* evidence ·" in result.stdout


def test_an_ambiguous_action_is_named_in_the_warnings_with_the_choice_made(tmp_path: Path) -> None:
    """Written for the tests: "attack" with nobody counted fits Attack and Armed clash."""
    article = tmp_path / "ambiguous.txt"
    article.write_text("Attack in the north\n\nThe attack took place in Kaduna, Nigeria on Sunday, the governor "
                       "said.\n\nThe governor said the attack would be investigated by the state.\n\nNo group "
                       "has claimed the attack so far, officials said.\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["summarize", str(article), "--published", "2024-06-03"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["events"] and record["events"][0]["sub_event_type"] == "Attack"
    assert "event 1: its action words fit Attack or Armed clash; the lexicon's default: Attack" in record["warnings"]


def test_a_run_without_model_calls_starts_no_server_and_reads_no_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import summarizer.session

    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("the built-in server was started")

    monkeypatch.setattr(summarizer.session, "builtin_server", no_server)
    config = tmp_path / "config.yaml"
    case = ROOT / "evals" / "cases" / f"{SEEDS[0]}.yaml"
    config.write_text(f"cases:\n  - {case}\ncassettes: {tmp_path / 'no-cassettes-here'}\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "run", "--config", str(config), "-o", str(tmp_path / "run.json")])
    assert result.exit_code == 0, result.stderr
    log = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert log["samples"][0]["output"]["provenance"]["attempts"] == 0
    summarized = runner.invoke(app, ["summarize", str(ARTICLE), "--published", "2024-06-03"])
    assert summarized.exit_code == 0, summarized.stderr


def test_the_expected_kind_tells_the_built_in_model_from_a_remote_one() -> None:
    from summarizer.session import EndpointOptions

    assert EndpointOptions().expected_kind(replay_only=False) == "builtin"
    key_only = EndpointOptions(api_key="sk-test-0000000000")
    assert key_only.expected_kind(replay_only=False) == "openai"  # OpenAI itself: the llm strategy
    assert key_only.expected_kind(replay_only=True) == "builtin"  # a replay never uses the key
    assert EndpointOptions(base_url="http://127.0.0.1:9/v1").expected_kind(replay_only=True) == "openai"
