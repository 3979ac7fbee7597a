"""Operations: liveness, readiness, Prometheus metrics, request ids and structured JSON logs."""

import json
import logging

from fastapi.testclient import TestClient

from pixelsmith.core.logging import JsonFormatter
from pixelsmith.core.web.app import create_app


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "storage": "ok", "executor": "local"}


def test_readyz_reports_a_broken_database_as_503(client):
    client.app.state.services.db.engine.dispose()
    client.app.state.services.db.engine.url  # noqa: B018
    from sqlalchemy import create_engine

    client.app.state.services.db.engine = create_engine("sqlite:////nonexistent/dir/x.db")
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["database"].startswith("error")


def test_metrics_count_requests_and_jobs(client):
    client.get("/healthz")
    client.post("/api/v1/jobs", json={"kind": "system.noop", "params": {}})
    text = client.get("/metrics").text
    assert 'pixelsmith_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'pixelsmith_jobs_submitted_total{kind="system.noop"}' in text
    assert "pixelsmith_jobs_pending" in text


def test_request_id_header_and_openapi(client):
    r = client.get("/healthz")
    assert len(r.headers["x-request-id"]) == 16
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/images", "/api/v1/models"):
        assert path in spec["paths"]


def test_logs_are_one_json_object_per_line(settings, capfd):
    with TestClient(create_app(settings)) as client:  # configures JSON logging
        client.get("/healthz?probe=1")
    lines = [ln for ln in capfd.readouterr().err.splitlines() if ln.startswith("{")]
    records = [json.loads(ln) for ln in lines]
    access = [r for r in records if r.get("msg") == "request" and r.get("path") == "/healthz"]
    assert access, lines
    assert {"ts", "level", "logger", "request_id", "status", "ms"} <= set(access[0])
    logging.getLogger().handlers.clear()


def test_json_formatter_keeps_extra_fields_and_exceptions():
    record = logging.LogRecord(
        "pixelsmith.x", logging.ERROR, __file__, 1, "boom %s", ("now",), None
    )
    record.job_id = "abc"
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    out = json.loads(JsonFormatter().format(record))
    assert out["msg"] == "boom now" and out["job_id"] == "abc" and "ValueError" in out["exc"]
