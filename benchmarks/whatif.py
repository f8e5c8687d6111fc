"""The proposed fixes for the misses, applied as in-process patches, to measure what they would gain.

Nothing under ``summarizer/`` is edited: each patch replaces one attribute for the
duration of a ``with proposed_fixes():`` block and puts the original back after.  The
real fixes belong in the modules named below (see RESULTS.md, "Causes and fixes").

* ``schema``: cache each draft model's JSON Schema (pydantic regenerates it on every
  ``model_json_schema()`` call: instructor's request preparation, ``model_schema_sha256``,
  and ``draft_schema_sha256`` twice per document).
* ``templates``: compile each prompt template once (``Template.render`` builds a new
  jinja2 Environment and compiles the source on every call).
* ``aligner``: reuse one ``Aligner`` per (text, region) in ``validate`` (``align_quote``
  normalises the whole document again for every quote).
* ``aliases``: index the alias groups once (``AliasTable.variants`` normalises every
  name of every group on every call) and memoise ``normalise`` in ``claims.names``.
* ``instructor_wrap``: wrap each response model for instructor once (instructor 1.17's
  ``prepare_response_model`` builds a new pydantic subclass with ``create_model`` on every
  call unless the model already subclasses ``ResponseSchema``, so the schema cache above
  can never hit for instructor's own request).
* ``direct_call``: for ``json_schema`` mode, skip instructor in ``ModelClient.attempt``: send
  the cached ``response_format`` with the openai client and validate the content with
  ``model_validate_json`` (instructor is used with ``max_retries=0`` and the re-ask loop is
  ours anyway).
* ``server_logits``: start the built-in server with ``--logits_all False``
  (``llama_cpp.server`` defaults to True, so every prompt token's logits are computed and copied).
"""

from __future__ import annotations

import functools
import json
import subprocess
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import jinja2
import openai
from pydantic import ValidationError

import summarizer.call as call
import summarizer.claims.names as matching
import summarizer.local_model as local_model
import summarizer.pipeline as pipeline
import summarizer.prompt as prompt
import summarizer.validate as validate
from summarizer.errors import ConfigError
from summarizer.ground import Aligner, normalise

ALL = ("schema", "instructor_wrap", "templates", "aligner", "aliases")  # CPU fixes; the others are asked for by name


@contextmanager
def _replace(owner: Any, name: str, value: Any) -> Iterator[None]:
    had_own = name in vars(owner)
    original = vars(owner).get(name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if had_own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


def _cached_schema_method(original: Any) -> classmethod[Any, Any, Any]:
    cache: weakref.WeakKeyDictionary[type, dict[Any, str]] = weakref.WeakKeyDictionary()

    def model_json_schema(cls: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        per_class = cache.setdefault(cls, {})
        key = (args, tuple(sorted(kwargs.items())))
        if key not in per_class:
            per_class[key] = json.dumps(original.__func__(cls, *args, **kwargs))
        return dict(json.loads(per_class[key]))  # a fresh copy: callers may mutate it

    return classmethod(model_json_schema)


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


def _render(self: prompt.Template, **values: Any) -> str:
    try:
        return _compiled(self.source).render(**values).strip() + "\n"
    except jinja2.TemplateError as exc:
        raise ConfigError(f"prompt template {self.name}: {exc}") from exc


@functools.lru_cache(maxsize=32)
def _aligner(text: str, region: tuple[int, int] | None) -> Aligner:
    return Aligner(text, region)


def _align_quote(quote: str, text: str, *, region: tuple[int, int] | None = None, min_score: float = 88.0) -> Any:
    return _aligner(text, region).align(quote, min_score=min_score)


@functools.lru_cache(maxsize=256)
def _alias_index(groups: tuple[tuple[str, ...], ...]) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in groups:
        spellings = {matching._spelling(n) for n in group}
        for name in group:
            index.setdefault(normalise(name), set()).update(spellings)
    return {key: frozenset(value) for key, value in index.items()}


def _variants(self: matching.AliasTable, name: str) -> tuple[str, ...]:
    found = {matching._spelling(name)} | _alias_index(self.groups).get(normalise(name), frozenset())
    return tuple(sorted(found, key=len, reverse=True))


async def _direct_attempt(
    self: call.ModelClient,
    response_model: Any,
    messages: list[dict[str, str]],
    *,
    max_tokens: int,
    temperature: float,
    template_tag: str,
    schema_tag: str,
) -> call.CallResult[Any]:
    params = self.endpoint.request_params(response_model, max_tokens=max_tokens, temperature=temperature)
    if self.endpoint.mode_name != "json_schema":
        kwargs = {"max_tokens": max_tokens, "temperature": temperature}
        tags = {"template_tag": template_tag, "schema_tag": schema_tag}
        return await _ORIGINAL_ATTEMPT(self, response_model, messages, **kwargs, **tags)
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": response_model.__name__, "schema": response_model.model_json_schema()},
    }
    try:
        completion = await self._openai.chat.completions.create(
            messages=messages,  # type: ignore[arg-type]
            response_format=response_format,  # type: ignore[arg-type]
            extra_headers={call.TEMPLATE_HEADER: template_tag, call.SCHEMA_HEADER: schema_tag},
            **params,
        )
    except openai.OpenAIError as exc:
        raise call.provider_error(exc) from exc
    content = call._message_text(completion)
    try:
        parsed = response_model.model_validate_json(content)
    except ValidationError as exc:
        repaired = call.repair_json(content, response_model)
        problems = [] if repaired is not None else call.describe_validation_error(exc)
        return call.CallResult(parsed=repaired, raw_content=content, usage=call.usage_of(completion), problems=problems)
    return call.CallResult(parsed=parsed, raw_content=content, usage=call.usage_of(completion))


_ORIGINAL_ATTEMPT = call.ModelClient.attempt


class _SubprocessWithLogitsOff:
    """``subprocess`` as seen by local_model, with ``--logits_all False`` added to the server command."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    def Popen(self, command: list[str], *args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*command, "--logits_all", "False"], *args, **kwargs)


@contextmanager
def proposed_fixes(which: tuple[str, ...] = ALL) -> Iterator[None]:
    """Apply the named fixes for the duration of the block."""
    with ExitStack() as stack:
        if "schema" in which:
            for model in (pipeline.FactsDraft, pipeline.EventsDraft):  # wherever the pipeline gets them from
                method = _cached_schema_method(model.model_json_schema)
                stack.enter_context(_replace(model, "model_json_schema", method))
        if "templates" in which:
            stack.enter_context(_replace(prompt.Template, "render", _render))
        if "aligner" in which:
            stack.enter_context(_replace(validate, "align_quote", _align_quote))
        if "aliases" in which:
            stack.enter_context(_replace(matching.AliasTable, "variants", _variants))
            stack.enter_context(_replace(matching, "normalise", functools.lru_cache(maxsize=65_536)(normalise)))
        if "instructor_wrap" in which:
            import instructor.v2.core.function_calls as function_calls

            wrapped = functools.lru_cache(maxsize=128)(function_calls.response_schema)
            stack.enter_context(_replace(function_calls, "response_schema", wrapped))
        if "direct_call" in which:
            stack.enter_context(_replace(call.ModelClient, "attempt", _direct_attempt))
        if "server_logits" in which:
            stack.enter_context(_replace(local_model, "subprocess", _SubprocessWithLogitsOff()))
        yield
