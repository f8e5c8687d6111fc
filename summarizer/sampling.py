"""Sampling controls per endpoint kind: what each server gets for repetition control and
determinism, and what is left out where that server would reject or ignore a field.

Long repetition loops are the small local model's main failure (a loop runs until
``max_tokens`` and the call is truncated), so every server that has a repetition
penalty gets a mild one, in its own spelling.  For determinism every server but OpenAI
gets ``seed``, and llama-server also ``cache_prompt: false``: its cached prompt makes
the logits differ from a fresh evaluation, so the same request at temperature 0 can
answer differently (its README says so).  The README's sampling table is
rendered from :data:`SAMPLING` (``tests/test_sampling.py`` keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPEAT_PENALTY = 1.1
TOP_K = 40


@dataclass(frozen=True)
class KindSampling:
    """The sampling fields one kind of server is sent, beyond ``temperature`` and ``max_tokens``."""

    server: str
    #: Non-OpenAI body fields for repetition control (sent through ``extra_body``).
    repetition: dict[str, Any] = field(default_factory=dict)
    sends_seed: bool = True
    #: Non-OpenAI body fields for determinism, beyond ``seed``.
    determinism: dict[str, Any] = field(default_factory=dict)
    #: What is left out, and why (for the README table).
    left_out: str = "nothing"


_LLAMA_CPP = {"repeat_penalty": REPEAT_PENALTY, "top_k": TOP_K}

SAMPLING: dict[str, KindSampling] = {
    "builtin": KindSampling("built-in model (llama-cpp-python)", dict(_LLAMA_CPP)),
    "llama-cpp-python": KindSampling("llama-cpp-python", dict(_LLAMA_CPP)),
    "llamacpp": KindSampling("llama.cpp `llama-server`", dict(_LLAMA_CPP), determinism={"cache_prompt": False}),
    "vllm": KindSampling("vLLM", {"repetition_penalty": REPEAT_PENALTY, "top_k": TOP_K}),
    "ollama": KindSampling(
        "Ollama",
        left_out="repeat_penalty and top_k: its `/v1` endpoint has no such fields "
        "(set them with `PARAMETER` in the model's Modelfile)",
    ),
    "openai": KindSampling(
        "OpenAI",
        sends_seed=False,
        left_out="seed (OpenAI documents it as best-effort only); top_k and repetition penalties "
        "(the API rejects unknown fields)",
    ),
}


def sampling_params(kind: str, *, temperature: float, seed: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Top-level request fields and ``extra_body`` fields for one kind of server."""
    controls = SAMPLING[kind]
    params: dict[str, Any] = {"temperature": temperature}
    if seed is not None and controls.sends_seed:
        params["seed"] = seed
    return params, {**controls.repetition, **controls.determinism}


def _fields(values: dict[str, Any]) -> str:
    return ", ".join(f"`{name}` {str(value).lower()}" for name, value in values.items())


def sampling_table() -> str:
    """The README's Markdown table of sampling controls per kind."""
    lines = [
        "| kind | server | repetition control | determinism | temperature | left out |",
        "|---|---|---|---|---|---|",
    ]
    for kind, controls in SAMPLING.items():
        seed = {"seed": 0} if controls.sends_seed else {}
        lines.append(
            f"| {kind} | {controls.server} | {_fields(controls.repetition) or 'none'} "
            f"| {_fields({**seed, **controls.determinism}) or 'none'} | `--temperature` (default 0) "
            f"| {controls.left_out} |"
        )
    return "\n".join(lines)
