"""Distributed mode end to end: API processes, Celery worker processes, real Redis/RabbitMQ
and PostgreSQL (tests/integration/celery_cluster.py). Each broker gets its own cluster."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis
from celery_cluster import REDIS_START, Cluster, ensure_redis, moto_s3, wait_for
from sqlalchemy import text
from websockets.sync.client import connect

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module", params=["redis", "rabbitmq"])
def cluster(request, tmp_path_factory):
    ensure_redis()
    with moto_s3() as s3_env:  # blobs in S3, as this mode's deployments keep them
        c = Cluster(tmp_path_factory.mktemp(f"cluster-{request.param}"), request.param, **s3_env)
        try:
            c.start(apis=2, workers=2)
            yield c
        finally:
            c.stop()


def test_job_from_api_a_runs_on_a_worker_and_streams_to_api_b(cluster):
    job = cluster.submit(0, "system.sleep", {"seconds": 4.0, "steps": 20})
    path = f"/api/v1/jobs/{job['id']}/events"
    seen = []
    with connect(cluster.api(1).replace("http://", "ws://") + path, open_timeout=10) as ws:
        while len([j for j in seen if j["progress"]["step"] >= 1]) < 8:
            msg = json.loads(ws.recv(timeout=30))
            assert msg["type"] == "job", msg
            seen.append(msg["job"])
            assert msg["job"]["status"] in ("queued", "running"), msg["job"]
    steps = {j["progress"]["step"] for j in seen if j["status"] == "running"}
    # Pub/sub carries every step; the socket's own fallback (a row re-read after a quiet
    # second, rows written every 0.5 s) would show one or two in this time.
    assert len(steps) >= 6, f"steps streamed to API 2: {sorted(steps)}"
    # A socket that reconnects (here to API 1) gets the current state first, then the rest.
    with connect(cluster.api(0).replace("http://", "ws://") + path, open_timeout=10) as ws:
        first = json.loads(ws.recv(timeout=10))["job"]
        assert first["status"] == "running" and first["progress"]["step"] >= 1, first
        rest = [first]
        while rest[-1]["status"] not in ("succeeded", "failed", "canceled"):
            rest.append(json.loads(ws.recv(timeout=30))["job"])
    assert rest[-1]["status"] == "succeeded", rest[-1]
    assert rest[-1]["progress"]["step"] == 20
    row = cluster.row(job["id"])
    assert row["attempts"] == 1
    assert row["lease_owner"] and ":" in row["lease_owner"], row["lease_owner"]


def _worker_of(cluster, job_id):
    """The `pixelsmith worker` process (group leader) whose pool child holds the job."""
    owner = cluster.row(job_id)["lease_owner"]
    pid = int(owner.rsplit(":", 1)[1])
    group = os.getpgid(pid)
    return next(w for w in cluster.workers if w.pid == group)


def test_kill_9_mid_job_another_worker_finishes_with_one_set_of_artifacts(cluster):
    job = cluster.submit(0, "test.steps", {"seconds": 4.0, "steps": 20})
    row = wait_for(
        "the job to be past step 3 on a worker",
        lambda: (
            (r := cluster.row(job["id"]))["status"] == "running" and r["progress_step"] >= 3 and r
        ),
        timeout=30,
    )
    first_owner = row["lease_owner"]
    victim = _worker_of(cluster, job["id"])
    cluster.kill9(victim)
    cluster.workers.remove(victim)
    try:
        done = cluster.wait_status(job["id"], "succeeded", "failed", timeout=60)
        assert done["status"] == "succeeded", done
        assert done["attempts"] == 2, done
        assert done["lease_owner"] != first_owner
        arts = cluster.artifacts(job["id"])
        assert [a["name"] for a in arts] == ["result.txt"], arts
    finally:
        cluster.start_worker()  # the next test has two workers again


def test_200_jobs_over_2_workers_and_2_apis_each_end_exactly_once(cluster):
    with ThreadPoolExecutor(8) as pool:
        jobs = list(
            pool.map(
                lambda i: cluster.submit(i % 2, "test.steps", {"seconds": 0.0, "steps": 2}),
                range(200),
            )
        )
    ids = {j["id"] for j in jobs}
    assert len(ids) == 200

    def finished():
        rows = [r for r in cluster.rows() if r["id"] in ids]
        open_ = [r for r in rows if r["status"] in ("queued", "running")]
        return (not open_ and len(rows) == 200) or _Counts(rows)

    wait_for("200 jobs to finish", finished, timeout=180, every=0.5)
    rows = {r["id"]: r for r in cluster.rows() if r["id"] in ids}
    assert {r["status"] for r in rows.values()} == {"succeeded"}
    attempts = Counter(r["attempts"] for r in rows.values())
    assert attempts == {1: 200}, f"claims per job: {attempts}"  # each ran exactly once
    with cluster.engine.connect() as conn:
        arts = conn.execute(
            text("SELECT job_id, name, key FROM artifacts WHERE job_id = ANY(:ids)"),
            {"ids": list(ids)},
        ).all()
    assert Counter(a.job_id for a in arts) == dict.fromkeys(ids, 1)
    keys = {a.key for a in arts}
    assert len(keys) == 200  # one distinct blob per job…
    storage = cluster.storage()
    missing = [k for k in keys if not storage.exists(k)]
    assert not missing, f"artifacts whose blob is not in storage: {missing[:5]}"  # …all stored


class _Counts(dict):
    def __init__(self, rows):
        super().__init__(Counter(r["status"] for r in rows))

    def __bool__(self):
        return False


def test_cancel_from_api_a_stops_a_job_running_on_worker_b_within_one_step(cluster):
    step_s = 1.0
    running = [cluster.submit(0, "test.steps", {"seconds": 30 * step_s, "steps": 30})]
    running.append(cluster.submit(0, "test.steps", {"seconds": 30 * step_s, "steps": 30}))
    waiting = cluster.submit(0, "test.steps", {"seconds": 1.0, "steps": 2})
    for job in running:
        wait_for(
            f"job {job['id']} to run past step 1",
            lambda job=job: (r := cluster.row(job["id"]))["progress_step"] >= 1 or _brief_row(r),
            timeout=30,
        )
    # The third waits (two workers, one job each): cancel ends it at once, never run.
    r = httpx.post(f"{cluster.api(1)}/api/v1/jobs/{waiting['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "canceled", r.text
    asked = time.monotonic()
    r = httpx.post(f"{cluster.api(1)}/api/v1/jobs/{running[0]['id']}/cancel")
    assert r.status_code == 200 and r.json()["cancel_requested"], r.text
    done = cluster.wait_status(running[0]["id"], "canceled", "succeeded", "failed", timeout=15)
    took = time.monotonic() - asked
    assert done["status"] == "canceled", done
    # The flag is read at each step (every 0.5 s at most): one step plus the row write.
    assert took <= step_s + 1.0, f"cancel took {took:.2f} s for {step_s} s steps"
    # Cancel is per job: the other one still runs.
    other = cluster.row(running[1]["id"])
    assert other["status"] == "running" and not other["cancel_requested"], other
    httpx.post(f"{cluster.api(0)}/api/v1/jobs/{running[1]['id']}/cancel")
    cluster.wait_status(running[1]["id"], "canceled", timeout=15)
    never_ran = cluster.wait_status(waiting["id"], "canceled", timeout=5)
    assert never_ran["attempts"] == 0, never_ran


def _brief_row(r):
    return _Counts([r]) if r else False


def test_redis_restart_mid_run_loses_no_job(cluster):
    jobs = [cluster.submit(i % 2, "test.steps", {"seconds": 1.5, "steps": 5}) for i in range(8)]
    wait_for(
        "a job to be running",
        lambda: any(cluster.row(j["id"])["status"] == "running" for j in jobs),
        timeout=30,
    )
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
    wait_for("Redis to be down", lambda: not _redis_up(), timeout=10)
    subprocess.run(REDIS_START, check=True)
    wait_for("Redis to be back", _redis_up, timeout=15)
    ids = {j["id"] for j in jobs}

    def all_done():
        rows = [cluster.row(i) for i in ids]
        return all(r["status"] == "succeeded" for r in rows) or _Counts(rows)

    # Queued messages Redis dropped come back through the reaper's re-send (15 s here).
    wait_for("every job to succeed after the restart", all_done, timeout=120, every=0.5)
    for job_id in ids:
        assert [a["name"] for a in cluster.artifacts(job_id)] == ["result.txt"]


def _redis_up():
    try:
        return bool(redis.Redis(port=6379, socket_connect_timeout=0.5).ping())
    except redis.ConnectionError:
        return False
