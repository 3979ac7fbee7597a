"""Start a real `pixelsmith serve` process on a free port (for integration tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 30.0, every: float = 0.1):
    """Poll `probe` until it returns something truthy; fail with its last value otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {last!r}")


def start_server(data_dir, port: int, **env_overrides: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PIXELSMITH_DATA_DIR": str(data_dir),
        "PIXELSMITH_JOB_ISOLATION": "process",  # the shipped default (tests/conftest.py)
        "PIXELSMITH_INLINE_CPU_ISOLATION": "process",
        **env_overrides,
    }
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    # Logs go to a file: a pipe nobody reads fills up and blocks the server.
    log = open(Path(data_dir) / f"server-{port}.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "pixelsmith", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (Path(data_dir) / f"server-{port}.log").read_text()[-2000:]
            raise AssertionError(f"server exited: {tail}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start within 60 s")
