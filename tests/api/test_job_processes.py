"""Jobs in worker processes (the shipped default): events relayed to the API's WebSocket, cancel,
a worker killed mid-job, the memory limit, and memory given back after a big job.

Each test builds its app with `job_isolation="process"` (tests/conftest.py sets thread for the
rest of the in-process suite).
"""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
from fastapi.testclient import TestClient

from pixelsmith.core import memory
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app

MB = 1024 * 1024


def make_client(tmp_path, **overrides) -> TestClient:
    options = {"workers": 2, "job_isolation": "process", **overrides}
    settings = Settings(data_dir=tmp_path / "data", **options)
    return TestClient(create_app(settings, configure_logs=False))


def executor(client):
    return client.app.state.services.executor


def wait_job(client, job_id: str, until, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    while not until(job) and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert until(job), f"job never reached the condition: {job}"
    return job


def metric(client, name: str) -> float:
    """A sample of /metrics (metrics are per process: earlier tests may have counted too)."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def finished(job: dict) -> bool:
    return job["status"] in ("succeeded", "failed", "canceled")


def submit(client, kind: str, **params) -> dict:
    r = client.post("/api/v1/jobs", json={"kind": kind, "params": params})
    assert r.status_code == 202, r.text
    return r.json()


def test_jobs_run_in_worker_processes_and_stream_progress_over_the_websocket(tmp_path):
    with make_client(tmp_path) as client:
        job = submit(client, "system.sleep", seconds=1.0, steps=5)
        seen = []
        with client.websocket_connect(f"/api/v1/jobs/{job['id']}/events") as ws:
            while True:
                snapshot = ws.receive_json()["job"]
                seen.append((snapshot["status"], snapshot["progress"]["step"]))
                if finished(snapshot):
                    break
        assert seen[-1] == ("succeeded", 5), seen
        steps = [step for status, step in seen if status == "running"]
        assert steps == sorted(steps) and {1, 2, 3, 4, 5} <= set(steps), seen
        pids = executor(client).worker_pids()
        assert len(pids) == 2 and os.getpid() not in pids
        for pid in pids:  # niced below the API, so the API answers first on a busy machine
            assert psutil.Process(pid).nice() == Settings().worker_nice == 19
        # Their metrics reach the API's /metrics (the worker reports just after the event).
        finished_sleeps = 'pixelsmith_jobs_finished_total{kind="system.sleep",status="succeeded"}'
        peaks = 'pixelsmith_job_peak_rss_bytes_count{kind="system.sleep"}'
        deadline = time.monotonic() + 10
        while metric(client, peaks) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert metric(client, finished_sleeps) >= 1 and metric(client, peaks) >= 1


def test_cancel_reaches_a_job_running_in_a_worker(tmp_path):
    with make_client(tmp_path) as client:
        job = submit(client, "system.sleep", seconds=60, steps=600)
        wait_job(client, job["id"], lambda j: j["progress"]["step"] >= 1)
        started = time.monotonic()
        assert client.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 200
        done = wait_job(client, job["id"], finished, timeout=10)
        assert done["status"] == "canceled" and time.monotonic() - started < 5


def test_a_worker_killed_mid_job_is_replaced_and_the_job_requeued(tmp_path):
    with make_client(tmp_path) as client:
        job = submit(client, "system.sleep", seconds=1.5, steps=15)
        wait_job(client, job["id"], lambda j: j["progress"]["step"] >= 1)
        before = set(executor(client).worker_pids())
        holder = executor(client).worker_of(job["id"])
        assert holder in before
        os.kill(holder, signal.SIGKILL)
        done = wait_job(client, job["id"], finished, timeout=60)
        assert done["status"] == "succeeded", done
        assert done["attempts"] == 2, done
        after = set(executor(client).worker_pids())
        assert holder not in after and len(after) == 2
        # The next job runs as usual.
        assert wait_job(client, submit(client, "system.noop")["id"], finished)["status"] == (
            "succeeded"
        )


def test_a_job_over_the_memory_limit_fails_out_of_memory_and_the_next_one_runs(tmp_path):
    with make_client(tmp_path, job_memory_limit_mb=400) as client:
        job = submit(client, "system.allocate", mb=700, hold_s=20)
        done = wait_job(client, job["id"], finished, timeout=60)
        assert done["status"] == "failed", done
        assert done["error"]["code"] == "out_of_memory"
        assert "400 MB" in done["error"]["message"]
        assert done["attempts"] == 1  # never retried: it would only die again
        ok = wait_job(client, submit(client, "system.allocate", mb=50)["id"], finished)
        assert ok["status"] == "succeeded", ok


@pytest.mark.parametrize("keep", [False, True], ids=["freed", "kept-by-the-job"])
def test_memory_goes_back_after_a_big_job(tmp_path, keep):
    """Freed memory is trimmed back to the system; memory a job leaves behind (a cache, a
    leak) is given back by handing over to a fresh worker process."""
    with make_client(tmp_path, worker_recycle_mb=400, workers=1) as client:
        wait_job(client, submit(client, "system.noop")["id"], finished)
        (pid,) = executor(client).worker_pids()
        baseline = memory.rss_bytes(pid)
        job = submit(client, "system.allocate", mb=600, keep=keep)
        assert wait_job(client, job["id"], finished)["status"] == "succeeded"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = executor(client).worker_pids()
            if len(pids) == 1 and 0 < memory.rss_bytes(pids[0]) < baseline + 100 * MB:
                break
            time.sleep(0.1)
        (now,) = executor(client).worker_pids()
        grown = (memory.rss_bytes(now) - baseline) / MB
        assert grown < 100, f"the worker holds {grown:.0f} MB more than before the job"
        assert (now != pid) == keep  # a kept block means a fresh process
