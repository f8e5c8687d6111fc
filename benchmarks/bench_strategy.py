"""B8: seconds per document on the built-in model, evidence strategy over llm strategy.

Both strategies summarize each seed through the same live built-in model server, in A-B-B-A
order per seed (llm, evidence, evidence with both assists, and back) so drift in machine load falls on both sides;
the server start-up is not timed. Goal: the evidence strategy takes at most half the time.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from common import ROOT, Figure, log

GOAL = 0.5
#: The assists timed on the "assisted" side.
ASSISTED = frozenset({"summary", "event_type"})
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


async def _timings() -> dict[str, dict[str, list[float]]]:
    from summarizer.load import load_document
    from summarizer.pipeline import Pipeline, PipelineSettings
    from summarizer.session import EndpointOptions, open_client

    times: dict[str, dict[str, list[float]]] = {}
    async with open_client(EndpointOptions()) as client:  # no endpoint: the built-in model
        pipelines = {
            "llm": Pipeline(client, PipelineSettings(strategy="llm")),
            "evidence": Pipeline(client, PipelineSettings(strategy="evidence", published=None)),
            "assisted": Pipeline(
                client, PipelineSettings(strategy="evidence", assists=frozenset({"summary", "event_type"}))
            ),
        }
        for path in SEEDS:
            doc = load_document(path)
            per: dict[str, list[float]] = {name: [] for name in pipelines}
            for name in ("llm", "evidence", "assisted", "assisted", "evidence", "llm"):
                start = time.perf_counter()
                record: Any = await pipelines[name].summarize(doc)
                per[name].append(time.perf_counter() - start)
                log(f"B8: {path.stem} {name}: {per[name][-1]:.1f}s, {len(record.key_facts)} facts")
            times[path.stem] = per
    return times


def bench_strategies() -> Figure:
    """B8: mean seconds per document, evidence ÷ llm, on the built-in model (all seeds)."""
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        os.environ.pop(name, None)  # this process only: the built-in model
    times = asyncio.run(_timings())
    llm = sum(sum(t["llm"]) for t in times.values()) / sum(len(t["llm"]) for t in times.values())
    evidence = sum(sum(t["evidence"]) for t in times.values()) / sum(len(t["evidence"]) for t in times.values())
    assisted = sum(sum(t["assisted"]) for t in times.values()) / sum(len(t["assisted"]) for t in times.values())
    ratio = evidence / llm
    table = [["seed", "llm s", "evidence s", "evidence + assists s", "evidence ÷ llm", "assisted ÷ llm"]]
    for seed, t in times.items():
        sides = [" / ".join(f"{x:.2f}" for x in t[n]) for n in ("llm", "evidence", "assisted")]
        ratios = [f"{sum(t['evidence']) / sum(t['llm']):.4f}", f"{sum(t['assisted']) / sum(t['llm']):.3f}"]
        table.append([seed, *sides, *ratios])
    return Figure(
        id="B8",
        what="built-in model: seconds per document, evidence strategy ÷ llm strategy (seeds, A-B-B-A)",
        value=ratio,
        unit="×",
        goal=f"≤ {GOAL}",
        met=ratio <= GOAL,
        details=[
            f"llm: {llm:.1f} s per document; evidence (default, no model call): {evidence:.2f} s; evidence with "
            f"both assists (summary, event_type): {assisted:.1f} s ({assisted / llm:.3f} × llm)"
        ],
        table=table,
    )
