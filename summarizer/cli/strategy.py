"""The extraction-strategy options shared by ``summarize`` and ``eval run``."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from summarizer.assist import ASSISTS
from summarizer.cli import fail

STRATEGIES = ("auto", "evidence", "llm")

StrategyOption = Annotated[
    str,
    typer.Option(help="evidence: the program reads facts and events from the article's sentences and the model "
                 "only assists; llm: the model extracts them; auto: evidence for the built-in or a --small-model."),
]  # fmt: skip
AssistOption = Annotated[
    list[str],
    typer.Option("--assist", help=f"Model assists of the evidence strategy ({', '.join(ASSISTS)}); repeatable. "
                 "Default: none (measured no gain on the built-in model)."),
]  # fmt: skip
SmallModelOption = Annotated[bool, typer.Option(help="The endpoint serves a small model (auto picks evidence).")]
PublishedOption = Annotated[
    Optional[str],
    typer.Option(help="Publication date (YYYY-MM-DD or a year) that dates like 'Tuesday' resolve against; "
                 "default: the page's metadata or a byline."),
]  # fmt: skip


def strategy_settings(strategy: str, assist: list[str], small_model: bool, published: str | None) -> dict[str, Any]:
    """PipelineSettings fields for the strategy options (a bad value is a usage error, exit 2)."""
    if strategy not in STRATEGIES:
        raise fail(f"--strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    unknown = [a for a in assist if a not in (*ASSISTS, "none")]
    if unknown:
        raise fail(f"--assist must be one of {', '.join((*ASSISTS, 'none'))}, not {unknown[0]!r}")
    if published is not None:
        from summarizer.evidence.published import parse_published

        if not parse_published(published, "option").known:
            raise fail(f"--published: not a date: {published!r}")
    assists = None if not assist else frozenset(a for a in assist if a != "none")
    return {"strategy": strategy, "assists": assists, "small_model": small_model, "published": published}
