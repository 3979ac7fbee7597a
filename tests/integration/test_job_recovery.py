"""A job running when the server is killed (SIGKILL) is requeued on restart and completes."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir, port):
    env = {**os.environ, "PIXELSMITH_DATA_DIR": str(data_dir), "PIXELSMITH_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pixelsmith", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def poll(base, job_id, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = httpx.get(f"{base}/api/v1/jobs/{job_id}", timeout=5).json()
        if predicate(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"timed out in state {job['status']}")


def test_killed_server_requeues_running_job_which_then_completes(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, port)
    try:
        r = httpx.post(
            f"{base}/api/v1/jobs", json={"kind": "system.sleep", "params": {"seconds": 3, "steps": 30}}
        )
        job_id = r.json()["id"]
        waiting = httpx.post(
            f"{base}/api/v1/jobs", json={"kind": "system.sleep", "params": {"seconds": 0.1}}
        ).json()["id"]
        poll(base, job_id, lambda j: j["status"] == "running" and j["progress"]["step"] >= 3)
    finally:
        server.send_signal(signal.SIGKILL)  # a crash: no shutdown hooks run
        server.wait(10)

    server = start_server(tmp_path, port)
    try:
        done = poll(base, job_id, lambda j: j["status"] in ("succeeded", "failed", "canceled"))
        assert done["status"] == "succeeded"
        assert done["attempts"] == 2  # the interrupted run, then the requeued one
        assert done["result"] == {"slept_s": 3.0, "steps": 30}
        # The job that was still queued at the crash is not lost either.
        assert poll(base, waiting, lambda j: j["status"] == "succeeded")["attempts"] == 1
    finally:
        server.terminate()
        server.wait(10)
