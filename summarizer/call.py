"""Stage 3: one model call: instructor's handlers for the endpoint's mode shape the request and parse
the answer, and the openai client sends it.

Each call is one attempt (instructor's own retry wrapper is not used): the re-ask loop lives in
:mod:`summarizer.validate`, so that grounding feedback and the token budget are ours. Each response
model is prepared for instructor once, not on every call.
Provider failures become typed errors here and are never fed back to the model.
"""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx2
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException
from instructor.v2.core.registry import mode_registry
from instructor.v2.core.response_model import prepare_response_model
from pydantic import BaseModel, ValidationError

from summarizer.cassette import SCHEMA_HEADER, TEMPLATE_HEADER
from summarizer.errors import ProviderError, RateLimitExhausted, RefusalError, SummarizerError, TruncatedOutput
from summarizer.providers import Endpoint
from summarizer.retry import final_error_code, parse_retry_after
from summarizer.schema import Usage

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass
class CallResult(Generic[ModelT]):
    """The outcome of one attempt: a parsed draft, or the problems to re-ask about."""

    parsed: ModelT | None
    raw_content: str
    usage: Usage
    problems: list[str] = field(default_factory=list)
    repaired: bool = False  # parsed only after repairing near-JSON


def usage_of(completion: Any) -> Usage:
    """Token usage of one completion (zero when the endpoint reports none)."""
    usage = getattr(completion, "usage", None)
    if usage is None:
        return Usage()
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    total = int(getattr(usage, "total_tokens", 0) or 0) or prompt + completion_tokens
    return Usage(prompt_tokens=prompt, completion_tokens=completion_tokens, total_tokens=total)


def _message_text(completion: Any) -> str:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        return ""
    message = choices[0].message
    tool_calls = getattr(message, "tool_calls", None) or []
    if tool_calls:
        return str(tool_calls[0].function.arguments or "")
    return str(message.content or "")


def describe_validation_error(exc: BaseException) -> list[str]:
    """Precise, model-readable feedback from a pydantic or JSON error."""
    if isinstance(exc, ValidationError):
        problems = []
        for error in exc.errors()[:12]:
            if error["type"] == "json_invalid":
                problems.append(f"the answer is not valid JSON: {error['msg']}")
                continue
            where = ".".join(str(part) for part in error["loc"]) or "(root)"
            problems.append(f"field {where}: {error['msg']}")
        return problems
    if isinstance(exc, json.JSONDecodeError):
        return [f"the answer is not valid JSON ({exc.msg} at character {exc.pos})"]
    return [f"the answer could not be parsed: {exc}"]


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def repair_json(text: str, response_model: type[ModelT]) -> ModelT | None:
    """Recover a valid answer from near-JSON: raw control characters inside strings
    (small models under a grammar emit them), or JSON in a Markdown fence or amid prose.
    Returns None when the content is still invalid, so the caller re-asks."""
    candidates = [text]
    fenced = _FENCE.search(text)
    if fenced:
        candidates.append(fenced.group(1))
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate, strict=False)
            return response_model.model_validate(data)
        except (ValueError, ValidationError):
            continue
    return None


def provider_error(exc: openai.OpenAIError) -> SummarizerError:
    """Map an openai exception (after transport retries) to our error tree."""
    if isinstance(exc.__cause__, SummarizerError):  # e.g. a cassette that cannot answer
        return exc.__cause__
    if isinstance(exc, openai.RateLimitError) and (code := final_error_code(exc.response.content)):
        body = exc.body.get("message", exc.body) if isinstance(exc.body, dict) else exc.body
        return ProviderError(f"the endpoint refused the request: {code} (not retried): {_short(str(body))}")
    if isinstance(exc, openai.RateLimitError):
        retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
        detail = f" (server asked to wait {retry_after:.0f}s)" if retry_after is not None else ""
        return RateLimitExhausted(f"rate limited by the endpoint: retries exhausted{detail}")
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("the endpoint timed out (retries exhausted)")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ProviderError(f"cannot reach the endpoint: {type(cause).__name__}: {cause}")
    if isinstance(exc, openai.APIStatusError):
        body = exc.body.get("message", exc.body) if isinstance(exc.body, dict) else exc.body
        return ProviderError(f"the endpoint answered HTTP {exc.status_code}: {_short(str(body or exc.message))}")
    return ProviderError(f"endpoint error: {_short(str(exc))}")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Response models prepared for instructor, at most this many kept (quote-choice models are per document).
PREPARED_MODELS = 256


class ModelClient:
    """An openai client bound to one endpoint, whose requests and answers instructor shapes and parses.

    Each response model is prepared for instructor once (instructor's own wrapper prepares it, checks
    its validators and builds its schema again on every call); the request and the parse are
    instructor's handlers for the endpoint's mode, called directly."""

    def __init__(self, endpoint: Endpoint, http_client: httpx2.AsyncClient) -> None:
        self.endpoint = endpoint
        self._openai = openai.AsyncOpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.api_key or "not-needed",
            max_retries=0,
            http_client=http_client,
        )
        client = instructor.from_openai(self._openai, mode=endpoint.mode)
        self._handlers = mode_registry.get_handlers(client.provider, client.mode)
        self._prepared: OrderedDict[type[BaseModel], type[BaseModel]] = OrderedDict()

    def _prepare(self, response_model: type[ModelT]) -> type[ModelT]:
        """The model as instructor prepares it, once per model (least recently used dropped)."""
        prepared = self._prepared.get(response_model)
        if prepared is None:
            prepared = prepare_response_model(response_model)
            assert prepared is not None
            self._prepared[response_model] = prepared
            while len(self._prepared) > PREPARED_MODELS:
                self._prepared.popitem(last=False)
        else:
            self._prepared.move_to_end(response_model)
        return prepared  # type: ignore[return-value]

    async def attempt(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        max_tokens: int,
        temperature: float,
        template_tag: str,
        schema_tag: str,
    ) -> CallResult[ModelT]:
        """Make one attempt; return the draft or the validation problems; raise typed errors."""
        params = self.endpoint.request_params(response_model, max_tokens=max_tokens, temperature=temperature)
        prepared, kwargs = self._handlers.request_handler(
            response_model=self._prepare(response_model), kwargs={**params, "messages": messages}
        )
        assert prepared is not None  # a response model was given
        try:
            completion = await self._openai.chat.completions.create(
                **kwargs, extra_headers={TEMPLATE_HEADER: template_tag, SCHEMA_HEADER: schema_tag}
            )
        except openai.OpenAIError as exc:
            raise provider_error(exc) from exc
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # e.g. an HTTP 200 whose body is not JSON
            raise ProviderError(
                f"the endpoint's answer could not be read: {type(exc).__name__}: {_short(str(exc))}"
            ) from exc
        if getattr(completion, "choices", None) and getattr(completion.choices[0], "message", None) is None:
            raise ProviderError("the endpoint returned a choice without a message")
        try:
            parsed = self._handlers.response_parser(
                response=completion, response_model=prepared, validation_context=None, strict=True,
                stream=False, is_async=True,
            )  # fmt: skip
        except IncompleteOutputException as exc:
            used = usage_of(completion)
            truncated = TruncatedOutput(
                f"the model stopped at max_tokens={max_tokens} before finishing its JSON "
                f"({used.completion_tokens} tokens); raise --max-tokens"
            )
            truncated.usage = used
            raise truncated from exc
        except Exception as exc:  # instructor's parse errors: ValidationError, JSON, its own parsing errors
            return self._failed_attempt(exc, completion, response_model)
        return CallResult(parsed=parsed, raw_content=_message_text(completion), usage=usage_of(completion))

    def _failed_attempt(self, cause: Exception, completion: Any, response_model: type[ModelT]) -> CallResult[ModelT]:
        if not getattr(completion, "choices", None):
            raise ProviderError("the endpoint returned no choices") from cause
        message = completion.choices[0].message
        refusal = getattr(message, "refusal", None)
        if refusal:
            refused = RefusalError(f"the model refused: {_short(str(refusal))}")
            refused.usage = usage_of(completion)
            raise refused from cause
        if completion.choices[0].finish_reason == "length":
            truncated = TruncatedOutput("the model stopped at max_tokens before finishing its JSON")
            truncated.usage = usage_of(completion)
            raise truncated from cause
        raw_content = _message_text(completion)
        repaired = repair_json(raw_content, response_model)
        if repaired is not None:
            return CallResult(parsed=repaired, raw_content=raw_content, usage=usage_of(completion), repaired=True)
        return CallResult(
            parsed=None, raw_content=raw_content, usage=usage_of(completion), problems=describe_validation_error(cause)
        )
