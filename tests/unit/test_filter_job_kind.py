"""system.filter: the CPU-bound diagnostic job of bench_distributed, run through the job system."""

import time

import cv2


def test_filter_job_runs_a_studio_filter_and_leaves_opencv_threads_as_they_were(client):
    threads = cv2.getNumThreads()
    job = client.post(
        "/api/v1/jobs", json={"kind": "system.filter", "params": {"style": "emboss", "side": 64}}
    ).json()
    deadline = time.monotonic() + 30
    while (j := client.get(f"/api/v1/jobs/{job['id']}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job still {j['status']} after 30 s"
        time.sleep(0.02)
    assert j["status"] == "succeeded", j
    assert j["result"]["style"] == "emboss" and j["result"]["side"] == 64, j
    assert 0 < j["result"]["mean"] < 255, j
    assert cv2.getNumThreads() == threads  # the job ran on a thread of this process


def test_filter_job_with_an_unknown_style_fails_with_the_reason(client):
    job = client.post(
        "/api/v1/jobs", json={"kind": "system.filter", "params": {"style": "nope", "side": 32}}
    ).json()
    deadline = time.monotonic() + 30
    while (j := client.get(f"/api/v1/jobs/{job['id']}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job still {j['status']} after 30 s"
        time.sleep(0.02)
    assert j["status"] == "failed" and "nope" in j["error"]["message"], j
