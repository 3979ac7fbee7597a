"""Distributed mode end to end: API processes, Celery worker processes, real Redis/RabbitMQ
and PostgreSQL (tests/integration/celery_cluster.py). Each broker gets its own cluster."""

from __future__ import annotations

import json

import pytest
from celery_cluster import Cluster, ensure_redis, wait_for
from websockets.sync.client import connect

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module", params=["redis", "rabbitmq"])
def cluster(request, tmp_path_factory):
    ensure_redis()
    c = Cluster(tmp_path_factory.mktemp(f"cluster-{request.param}"), request.param)
    try:
        c.start(apis=2, workers=2)
        yield c
    finally:
        c.stop()


def test_job_from_api_a_runs_on_a_worker_and_streams_to_api_b(cluster):
    job = cluster.submit(0, "system.sleep", {"seconds": 2.0, "steps": 10})
    ws_url = cluster.api(1).replace("http://", "ws://") + f"/api/v1/jobs/{job['id']}/events"
    seen = []
    with connect(ws_url, open_timeout=10) as ws:
        while True:
            msg = json.loads(ws.recv(timeout=30))
            assert msg["type"] == "job", msg
            seen.append(msg["job"])
            if msg["job"]["status"] in ("succeeded", "failed", "canceled"):
                break
    steps = {j["progress"]["step"] for j in seen if j["status"] == "running"}
    # Pub/sub carries every step; the socket's own fallback (a row re-read after a quiet
    # second, rows written every 0.5 s) could show only two or three of them.
    assert len(steps) >= 6, f"steps streamed to API 2: {sorted(steps)}"
    assert seen[-1]["status"] == "succeeded", seen[-1]
    row = cluster.row(job["id"])
    assert row["attempts"] == 1
    assert row["lease_owner"] and ":" in row["lease_owner"], row["lease_owner"]
