"""Endpoints: which kind of server we talk to, and the request shape it needs.

Kinds and their default instructor modes:

* ``openai``: tools (function calling).
* ``vllm``, ``ollama``, ``llamacpp`` (the C++ llama.cpp server): ``response_format``
  of type ``json_schema``, which those servers turn into constrained decoding.
* ``llama-cpp-python`` and ``builtin``: llama-cpp-python's server only accepts
  ``{"type": "json_object", "schema": ...}``, so that shape is sent instead.

Sampling fields per kind (repetition control, seed) come from :mod:`summarizer.sampling`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx2
from instructor import Mode
from pydantic import BaseModel

from summarizer.errors import ConfigError
from summarizer.sampling import sampling_params

logger = logging.getLogger(__name__)

KINDS = ("openai", "vllm", "ollama", "llamacpp", "llama-cpp-python", "builtin")
MODES: dict[str, Mode] = {
    "tools": Mode.TOOLS,
    "tools_strict": Mode.TOOLS_STRICT,
    "json_schema": Mode.JSON_SCHEMA,
    "json": Mode.JSON,
    "md_json": Mode.MD_JSON,
}
DEFAULT_MODE_FOR_KIND = {
    "openai": "tools",
    "vllm": "json_schema",
    "ollama": "json_schema",
    "llamacpp": "json_schema",
    "llama-cpp-python": "json_schema",
    "builtin": "json_schema",
}
GRAMMAR_KINDS = frozenset({"vllm", "ollama", "llamacpp", "llama-cpp-python", "builtin"})
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
BUILTIN_MODEL = "smollm2-135m-instruct"


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and how they are shaped. The API key never appears in repr."""

    base_url: str
    kind: str
    model: str
    mode_name: str
    api_key: str | None = field(default=None, repr=False)
    seed: int | None = 0

    @property
    def constrains_decoding(self) -> bool:
        """True when the server turns the JSON Schema into a grammar (so enums bind the model)."""
        return self.mode_name == "json_schema" and self.kind in GRAMMAR_KINDS

    @property
    def mode(self) -> Mode:
        """The instructor mode."""
        return MODES[self.mode_name]

    def request_params(self, response_model: type[BaseModel], *, max_tokens: int, temperature: float) -> dict[str, Any]:
        """Keyword arguments for ``chat.completions.create`` beyond messages and response model."""
        sampling, extra = sampling_params(self.kind, temperature=temperature, seed=self.seed)
        params: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens, **sampling}
        if self.kind in ("llama-cpp-python", "builtin") and self.mode_name == "json_schema":
            # extra_body is merged last by the openai client, so it replaces instructor's
            # response_format with the shape llama-cpp-python understands.
            extra = {"response_format": {"type": "json_object", "schema": response_model.model_json_schema()}, **extra}
        if extra:
            params["extra_body"] = extra
        return params


def kind_from_models_listing(base_url: str, listing: dict[str, Any]) -> str:
    """Guess the server kind from its ``GET /models`` answer."""
    host = urlparse(base_url).hostname or ""
    if host.endswith("openai.com"):
        return "openai"
    data = listing.get("data") or []
    owners = {str(item.get("owned_by", "")).lower() for item in data if isinstance(item, dict)}
    if "vllm" in owners:
        return "vllm"
    if "llamacpp" in owners:
        return "llamacpp"
    if owners & {"library", "ollama"} or urlparse(base_url).port == 11434:
        return "ollama"
    if "me" in owners:
        return "llama-cpp-python"
    return "openai"


def first_model(listing: dict[str, Any]) -> str | None:
    """The first model id a ``GET /models`` answer lists."""
    for item in listing.get("data") or []:
        if isinstance(item, dict) and item.get("id"):
            return str(item["id"])
    return None


async def probe_models(http_client: httpx2.AsyncClient, base_url: str, api_key: str | None) -> dict[str, Any]:
    """Ask the endpoint which models it serves (used to detect its kind and model).

    Any failure is a :class:`ConfigError` naming the server: guessing instead would
    silently run another model in another mode."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/models"
    hint = "pass --endpoint-kind and --model to skip detection"
    try:
        response = await http_client.get(url, headers=headers)
    except httpx2.HTTPError as exc:
        raise ConfigError(f"cannot reach {base_url}: {type(exc).__name__}") from exc
    if response.status_code >= 400:
        raise ConfigError(f"GET {url} answered HTTP {response.status_code}, so the server kind is unknown; {hint}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ConfigError(f"GET {url} did not answer with a JSON model listing; {hint}")
    return body


async def resolve_endpoint(
    http_client: httpx2.AsyncClient,
    *,
    base_url: str,
    api_key: str | None,
    model: str | None,
    kind: str | None,
    mode: str | None,
) -> Endpoint:
    """Fill in kind, model and mode, probing the server only for what was not given.

    OpenAI itself is never probed: with no --model, the documented default
    :data:`DEFAULT_OPENAI_MODEL` is used and a warning says so."""
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown endpoint kind {kind!r}; choose from {', '.join(KINDS)}")
    if mode is not None and mode not in MODES:
        raise ConfigError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if not urlparse(base_url).scheme.startswith("http"):
        raise ConfigError(f"base URL must start with http:// or https://, got {base_url!r}")
    openai_itself = kind == "openai" or (urlparse(base_url).hostname or "").endswith("openai.com")
    listing: dict[str, Any] = {}
    if kind is None or (model is None and not openai_itself):
        listing = await probe_models(http_client, base_url, api_key)
    resolved_kind = kind or kind_from_models_listing(base_url, listing)
    if resolved_kind == "openai" and not openai_itself:
        logger.warning("%s does not say which server it is; assuming an OpenAI-compatible one (tools mode). "
                       "Pass --endpoint-kind to choose.", base_url)  # fmt: skip
    resolved_model = model
    if resolved_model is None and openai_itself:
        resolved_model = DEFAULT_OPENAI_MODEL
        logger.warning("no --model given; using %s, the default for OpenAI", DEFAULT_OPENAI_MODEL)
    resolved_model = resolved_model or first_model(listing)
    if not resolved_model:
        raise ConfigError(f"no --model given and {base_url} lists no models")
    return Endpoint(
        base_url=base_url,
        kind=resolved_kind,
        model=resolved_model,
        mode_name=mode or DEFAULT_MODE_FOR_KIND[resolved_kind],
        api_key=api_key,
    )
