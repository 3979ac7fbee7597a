"""A real `pixelsmith serve` for benchmarks, and the memory of its process tree.

`live_server()` starts the server on a free loopback port with a fresh data folder and yields
its base URL and process. `Tree` samples the resident memory of the server and its job worker
processes, and reads each one's high-water mark (VmHWM, which `reset_peaks()` restarts).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import psutil
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from live_server import free_port, start_server  # noqa: E402

MB = 1024 * 1024


@contextmanager
def live_server(**env_extra: str) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """tests/live_server.py's server on a fresh data folder, quiet, stopped at the end."""
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(tmp, port := free_port(), PIXELSMITH_LOG_LEVEL="WARNING", **env_extra)
        try:
            yield f"http://127.0.0.1:{port}", server, Path(tmp)
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Tree:
    """The server process and its children (job workers), sampled every `interval` s."""

    def __init__(self, server_pid: int, interval: float = 0.02) -> None:
        self.server = psutil.Process(server_pid)
        self.interval = interval
        self.peak_total = 0
        self.peak_server = 0
        self.peak_worker = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def processes(self) -> list[psutil.Process]:
        try:
            return [self.server, *self.server.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss(self) -> tuple[int, int, int]:
        """(total, server, largest worker) resident bytes now."""
        server = worker = total = 0
        for p in self.processes():
            try:
                r = p.memory_info().rss
                tracker = "resource_tracker" in " ".join(p.cmdline())
            except psutil.Error:  # gone, or a zombie about to be reaped
                continue
            total += r
            if p.pid == self.server.pid:
                server = r
            elif not tracker:
                worker = max(worker, r)
        return total, server, worker

    def reset_peaks(self) -> None:
        for p in self.processes():
            try:
                Path(f"/proc/{p.pid}/clear_refs").write_text("5")
            except OSError:
                pass
        self.peak_total = self.peak_server = self.peak_worker = 0

    def hwm(self) -> tuple[int, int]:
        """(server, largest worker) high-water marks since reset_peaks()."""
        server = _hwm(self.server.pid)
        workers = [_hwm(p.pid) for p in self.processes() if p.pid != self.server.pid]
        return server, max(workers, default=0)

    def __enter__(self) -> Tree:
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total, server, worker = self.rss()
            self.peak_total = max(self.peak_total, total)
            self.peak_server = max(self.peak_server, server)
            self.peak_worker = max(self.peak_worker, worker)
            time.sleep(self.interval)

    def quiet(self, max_cpu_percent: float = 10.0, timeout: float = 60.0) -> float:
        """Wait until the whole tree uses under `max_cpu_percent` of one core over a second
        (workers done starting and importing); returns the last reading."""
        deadline = time.monotonic() + timeout
        used = float("inf")
        while time.monotonic() < deadline:
            procs = self.processes()
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    p.cpu_percent(None)
            time.sleep(1.0)
            used = 0.0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    used += p.cpu_percent(None)
            if used < max_cpu_percent:
                break
        return used

    def settled(self, timeout: float = 10.0) -> int:
        """Total RSS once it stops falling (after a job: trims and worker hand-overs done)."""
        deadline = time.monotonic() + timeout
        last = self.rss()[0]
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.rss()[0]
            if abs(now - last) < 5 * MB:
                return now
            last = now
        return last


def photo_jpeg(width: int, height: int, quality: int = 90) -> bytes:
    """A real photo (scikit-image's astronaut and coffee, tiled) at the size asked for."""
    from skimage import data

    base = np.concatenate([data.astronaut()[:400], data.coffee()], axis=1)  # 1112×400
    img = Image.fromarray(base).resize((width, height), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def wait_job(
    client: httpx.Client, job_id: str, timeout: float = 3600, interval: float = 0.1
) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "canceled"):
            return job
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} still {job['status']} after {timeout} s")
        time.sleep(interval)


def metric(client: httpx.Client, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
