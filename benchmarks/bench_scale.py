"""B9 (a corpus of 10,000 documents: time, memory, cache re-run) and B10 (1 million articles on paper).

B9 runs the real command, ``summarizer summarize DIR --format jsonl -o OUT --cache CACHE``, as
a child process against the zero-latency fake server, on distinct copies of seed 000. Its
resident memory (``VmRSS`` from ``/proc``) is sampled with the number of records written so
far, so the report shows whether memory stays flat as documents finish. The same command is
then run again on the same cache: every call should be answered from it (the server counts
the requests it receives), and the records must equal the first run's.

B10 is arithmetic, not a measurement: tokens per document come from the seed cassettes (real
recordings of the built-in model); prices and rate limits are the stated assumptions below.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_pipeline import make_docs
from common import ROOT, FakeServer, Figure, log

MEMORY_GOAL = 1.2  # peak RSS over the RSS at a fifth of the run: flat means no growth with documents
CACHE_GOAL = 1.0  # the re-run's hit rate

# B10's assumptions: gpt-4o-mini list prices (USD per million tokens; the Batch API halves both)
# and OpenAI's usage-tier-1 limits for it (requests and tokens per minute, requests per day,
# and the Batch queue limit: input tokens enqueued at once), as published in 2024. Check your own.
PRICE_INPUT, PRICE_OUTPUT, BATCH_DISCOUNT = 0.15, 0.60, 0.5
TIER = {"name": "tier 1", "rpm": 500, "tpm": 200_000, "rpd": 10_000, "batch_queue_tokens": 2_000_000}
ARTICLES = 1_000_000
_CACHE_LINE = re.compile(r"(\d+) hits, (\d+) misses")


def _rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB (None once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def run_corpus(folder: Path, out: Path, cache: Path, base_url: str, concurrency: int) -> dict[str, Any]:
    """Run ``summarizer summarize`` on a folder; wall time, memory samples and the cache line."""
    command = [sys.executable, "-m", "summarizer.cli", "summarize", str(folder), "--format", "jsonl", "-o", str(out),
               "--cache", str(cache), "--concurrency", str(concurrency), "--endpoint-kind", "vllm",
               "--model", "bench-model", "--quotes", "free"]  # fmt: skip
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "not-needed", "NO_COLOR": "1"}
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    samples: list[tuple[int, float]] = []  # (records written, RSS MiB)
    while child.poll() is None:
        rss = _rss_mib(child.pid)
        if rss is not None:
            samples.append((_lines(out), rss))
        time.sleep(0.25)
    seconds = time.perf_counter() - start
    stderr = child.stderr.read() if child.stderr else ""
    found = _CACHE_LINE.search(stderr)
    return {
        "seconds": seconds,
        "exit": child.returncode,
        "samples": samples,
        "hits": int(found.group(1)) if found else None,
        "misses": int(found.group(2)) if found else None,
        "stderr": stderr[-500:],
    }


def _rss_at(samples: list[tuple[int, float]], share: float, total: int) -> float:
    """The RSS sampled once ``share`` of the records were written (the first sample at or after it)."""
    for written, rss in samples:
        if written >= share * total:
            return rss
    return samples[-1][1]


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL file without their timestamps, in source order."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record.get("provenance", {}).pop("started_at", None)
        record.get("provenance", {}).pop("finished_at", None)
    return sorted(records, key=lambda r: r.get("provenance", {}).get("source", {}).get("path", r.get("source", "")))


def bench_corpus(n_docs: int, concurrency: int = 16) -> Figure:
    """B9: ``n_docs`` documents through the command; memory over the run; a re-run on the cache."""
    with tempfile.TemporaryDirectory(prefix="bench-b9-") as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        log(f"B9: writing {n_docs} documents")
        make_docs(n_docs, folder)
        first_out, second_out, cache = Path(tmp) / "first.jsonl", Path(tmp) / "second.jsonl", Path(tmp) / "cache"
        with FakeServer() as server:
            log(f"B9: first run, {n_docs} documents, concurrency {concurrency}")
            first = run_corpus(folder, first_out, cache, server.base_url, concurrency)
            sent_first = server.get("/_stats")["requests"]
            log(f"B9: {first['seconds']:.1f}s; re-run on the cache")
            second = run_corpus(folder, second_out, cache, server.base_url, concurrency)
            sent_second = server.get("/_stats")["requests"] - sent_first
        written = _lines(first_out)
        same = _records(first_out) == _records(second_out)
        summaries = sum('"kind": "summary"' in line or '"kind":"summary"' in line
                        for line in first_out.read_text(encoding="utf-8").splitlines())  # fmt: skip
    samples = first["samples"]
    if first["exit"] != 0 or written != n_docs or not samples:
        raise RuntimeError(f"first run failed: exit {first['exit']}, {written} of {n_docs} records: {first['stderr']}")
    fifth, peak = _rss_at(samples, 0.2, n_docs), max(rss for _, rss in samples)
    growth = peak / fifth
    hit_rate = (second["hits"] or 0) / max(1, (second["hits"] or 0) + (second["misses"] or 0))
    figure = Figure(
        id="B9",
        what=f"a corpus of {n_docs:,} documents (summarize DIR --format jsonl --cache, 0 ms server)",
        value=growth,
        unit="× peak RSS over RSS at 20% of the records",
        goal=f"memory flat (≤ {MEMORY_GOAL:.1f}×) and a re-run answered from the cache ({CACHE_GOAL:.0%} hits)",
        met=growth <= MEMORY_GOAL and hit_rate >= CACHE_GOAL and sent_second == 0 and same,
    )
    figure.table = [["run", "wall s", "docs/s", "requests sent", "cache hits / misses", "exit"]]
    for label, run, sent in (("first", first, sent_first), ("re-run, same cache", second, sent_second)):
        figure.table.append([label, f"{run['seconds']:.1f}", f"{n_docs / run['seconds']:.0f}", str(sent),
                             f"{run['hits']} / {run['misses']}", str(run["exit"])])  # fmt: skip
    marks = [0.1, 0.2, 0.5, 0.8, 1.0]
    figure.details = [
        "resident memory (MiB) of the summarize process when this share of the records was written: "
        + ", ".join(f"{int(100 * m)}%: {_rss_at(samples, m, n_docs):.0f}" for m in marks)
        + f"; peak {peak:.0f}",
        f"records written: {written:,}, of which summaries: {summaries:,}; written as each document finished",
        f"re-run: hit rate {hit_rate:.1%}, {sent_second} requests reached the server, "
        f"records {'identical' if same else 'DIFFERENT'} to the first run's (timestamps aside)",
        "each document is a distinct copy of seed 000 (a numbered first line); the server answers at once, "
        "so the time is the client's own cost; the first run pays for filling the cache (one SQLite write per call)",
    ]
    return figure


def _cassette_tokens() -> tuple[float, float, int]:
    """Mean prompt and completion tokens per document (first attempts of both calls) in the seed
    cassettes, and the number of documents they come from."""
    from summarizer.cassette import read_interactions

    prompt = completion = 0
    docs = 0
    for path in sorted((ROOT / "tests" / "cassettes" / "seeds").glob("*.yaml")):
        if "." in path.stem:  # judge and evidence cassettes are not summarize calls
            continue
        docs += 1
        for interaction in read_interactions(path):
            if len(interaction.body.get("messages", [])) > 2:  # a re-ask carries the earlier turns
                continue
            usage = (interaction.response or {}).get("usage") or {}
            prompt += int(usage.get("prompt_tokens", 0))
            completion += int(usage.get("completion_tokens", 0))
    return prompt / docs, completion / docs, docs


def paper_estimate() -> Figure:
    """B10: cost and time for a million articles, Batch API against interactive calls (arithmetic)."""
    prompt, completion, docs = _cassette_tokens()
    calls = 2
    cost_interactive = ARTICLES * (prompt * PRICE_INPUT + completion * PRICE_OUTPUT) / 1e6
    cost_batch = cost_interactive * BATCH_DISCOUNT
    per_minute = min(TIER["rpm"] / calls, TIER["tpm"] / (prompt + completion))
    per_day = min(per_minute * 1440, TIER["rpd"] / calls)
    interactive_days = ARTICLES / per_day
    batch_docs = int(TIER["batch_queue_tokens"] // prompt)  # documents whose input fits the queue at once
    batches = -(-ARTICLES // batch_docs)
    figure = Figure(
        id="B10",
        what=f"{ARTICLES:,} articles on paper: Batch API against interactive calls ({TIER['name']}, gpt-4o-mini)",
        value=cost_batch,
        unit="USD through the Batch API",
        goal="an estimate, no goal",
        met=None,
    )
    figure.table = [
        ["path", "cost USD", "what limits it", "time"],
        ["interactive", f"{cost_interactive:,.0f}",
         f"{per_day:,.0f} documents/day ({TIER['rpm']} RPM, {TIER['tpm']:,} TPM, {TIER['rpd']:,} RPD; 2 calls each)",
         f"{interactive_days:,.0f} days"],
        ["Batch API", f"{cost_batch:,.0f}",
         f"{batch_docs:,} documents per batch (queue limit {TIER['batch_queue_tokens']:,} input tokens)",
         f"{batches:,} batches one after another, each up to 24 h"],
    ]  # fmt: skip
    figure.details = [
        f"tokens per document: {prompt:,.0f} prompt + {completion:,.0f} completion (mean of the first attempts of "
        f"both calls over {docs} seed cassettes, SmolLM2's tokenizer; re-asks would add to it)",
        f"prices assumed: ${PRICE_INPUT}/M input, ${PRICE_OUTPUT}/M output tokens, the Batch API at "
        f"{BATCH_DISCOUNT:.0%} of that; limits assumed: OpenAI's published {TIER['name']} figures for gpt-4o-mini",
        "at tier 1 neither path is practical for a million articles: the daily request cap binds the "
        "interactive path and the queue limit the Batch path; both limits rise by orders of magnitude at "
        "higher tiers, and the time scales inversely with them, while the cost does not change",
        "the Batch path's time is a worst case: a batch may finish well within its 24-hour window",
    ]
    return figure
