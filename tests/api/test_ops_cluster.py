"""Operations views of where jobs are: /metrics per queue and per worker, readyz's checks."""

import re
import socket
import time

import pytest
from fastapi.testclient import TestClient

from live_server import wait_for
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app


def metric(text: str, name: str, **labels: str) -> float | None:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{name}" + (rf"\{{{re.escape(want)}\}}" if labels else "") + r" (\S+)$"
    m = re.search(pattern, text, re.M)
    return float(m.group(1)) if m else None


@pytest.fixture
def one_worker(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", workers=1, job_isolation="thread")
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c


def test_metrics_show_queue_depth_per_queue_and_jobs_per_worker(one_worker):
    c = one_worker
    ids = [
        c.post("/api/v1/jobs", json={"kind": "system.sleep", "params": {"seconds": 30}}).json()[
            "id"
        ]
        for _ in range(3)
    ]

    def scraped():
        text = c.get("/metrics").text
        running = metric(text, "pixelsmith_jobs_running", worker="local")
        queued = metric(text, "pixelsmith_jobs_queued", queue="cpu")
        return (running, queued) if (running, queued) == (1.0, 2.0) else None

    wait_for("1 job running on the server and 2 waiting in cpu", scraped, 15, every=0.02)
    text = c.get("/metrics").text
    assert metric(text, "pixelsmith_jobs_queued", queue="gpu") == 0.0, text
    assert metric(text, "pixelsmith_leases_expired") == 0.0, text

    for job_id in ids:
        c.post(f"/api/v1/jobs/{job_id}/cancel")

    def drained():
        text = c.get("/metrics").text
        ok = metric(text, "pixelsmith_jobs_queued", queue="cpu") == 0.0 and (
            metric(text, "pixelsmith_jobs_running", worker="local") is None
        )
        return ok or None

    wait_for("the queue empty and no job running after cancel", drained, 15, every=0.02)


def test_readyz_has_no_broker_check_for_the_local_executor(client):
    checks = client.get("/readyz").json()["checks"]
    assert "broker" not in checks and checks["executor"] == "local", checks


def celery_client(tmp_path, broker_url: str) -> TestClient:
    settings = Settings(
        data_dir=tmp_path / "data", executor="celery", broker_url=broker_url, workers=1
    )
    return TestClient(create_app(settings, configure_logs=False))


def test_readyz_checks_the_broker_of_the_celery_executor(tmp_path):
    with celery_client(tmp_path, "redis://127.0.0.1:6379/11") as c:
        r = c.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["checks"]["broker"] == "ok" and r.json()["checks"]["executor"] == "celery"
        text = c.get("/metrics").text
        # the broker's own count per queue, beside the job table's
        assert metric(text, "pixelsmith_broker_queue_depth", queue="cpu") is not None, text


def test_readyz_is_503_when_the_broker_is_unreachable(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with celery_client(tmp_path, f"redis://127.0.0.1:{port}/0") as c:
        t0 = time.monotonic()
        r = c.get("/readyz")
        took = time.monotonic() - t0
    body = r.json()
    assert r.status_code == 503, body
    assert body["status"] == "not_ready" and body["checks"]["broker"].startswith("error"), body
    assert body["checks"]["database"] == "ok", body
    assert took < 10, f"readyz took {took:.1f} s with the broker down"


def test_lease_expiries_are_counted_per_outcome():
    from prometheus_client import REGISTRY

    from pixelsmith.core.jobs.reaper import count_lease_expiries

    def value(outcome: str) -> float:
        v = REGISTRY.get_sample_value("pixelsmith_lease_expiries_total", {"outcome": outcome})
        return v or 0.0

    before = value("requeued"), value("gave_up")
    count_lease_expiries({"lease_expired": 3, "gave_up": 1, "resent": 5})
    assert (value("requeued"), value("gave_up")) == (before[0] + 2, before[1] + 1)
