"""A job running when the server is killed (SIGKILL) is requeued on restart and completes."""

import signal
import time

import httpx
import pytest

from live_server import free_port, start_server

pytestmark = pytest.mark.integration


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
    server = start_server(tmp_path, port, PIXELSMITH_WORKERS="1")
    try:
        r = httpx.post(
            f"{base}/api/v1/jobs",
            json={"kind": "system.sleep", "params": {"seconds": 3, "steps": 30}},
        )
        job_id = r.json()["id"]
        waiting = httpx.post(
            f"{base}/api/v1/jobs", json={"kind": "system.sleep", "params": {"seconds": 0.1}}
        ).json()["id"]
        poll(base, job_id, lambda j: j["status"] == "running" and j["progress"]["step"] >= 3)
    finally:
        server.send_signal(signal.SIGKILL)  # a crash: no shutdown hooks run
        server.wait(10)

    server = start_server(tmp_path, port, PIXELSMITH_WORKERS="1")
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
