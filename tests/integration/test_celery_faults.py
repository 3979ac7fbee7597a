"""Distributed mode's bad input and faults: a broker that is down at submit time, a worker
told to serve a queue that does not exist, a worker without the model a job needs."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from celery_cluster import Cluster, ensure_redis, wait_for

from live_server import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("scheme", ["redis", "amqp"])
def test_unreachable_broker_at_submit_is_503_and_leaves_no_job(tmp_path, scheme):
    ensure_redis()  # events still use the local Redis; only the broker is gone
    port = free_port()  # nothing listens there
    url = (
        f"redis://127.0.0.1:{port}/0"
        if scheme == "redis"
        else f"amqp://guest:guest@127.0.0.1:{port}//"
    )
    cluster = Cluster(tmp_path, "redis", PIXELSMITH_BROKER_URL=url)
    try:
        cluster.start(apis=1, workers=0)
        r = httpx.post(
            f"{cluster.api(0)}/api/v1/jobs",
            json={"kind": "system.sleep", "params": {"seconds": 0.1}},
            timeout=30,
        )
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["error"]["code"] == "broker_unavailable", body
        assert "broker" in body["error"]["message"].lower()
        assert "guest:guest" not in r.text  # the broker's password stays out of errors
        assert r.headers.get("retry-after") == "5"
        assert r.elapsed.total_seconds() < 3, r.elapsed  # a quick answer, not a hung request
        assert cluster.rows() == []  # rolled back: no queued row without its message
    finally:
        cluster.stop()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--queues", "tpu"], "Unknown queue(s): tpu"),
        (["--queues", "cpu,bogus"], "Unknown queue(s): bogus"),
        (["--pool", "gevent-ish"], "Unknown pool"),
    ],
)
def test_worker_refuses_an_unknown_queue_or_pool_at_start_up(args, says):
    out = subprocess.run(
        [sys.executable, "-m", "pixelsmith", "worker", *args],
        env={**os.environ, "PIXELSMITH_EXECUTOR": "celery"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-500:])
    text = " ".join((out.stdout + out.stderr).split())
    assert says in text, text[-800:]
    assert "cpu, gpu" in text or "prefork" in text


def test_a_worker_without_the_model_fails_the_job_with_the_reason(tmp_path):
    ensure_redis()
    models = tmp_path / "no-models"
    models.mkdir()
    cluster = Cluster(tmp_path, "redis", PIXELSMITH_MODELS_DIR=str(models))
    try:
        cluster.start(apis=1, workers=0)
        cluster.start_worker("--gpu", "0")  # the gpu queue, solo pool, CUDA_VISIBLE_DEVICES=0
        job = cluster.submit(0, "gen.txt2img", {"prompt": "a lighthouse at dusk"})
        assert job["queue"] == "gpu"
        done = cluster.wait_status(job["id"], "failed", "succeeded", timeout=60)
        assert done["status"] == "failed", done
        assert done["error"]["code"] == "model_unavailable", done["error"]
        assert "not installed" in done["error"]["message"], done["error"]
        assert done["attempts"] == 1  # a clear failure, not a retry loop or a hang
        log = wait_for("the worker log", lambda: next(iter(cluster.workers)).log_path.read_text())
        assert "queues gpu, pool solo x1" in " ".join(log.split())
    finally:
        cluster.stop()
