"""One exception tree for everything summarizer raises on purpose."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.schema import Usage


class SummarizerError(Exception):
    """Base class: every error summarizer raises deliberately derives from it."""

    #: Short machine-readable name used in error records.
    kind = "error"


class InputError(SummarizerError):
    """The input document cannot be read or is not usable (missing, empty, binary, too large)."""

    kind = "input_error"


class ConfigError(SummarizerError):
    """Bad configuration or usage (unknown mode, bad endpoint URL, missing built-in model)."""

    kind = "config_error"


class ModelError(SummarizerError):
    """Base class for failures of the model call itself."""

    kind = "model_error"
    #: Attempts made at the failed call (set by the re-ask loop).
    attempts: int = 0
    #: Tokens the failing attempt spent, when the endpoint reported them.
    usage: Usage | None = None


class ProviderError(ModelError):
    """The endpoint failed: transport error, timeout, or an HTTP error after retries."""

    kind = "provider_error"


class RateLimitExhausted(ProviderError):
    """The endpoint kept answering 429 until the retry budget ran out."""

    kind = "rate_limit_exhausted"


class TruncatedOutput(ModelError):
    """The model stopped at max_tokens (finish_reason == "length") before finishing its JSON."""

    kind = "truncated_output"


class RefusalError(ModelError):
    """The model refused to answer."""

    kind = "refusal"


class InvalidOutput(ModelError):
    """The model's output stayed invalid after all re-asks."""

    kind = "invalid_output"

    def __init__(self, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class BudgetExceeded(InvalidOutput):
    """The cumulative token budget or the deadline ran out before a valid answer."""

    kind = "budget_exceeded"


class DeadlineExceeded(ModelError):
    """The per-document or per-run wall-clock deadline passed before the document was done."""

    kind = "deadline_exceeded"


class CassetteError(SummarizerError):
    """A recorded model call cannot be replayed (no match, or stale recording)."""

    kind = "cassette_error"


class StaleCassette(CassetteError):
    """The prompt template or schema changed since the cassette was recorded."""

    kind = "stale_cassette"


class CallDeferred(SummarizerError):
    """A model call was not sent now but written to a batch requests file (``summarizer batch``).

    Not a :class:`ModelError`: a deferred events call leaves the document pending, not partial."""

    kind = "call_deferred"

    def __init__(self, message: str, custom_id: str) -> None:
        super().__init__(message)
        self.custom_id = custom_id


class BatchNotFinished(SummarizerError):
    """A batch is still running: its results cannot be collected yet."""

    kind = "batch_not_finished"
