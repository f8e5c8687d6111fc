"""Options that several commands take, declared once (the same name, bounds, default and help)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

ModelOption = Annotated[Optional[str], typer.Option(help="Model name at the endpoint.")]
BaseUrlOption = Annotated[Optional[str], typer.Option(help="OpenAI-compatible base URL (or OPENAI_BASE_URL).")]
EndpointKindOption = Annotated[Optional[str], typer.Option(help="openai, vllm, ollama, llamacpp, llama-cpp-python.")]
MaxTokensOption = Annotated[int, typer.Option(min=16, help="Max completion tokens per call.")]
TemperatureOption = Annotated[float, typer.Option(min=0.0, max=2.0, help="Sampling temperature.")]
MaxReasksOption = Annotated[int, typer.Option(min=0, max=2, help="Re-asks after invalid or ungrounded output.")]
TokenBudgetOption = Annotated[int, typer.Option(min=1, help="Cumulative token budget per document.")]
MaxBytesOption = Annotated[int, typer.Option(min=1, help="Refuse documents larger than this.")]
ContextTokensOption = Annotated[
    Optional[int],
    typer.Option(
        min=1,
        help="The model's context window in tokens: a longer article is read in chunks. "
        "Default: the built-in model's 8192; no chunking for other endpoints.",
    ),
]
EventsOption = Annotated[bool, typer.Option("--events/--no-events", help="Extract ACLED-style events.")]
ConcurrencyOption = Annotated[int, typer.Option(min=1, max=256, help="Documents in flight at once.")]
TimeoutOption = Annotated[float, typer.Option(min=0.1, help="Seconds per HTTP request.")]
MaxRetriesOption = Annotated[int, typer.Option(min=0, max=20, help="Transport retries per request (429, 5xx, ...).")]
VerboseOption = Annotated[int, typer.Option("--verbose", "-v", count=True, help="-v info, -vv debug.")]
