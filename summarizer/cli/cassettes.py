"""``summarizer cassettes``: inspect recorded model calls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from summarizer.cassette_check import check_cassettes, describe, find_cassettes
from summarizer.cli import EXIT_FAILED, EXIT_OK, app, fail, stderr, stdout

cassettes_app = typer.Typer(no_args_is_help=True, help="Inspect recorded model calls.")
app.add_typer(cassettes_app, name="cassettes")


@cassettes_app.command("check")
def cassettes_check(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Cassette files or directories.")] = None,
    refs: Annotated[Optional[list[Path]], typer.Option("--refs", help="Where cassettes must be named.")] = None,
) -> None:
    """List cassettes that are stale or unused; exit 1 if any are."""
    targets = paths or [p for p in (Path("tests/cassettes"), Path("evals/cassettes")) if p.exists()]
    cassettes = find_cassettes(targets)
    if not cassettes:
        raise fail("no cassettes found")
    roots = refs or [p for p in (Path("tests"), Path("evals"), Path("scripts"), Path("README.md")) if p.exists()]
    reports = check_cassettes(cassettes, roots)
    for report in reports:
        style = "green" if report.ok else "red"
        stdout.print(Text(describe(report), style=style))
    bad = [r for r in reports if not r.ok]
    stderr.print(f"{len(cassettes)} cassettes, {len(bad)} stale, unused or unreadable", highlight=False)
    raise typer.Exit(EXIT_FAILED if bad else EXIT_OK)
