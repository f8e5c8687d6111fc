"""Command line: a thin shell over the library.

Exit codes: 0 every document succeeded; 1 some document failed in the model stage
(provider, truncation, refusal, invalid output); 2 usage error, or every failed
document was refused as bad input; 4 (``summarize``) no document failed, but some
record is partial: the events call or one chunk's call failed (``failed_calls``).  ``eval run``,
``eval report`` and ``eval score`` add 3: a ``--fail-under`` threshold was missed; ``batch collect``
adds 5: some document is pending a follow-up round (see :mod:`summarizer.cli.batch`).
"""

from __future__ import annotations

import json
import logging
import sys

import typer
from rich.console import Console
from rich.text import Text

from summarizer.redact import RedactingFilter
from summarizer.schema import output_json_schema

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REGRESSION, EXIT_PARTIAL, EXIT_PENDING = 0, 1, 2, 3, 4, 5

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Grounded, structured summaries of news articles.")
#: Messages on stderr carry file names, article text and model answers: never read them as markup.
stderr = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
stdout = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def say(label: str, style: str, message: str) -> None:
    """Print ``label message`` on stderr: the label styled, the message as literal text."""
    stderr.print(Text.assemble((label, style), " ", message))


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print an error on stderr and return the Exit to raise."""
    say("error:", "bold red", message)
    return typer.Exit(code)


def setup_logging(verbose: int) -> None:
    """-v info, -vv debug, on stderr."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    if verbose < 2:  # instructor logs each failed attempt at ERROR; our records already say why
        logging.getLogger("instructor").setLevel(logging.CRITICAL)


@app.command()
def schema() -> None:
    """Print the JSON Schema of an output record."""
    sys.stdout.write(json.dumps(output_json_schema(), indent=2) + "\n")


def main() -> None:
    """Console entry point."""
    app()


from summarizer.cli import batch as _batch  # noqa: E402,F401  (registers commands)
from summarizer.cli import cache as _cache  # noqa: E402,F401
from summarizer.cli import cassettes as _cassettes  # noqa: E402,F401
from summarizer.cli import evals as _evals  # noqa: E402,F401
from summarizer.cli import load as _load  # noqa: E402,F401
from summarizer.cli import summarize as _summarize  # noqa: E402,F401
