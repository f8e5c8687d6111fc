"""B5 (built-in model: summarize vs raw llama-cpp-python) and B6 (offline suite wall time).

B5 runs ``Pipeline.summarize`` on seed 000 through the real built-in model server
(``open_client`` with no endpoint configured, which starts ``builtin_server``), records
the exact request bodies it sent, then replays those bodies in-process with
``llama_cpp.Llama(builtin_model_path()).create_chat_completion`` (same messages,
max_tokens, sampling and response_format, the same n_ctx and n_threads).  Both sides
count completion tokens over wall time; the server start-up is not timed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx2
from common import ROOT, SEED_000, Figure, log, optional_step

SPEED_GOAL = 0.9
SUITE_GOAL_S = 60.0
PIPELINE_TIMEOUT_S = 1200.0
RAW_KEYS = ("messages", "max_tokens", "temperature", "seed", "response_format", "top_k", "repeat_penalty", "top_p")


class _Recording(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport, bodies: list[dict[str, Any]]) -> None:
        self.inner = inner
        self.bodies = bodies

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST" and request.url.path.endswith("/chat/completions"):
            self.bodies.append(json.loads(request.content))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class BodyRecorder:
    """A TransportRecorder (see summarizer.session) that keeps the request bodies in memory."""

    needs_live_endpoint = True

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def wrap(self, inner: httpx2.AsyncBaseTransport) -> httpx2.AsyncBaseTransport:
        return _Recording(inner, self.bodies)

    def save(self, complete: bool = True) -> None:
        return None


Round = tuple[float, int]  # (wall seconds, completion tokens)


async def _pipeline_side(
    between: Callable[[list[dict[str, Any]]], Any] | None = None,
) -> tuple[list[Round], float, list[dict[str, Any]], Any, Any]:
    """Summarize seed 000 through the built-in server; with ``between``, run it on the recorded
    bodies while the server idles, then summarize once more (the A-B-B-A order)."""
    from summarizer.load import load_document
    from summarizer.pipeline import Pipeline, PipelineSettings
    from summarizer.session import EndpointOptions, open_client

    recorder = BodyRecorder()
    rounds: list[Round] = []
    async with open_client(EndpointOptions(), recorder=recorder) as client:  # no endpoint: the built-in model
        pipeline = Pipeline(client, PipelineSettings(strategy="llm"))  # the model does the extraction
        doc = load_document(SEED_000)
        warm = {"model": client.endpoint.model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}

        async def one() -> tuple[Any, float]:
            async with httpx2.AsyncClient(timeout=120.0) as http:  # same KV-cache state as the raw side
                (await http.post(client.endpoint.base_url + "/chat/completions", json=warm)).raise_for_status()
            cpu, start = time.process_time(), time.perf_counter()
            record = await asyncio.wait_for(pipeline.summarize(doc), timeout=PIPELINE_TIMEOUT_S)
            rounds.append((time.perf_counter() - start, record.provenance.usage.completion_tokens))
            return record, time.process_time() - cpu

        record, cpu = await one()
        bodies = list(recorder.bodies)
        extra = None
        if between is not None:
            extra = between(bodies)
            await one()
    return rounds, cpu, bodies, record, extra


def _raw_rounds(bodies: list[dict[str, Any]], rounds: int, **llama_kwargs: Any) -> list[Round]:
    """Replay ``bodies`` with an in-process llama_cpp.Llama (loaded once, not timed), ``rounds`` times."""
    import llama_cpp

    from summarizer.local_model import ServerSettings, builtin_model_path

    settings = ServerSettings()
    llm = llama_cpp.Llama(
        model_path=str(builtin_model_path()),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        verbose=False,
        **llama_kwargs,
    )
    results: list[Round] = []
    for _ in range(rounds):
        llm.create_chat_completion(messages=[{"role": "user", "content": "Hi"}], max_tokens=4)  # warm-up
        seconds, tokens = 0.0, 0
        for body in bodies:
            kwargs = {k: body[k] for k in RAW_KEYS if k in body}
            start = time.perf_counter()
            out: Any = llm.create_chat_completion(**kwargs)
            seconds += time.perf_counter() - start
            tokens += int(out["usage"]["completion_tokens"])
        results.append((seconds, tokens))
    del llm
    return results


def _rate(rounds: list[Round]) -> float:
    return sum(t for _, t in rounds) / sum(s for s, _ in rounds)


def _rows(label: str, n_requests: int, rounds: list[Round]) -> list[list[str]]:
    return [
        [f"{label}, round {i + 1}", str(n_requests), str(t), f"{s:.1f}", f"{t / s:.1f}"]
        for i, (s, t) in enumerate(rounds)
    ]


def bench_builtin_model(profile: bool, whatif: bool = False) -> Figure:
    """B5: summarize tokens/s over raw llama-cpp-python tokens/s on the same prompts, in A-B-B-A order."""
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        os.environ.pop(name, None)  # this process only: make open_client pick the built-in model
    load_before = os.getloadavg()[0]
    log("B5: summarize on seed 000 through the built-in model server, raw llama-cpp-python twice, summarize again")
    pipe_rounds, client_cpu, bodies, record, raw_rounds = asyncio.run(_pipeline_side(lambda b: _raw_rounds(b, 2)))
    pipe_rate, raw_rate = _rate(pipe_rounds), _rate(raw_rounds)
    ratio = pipe_rate / raw_rate
    same_tokens = len({t for _, t in pipe_rounds + raw_rounds}) == 1
    figure = Figure(
        id="B5",
        what="built-in model: summarize end-to-end tokens/s ÷ raw llama-cpp-python tokens/s (seed 000)",
        value=ratio,
        unit="×",
        goal=f"≥ {SPEED_GOAL}",
        met=ratio >= SPEED_GOAL,
        table=[
            ["side", "requests", "completion tokens", "wall s", "tokens/s"],
            *_rows("summarize via builtin_server", len(bodies), pipe_rounds[:1]),
            *_rows("llama_cpp.Llama in-process", len(bodies), raw_rounds),
            *[
                [r[0].replace("round 1", "round 2"), *r[1:]]
                for r in _rows("summarize via builtin_server", len(bodies), pipe_rounds[1:])
            ],
        ],
        details=[
            "order A-B-B-A (summarize, raw, raw, summarize); the ratio is of the summed rates: "
            f"{pipe_rate:.1f} / {raw_rate:.1f} tokens/s",
            f"request bodies replayed exactly (keys {', '.join(k for k in RAW_KEYS if k in bodies[0])}), "
            f"n_ctx and n_threads as builtin_server; a 4-token warm-up before every round on both sides",
            f"client CPU in the summarize process while waiting on the server: {client_cpu:.2f} s "
            f"of {pipe_rounds[0][0]:.1f} s",
            f"pipeline record: {record.provenance.attempts} attempts, {record.provenance.reasks} re-asks, "
            f"grounding {record.grounding.exact} exact / {record.grounding.unmatched} unmatched",
            f"same completion token count in every round on both sides: {same_tokens}",
            f"1-minute load average before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on "
            f"{os.cpu_count()} CPUs (llama.cpp threads spin at barriers, so other busy processes slow it a lot)",
        ],
    )
    if profile and not figure.met:
        log("B5 missed: re-running the raw side with the server's logits_all=True to attribute the gap")
        optional_step(figure, "logits_all diagnostic", lambda: _diagnose_logits(figure, bodies, raw_rate))
    if whatif and not figure.met:
        log("B5: summarize again through a server started with --logits_all False (whatif.py)")
        optional_step(figure, "what-if", lambda: _whatif_server(figure, raw_rate))
    return figure


def _diagnose_logits(figure: Figure, bodies: list[dict[str, Any]], raw_rate: float) -> None:
    rounds = _raw_rounds(bodies, 1, logits_all=True)
    rate = _rate(rounds)
    figure.table += _rows("llama_cpp.Llama, logits_all=True", len(bodies), rounds)
    figure.details.append(
        f"with logits_all=True (llama_cpp.server's default, which builtin_server does not override) the raw "
        f"side runs at {rate:.1f} tokens/s, {rate / raw_rate:.2f}× its default speed"
    )


def _whatif_server(figure: Figure, raw_rate: float) -> None:
    from whatif import proposed_fixes

    with proposed_fixes(("server_logits",)):
        rounds, _, bodies, _, _ = asyncio.run(_pipeline_side())
    rate = _rate(rounds)
    figure.table += _rows("summarize, server with --logits_all False", len(bodies), rounds)
    figure.details.append(
        f"proposed fix applied as an in-process patch (whatif.py 'server_logits'): summarize runs at "
        f"{rate:.1f} tokens/s, ratio {rate / raw_rate:.2f}"
    )


def _pytest(extra: list[str], env: dict[str, str], timeout: float) -> tuple[float, int, list[str]]:
    command = [sys.executable, "-m", "pytest", "-q", "-m", "not builtin_model", *extra]
    log("B6: " + " ".join(command[1:]))
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return time.perf_counter() - start, done.returncode, done.stdout.strip().splitlines()


def _summary(lines: list[str]) -> str:
    return next((ln for ln in reversed(lines) if re.search(r"\b(passed|failed|error)", ln)), "(no summary)").strip("= ")


def bench_suite(profile: bool = True, whatif: bool = False, timeout: float = 900.0) -> Figure:
    """B6: wall time of ``python -m pytest -q -m "not builtin_model"`` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    seconds, code, lines = _pytest(["--durations=12"], env, timeout)
    slow_start = next((i for i, ln in enumerate(lines) if "slowest" in ln), None)
    slowest = [ln for ln in lines[slow_start + 1 :] if re.match(r"\d+\.\d+s ", ln)] if slow_start is not None else []
    figure = Figure(
        id="B6",
        what='offline test suite wall time: python -m pytest -q -m "not builtin_model"',
        value=seconds,
        unit="s",
        goal=f"≤ {SUITE_GOAL_S:.0f} s",
        met=seconds <= SUITE_GOAL_S,
        details=[
            f"pytest exit code {code}: {_summary(lines)} (--durations=12 added to list the slowest tests)",
            "slowest: " + "; ".join(" ".join(s.split()) for s in slowest[:5]),
        ],
    )
    if profile and not figure.met:
        figure.profile = "pytest --durations=12 (slowest phases):\n" + "\n".join(slowest)
        no_cov = optional_step(figure, "--no-cov run", lambda: _pytest(["--no-cov"], env, timeout))
        if no_cov is not None:
            figure.details.append(
                f"the same suite with --no-cov (pyproject's addopts turn on pytest-cov): {no_cov[0]:.1f} s, "
                f"{_summary(no_cov[2])}"
            )
    if whatif and not figure.met:
        fixed_env = {
            **env,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), env.get("PYTHONPATH")])),
        }
        fixed = optional_step(figure, "what-if run", lambda: _pytest(["-p", "whatif_pytest"], fixed_env, timeout))
        if fixed is not None:
            figure.details.append(
                f"the same command with the proposed fixes applied in the pytest process (-p whatif_pytest: "
                f"whatif.py's CPU fixes and a 10 ms poll interval for the scripted test server; summarizer/ and "
                f"tests/ unchanged): {fixed[0]:.1f} s, {_summary(fixed[2])}"
            )
    return figure
