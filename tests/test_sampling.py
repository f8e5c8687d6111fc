"""Sampling controls per endpoint kind: the fields each server gets, and the README's table."""

from __future__ import annotations

import pytest
from hand_built import ROOT

from summarizer.drafts import FactsDraft
from summarizer.providers import KINDS, Endpoint
from summarizer.sampling import SAMPLING, sampling_table


def body(kind: str, mode: str = "json_schema") -> dict[str, object]:
    endpoint = Endpoint(base_url="http://127.0.0.1:9/v1", kind=kind, model="m", mode_name=mode)
    params = endpoint.request_params(FactsDraft, max_tokens=100, temperature=0.0)
    return {**{k: v for k, v in params.items() if k != "extra_body"}, **params.get("extra_body", {})}


def test_every_kind_has_a_row() -> None:
    assert set(SAMPLING) == set(KINDS)


@pytest.mark.parametrize(
    ("kind", "repetition", "absent"),
    [
        ("builtin", {"repeat_penalty": 1.1, "top_k": 40}, {"repetition_penalty"}),
        ("llama-cpp-python", {"repeat_penalty": 1.1, "top_k": 40}, {"repetition_penalty"}),
        ("llamacpp", {"repeat_penalty": 1.1, "top_k": 40, "cache_prompt": False}, {"repetition_penalty"}),
        ("vllm", {"repetition_penalty": 1.1, "top_k": 40}, {"repeat_penalty"}),
        ("ollama", {}, {"repeat_penalty", "repetition_penalty", "top_k"}),
        ("openai", {}, {"repeat_penalty", "repetition_penalty", "top_k", "seed"}),
    ],
)
def test_each_kind_gets_its_own_spelling_and_nothing_it_would_reject(
    kind: str, repetition: dict[str, object], absent: set[str]
) -> None:
    sent = body(kind)
    assert {k: sent[k] for k in repetition} == repetition
    assert not absent & set(sent)
    assert sent["temperature"] == 0.0
    assert ("seed" in sent) == (kind != "openai")


def test_llama_cpp_python_gets_the_json_object_shape_only_in_json_schema_mode() -> None:
    assert body("builtin")["response_format"]["type"] == "json_object"  # type: ignore[index]
    assert "response_format" not in body("builtin", mode="tools")
    assert body("builtin", mode="tools")["repeat_penalty"] == 1.1


def test_readme_table_is_the_code_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sampling_table() in readme
