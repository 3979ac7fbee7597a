"""Operations views of where jobs are: /metrics per queue and per worker, readyz's checks."""

import re
import time

import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app


def metric(text: str, name: str, **labels: str) -> float | None:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{name}" + (rf"\{{{re.escape(want)}\}}" if labels else "") + r" (\S+)$"
    m = re.search(pattern, text, re.M)
    return float(m.group(1)) if m else None


def wait_for(fn, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = fn()
        if seen:
            return seen
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}; last seen: {seen!r}")


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

    wait_for(scraped, "1 job running on the server and 2 waiting in cpu")
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

    wait_for(drained, "the queue empty and no job running after cancel")


def test_readyz_has_no_broker_check_for_the_local_executor(client):
    checks = client.get("/readyz").json()["checks"]
    assert "broker" not in checks and checks["executor"] == "local", checks
