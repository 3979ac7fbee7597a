"""Inline CPU work in worker processes (`inline_cpu_isolation=process`, a server's default).

Filters, edge maps, tag reads and photo poses are decoded and computed in a niced pool of
worker processes, so no thread of the API process competes with the event loop. Errors cross
the process boundary with their code; a worker that dies fails only its own request.
(tests/conftest.py sets thread isolation for the other in-process tests.)
"""

from __future__ import annotations

import os
import time

import psutil
import pytest
from fastapi.testclient import TestClient

from hostile_images import jpeg_bytes, photo_jpeg
from pixelsmith.core import cpu
from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app
from tag_photo import render_tag_photo


@pytest.fixture
def client(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", inline_cpu_isolation="process")
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c


def test_filters_run_in_niced_worker_processes_and_they_stop_with_the_server(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", inline_cpu_isolation="process")
    with TestClient(create_app(settings, configure_logs=False)) as c:
        r = c.post(
            "/api/v1/studio/filter",
            files={"file": ("p.jpg", photo_jpeg(), "image/jpeg")},
            data={"style": "pencil_gray"},
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "image/jpeg"
        pids = cpu.pool_pids()
        assert pids and os.getpid() not in pids, pids
        nices = {pid: psutil.Process(pid).nice() for pid in pids}
        assert all(n >= settings.worker_nice for n in nices.values()), nices
    deadline = time.monotonic() + 30
    while any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in pids):
        assert time.monotonic() < deadline, f"pool workers {pids} still alive after shutdown"
        time.sleep(0.05)


def test_an_error_raised_in_a_worker_keeps_its_status_code_and_details(client):
    r = client.post(
        "/api/v1/studio/filter",
        files={"file": ("notes.txt", b"not an image at all", "text/plain")},
        data={"style": "cartoon"},
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "unsupported_type", err
    assert err["details"]["filename"] == "notes.txt", err
    r = client.post(  # raised by the filter itself, after the decode
        "/api/v1/studio/edges",
        files={"file": ("tiny.jpg", jpeg_bytes(64, 48), "image/jpeg")},
        data={"low": "200", "high": "100"},
    )
    assert r.status_code == 422, r.text


def test_a_tag_scan_reads_in_a_worker_and_is_stored_by_the_server(client, tmp_path):
    tag = render_tag_photo(tmp_path / "tag.jpg", code="CW2288-111")
    x, y, w, h = tag.code_box
    pad = 20
    crop = f"{max(0, x - pad)},{max(0, y - pad)},{w + 2 * pad},{h + 2 * pad}"
    r = client.post(
        "/api/v1/tags/scan",
        files={"file": ("tag.jpg", tag.path.read_bytes(), "image/jpeg")},
        data={"crop": crop},
    )
    assert r.status_code == 201, r.text
    scan = r.json()
    assert scan["code"] == "CW2288-111", scan
    assert client.get(f"/api/v1/tags/scans/{scan['id']}").json()["id"] == scan["id"]
    # A crop outside the photo is refused by the worker's read, with the API's error shape.
    r = client.post(
        "/api/v1/tags/scan",
        files={"file": ("tag.jpg", tag.path.read_bytes(), "image/jpeg")},
        data={"crop": f"{tag.width - 5},0,400,400"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"], r.text
