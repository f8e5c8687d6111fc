"""B1 (pipeline overhead) and B2 (concurrency scaling) against the fake server.

Both sides hit the same server child process.  The pipeline side is the real stack:
``summarizer.session.open_client`` (retry transport, instructor, openai) and
``Pipeline.run_batch`` over documents on disk, endpoint kind ``vllm``, quote choices off
so the hand-built answers validate.  The raw side is a bare ``openai.AsyncOpenAI`` loop
that replays the exact request bodies (and X-Summarizer-* headers) the pipeline sent,
captured once from the server side, at the same concurrency: one document at a time
per worker, its facts and events requests sent at once, as the pipeline sends them.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import openai
from common import SEED_000, FakeServer, Figure, log, optional_step, profile_call

from summarizer.pipeline import DocumentRecordT, Pipeline, PipelineSettings
from summarizer.schema import SummaryRecord
from summarizer.session import EndpointOptions, open_client

Request = tuple[dict[str, Any], dict[str, str]]
_DOC_TAG = re.compile(r"Dispatch (\d{4})\.")
OVERHEAD_GOAL = 1.5
#: B2: the pipeline's documents per second over the raw loop's, same calls sent the same way.
SCALING_GOAL = 0.85


def make_docs(n: int, directory: Path) -> list[str]:
    """``n`` distinct copies of seed 000 (a numbered first line), so every request differs."""
    text = SEED_000.read_text(encoding="utf-8")
    paths = []
    for i in range(n):
        path = directory / f"doc{i:04d}.txt"
        path.write_text(f"Dispatch {i:04d}.\n\n{text}", encoding="utf-8")
        paths.append(str(path))
    return paths


async def _pipeline(base_url: str, sources: list[str], concurrency: int) -> tuple[float, list[DocumentRecordT]]:
    options = EndpointOptions(base_url=base_url, model="bench-model", kind="vllm", api_key="not-needed")
    async with open_client(options) as client:
        pipeline = Pipeline(client, PipelineSettings(quote_choices=False))
        start = time.perf_counter()
        records = await pipeline.run_batch(sources, concurrency=concurrency)
        return time.perf_counter() - start, records


def run_pipeline(base_url: str, sources: list[str], concurrency: int) -> float:
    """Seconds for ``Pipeline.run_batch``; every record must be a valid, fully grounded summary."""
    seconds, records = asyncio.run(_pipeline(base_url, sources, concurrency))
    bad = [r for r in records if not isinstance(r, SummaryRecord) or r.grounding.unmatched or r.provenance.reasks]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(records)} pipeline records are not clean: {bad[0]!r:.300}")
    return seconds


#: Request fields ``chat.completions.create`` takes as keywords; the rest (a server's own
#: sampling fields such as ``repetition_penalty``) go back through ``extra_body`` as the pipeline sent them.
OPENAI_FIELDS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "temperature",
        "top_p",
        "seed",
        "response_format",
        "tools",
        "tool_choice",
        "stop",
        "n",
        "frequency_penalty",
        "presence_penalty",
        "stream",
    }
)


async def _raw(base_url: str, per_doc: list[list[Request]], concurrency: int) -> float:
    client = openai.AsyncOpenAI(base_url=base_url, api_key="not-needed", max_retries=0)
    semaphore = asyncio.Semaphore(concurrency)

    async def call(body: dict[str, Any], headers: dict[str, str]) -> None:
        known = {k: v for k, v in body.items() if k in OPENAI_FIELDS}
        extra = {k: v for k, v in body.items() if k not in OPENAI_FIELDS}
        completion = await client.chat.completions.create(**known, extra_body=extra, extra_headers=headers)
        if not completion.choices[0].message.content:
            raise RuntimeError("raw loop got an empty answer")

    async def one(requests: list[Request]) -> None:
        async with semaphore:  # a document's calls at once, as the pipeline sends them
            await asyncio.gather(*(call(body, headers) for body, headers in requests))

    try:
        start = time.perf_counter()
        await asyncio.gather(*(one(requests) for requests in per_doc))
        return time.perf_counter() - start
    finally:
        await client.close()


def run_raw(base_url: str, per_doc: list[list[Request]], concurrency: int) -> float:
    """Seconds for the raw openai loop replaying ``per_doc``."""
    return asyncio.run(_raw(base_url, per_doc, concurrency))


def capture_requests(sources: list[str], concurrency: int) -> list[list[Request]]:
    """Run the pipeline once against a capturing server; the requests of each document, in order."""
    with FakeServer(capture=True) as server:
        run_pipeline(server.base_url, sources, concurrency)
        captured = server.get("/_captured")
    by_doc: dict[int, list[Request]] = defaultdict(list)
    for item in captured:
        user = next(m["content"] for m in item["body"]["messages"] if m["role"] == "user")
        found = _DOC_TAG.search(user)
        if found is None:
            raise RuntimeError("captured request without a document tag")
        headers = {name.title(): value for name, value in item["headers"].items()}
        by_doc[int(found.group(1))].append((item["body"], headers))
    per_doc = [by_doc[i] for i in range(len(sources))]
    if any(len(requests) != 2 for requests in per_doc):
        raise RuntimeError("expected exactly 2 requests per document (facts, events)")
    # facts first, as the pipeline starts them
    return [
        sorted(reqs, key=lambda r: r[0]["response_format"]["json_schema"]["name"] != "FactsDraft") for reqs in per_doc
    ]


def bench_overhead(n_docs: int, concurrency: int, rounds: int, profile: bool) -> Figure:
    """B1: pipeline seconds / raw-loop seconds for the same requests at the same concurrency."""
    with tempfile.TemporaryDirectory(prefix="bench-b1-") as tmp:
        sources = make_docs(n_docs, Path(tmp))
        log(f"B1: capturing the pipeline's requests for {n_docs} docs")
        per_doc = capture_requests(sources, concurrency)
        ratios, pipe_times, raw_times, server_load = [], [], [], []
        with FakeServer() as server:
            run_raw(server.base_url, per_doc[: min(20, n_docs)], concurrency)  # warm-up
            for r in range(rounds):
                order = ("pipeline", "raw") if r % 2 == 0 else ("raw", "pipeline")
                times: dict[str, float] = {}
                for side in order:
                    cpu0 = server.cpu_seconds()
                    if side == "pipeline":
                        times[side] = run_pipeline(server.base_url, sources, concurrency)
                    else:
                        times[side] = run_raw(server.base_url, per_doc, concurrency)
                        server_load.append((server.cpu_seconds() - cpu0) / times[side])
                ratios.append(times["pipeline"] / times["raw"])
                pipe_times.append(times["pipeline"])
                raw_times.append(times["raw"])
                log(f"B1 round {r + 1}: pipeline {times['pipeline']:.2f}s raw {times['raw']:.2f}s")
            ratio = statistics.median(ratios)
            figure = Figure(
                id="B1",
                what=f"pipeline overhead ({n_docs} docs, concurrency {concurrency}, 0 ms server)",
                value=ratio,
                unit="× raw openai loop",
                goal=f"ratio ≤ {OVERHEAD_GOAL:.2f}",
                met=ratio <= OVERHEAD_GOAL,
            )
            n_req = 2 * n_docs
            pipe, raw = statistics.median(pipe_times), statistics.median(raw_times)
            figure.table = [["side", "median wall s", "docs/s", "requests/s", "ms per doc"]]
            for side, secs in (("summarizer run_batch", pipe), ("raw AsyncOpenAI loop", raw)):
                rates = [f"{secs:.2f}", f"{n_docs / secs:.0f}", f"{n_req / secs:.0f}", f"{1e3 * secs / n_docs:.2f}"]
                figure.table.append([side, *rates])
            figure.details = [
                f"ratio per round (median reported): {', '.join(f'{x:.2f}' for x in ratios)}",
                f"pipeline cost beyond the raw loop: {1e3 * (pipe - raw) / n_docs:.2f} ms of client CPU per document",
                "fake server CPU use during the raw runs: "
                + ", ".join(f"{100 * x:.0f}%" for x in server_load)
                + " of one core (it is not the bottleneck when well under 100%)",
                "every pipeline record checked: SummaryRecord, 4 exact quotes, no re-asks",
            ]
            url = server.base_url
            if profile and not figure.met:
                log("B1 missed: profiling the pipeline side")
                part = sources[: min(60, n_docs)]
                figure.profile = (
                    optional_step(
                        figure,
                        "profile",
                        lambda: profile_call(lambda: run_pipeline(url, part, concurrency), async_mode=True),
                    )
                    or ""
                )
    return figure


def bench_scaling(levels: list[int], latency: float, docs_per_worker: int, profile: bool) -> Figure:
    """B2: documents per second at each concurrency with a fixed server latency, pipeline over raw loop."""
    rows = [["concurrency", "docs", "pipeline docs/s", "raw docs/s", "ideal docs/s", "pipeline ÷ raw"]]
    rows[0] += ["raw % of ideal", "TCP connections opened, pipeline / raw"]
    versus_raw: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-b2-") as tmp:
        sources_all = make_docs(max(levels) * docs_per_worker, Path(tmp))
        per_doc_all = capture_requests(sources_all, max(levels))
        with FakeServer(latency=latency) as server:
            for level in levels:
                n = max(8, level * docs_per_worker)
                sources, per_doc = sources_all[:n], per_doc_all[:n]
                conns = _connections(server)
                pipe = run_pipeline(server.base_url, sources, level)
                pipe_conns, conns = _connections(server) - conns - 1, _connections(server)
                raw = run_raw(server.base_url, per_doc, level)
                raw_conns = _connections(server) - conns - 1
                ideal = level / latency  # each document's two calls overlap: one latency per document
                pipe_rate, raw_rate = n / pipe, n / raw
                versus_raw[level] = pipe_rate / raw_rate
                rows.append(
                    [
                        str(level),
                        str(n),
                        f"{pipe_rate:.1f}",
                        f"{raw_rate:.1f}",
                        f"{ideal:.0f}",
                        f"{versus_raw[level]:.2f}",
                        f"{100 * raw_rate / ideal:.1f}%",
                        f"{pipe_conns} / {raw_conns}",
                    ]
                )
                log(f"B2 concurrency {level}: pipeline {pipe_rate:.1f} docs/s raw {raw_rate:.1f} docs/s")
            top = max(levels)
            figure = Figure(
                id="B2",
                what=f"concurrency scaling ({latency * 1000:.0f} ms server latency), at concurrency {top}",
                value=versus_raw[top],
                unit="× raw loop's docs/s",
                goal=f"≥ {SCALING_GOAL:.2f} × the raw openai loop at concurrency {top}",
                met=versus_raw[top] >= SCALING_GOAL,
                table=rows,
                details=[
                    "each document is 2 requests (facts and events) sent at once, on both sides; "
                    "throughput counts documents",
                    "the raw side is the bare openai loop replaying the same requests at the same concurrency",
                    "ideal: concurrency ÷ latency documents per second",
                    "TCP connections: accepted by the server during each run; more connections than "
                    "twice the concurrency means the client's pool closed and reopened keep-alive connections",
                ],
            )
            url, n = server.base_url, max(8, top * min(docs_per_worker, 2))
            if profile and not figure.met:
                log("B2 missed: profiling the pipeline at the top concurrency")
                figure.profile = (
                    optional_step(
                        figure,
                        "profile",
                        lambda: profile_call(lambda: run_pipeline(url, sources_all[:n], top), async_mode=True),
                    )
                    or ""
                )
    return figure


def _connections(server: FakeServer) -> int:
    """Connections the server has accepted so far (each call opens one more)."""
    return int(server.get("/_stats")["connections"])
