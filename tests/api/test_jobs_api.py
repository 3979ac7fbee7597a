"""The job REST + WebSocket API on a real app, SQLite file and in-process workers."""

import time

import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app


def wait_for(client, job_id, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if predicate(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"timed out; last state {job['status']} {job['progress']}")


def submit(client, **params):
    r = client.post("/api/v1/jobs", json={"kind": "system.sleep", "params": params})
    assert r.status_code == 202, r.text
    return r.json()


def test_submit_get_list_and_result(client):
    job = submit(client, seconds=0.05, steps=2)
    assert job["status"] == "queued" and len(job["id"]) == 32
    done = wait_for(client, job["id"], lambda j: j["status"] == "succeeded")
    assert done["result"] == {"slept_s": 0.05, "steps": 2}
    assert done["progress"]["step"] == 2 == done["progress"]["total"]
    assert done["attempts"] == 1 and done["finished_at"] >= done["started_at"]
    listed = client.get("/api/v1/jobs", params={"status": "succeeded"}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == job["id"]
    assert client.get("/api/v1/jobs", params={"status": "failed"}).json()["total"] == 0


def test_long_job_streams_progress_in_order_over_websocket(client):
    job = submit(client, seconds=1.0, steps=10)
    seen = []
    with client.websocket_connect(f"/api/v1/jobs/{job['id']}/events") as ws:
        while True:
            msg = ws.receive_json()
            assert msg["type"] == "job"
            seen.append((msg["job"]["status"], msg["job"]["progress"]["step"]))
            if msg["job"]["status"] == "succeeded":
                break
    steps = [step for status, step in seen if status == "running"]
    assert len(steps) >= 5, seen  # progress streamed, not just the final state
    assert steps == sorted(steps)  # and in order
    assert seen[-1] == ("succeeded", 10)


def test_running_job_can_be_canceled_and_the_stream_ends(client):
    job = submit(client, seconds=30, steps=300)
    with client.websocket_connect(f"/api/v1/jobs/{job['id']}/events") as ws:
        while ws.receive_json()["job"]["progress"]["step"] < 2:
            pass
        r = client.post(f"/api/v1/jobs/{job['id']}/cancel")
        assert r.status_code == 200 and r.json()["cancel_requested"] is True
        last = None
        while True:
            msg = ws.receive_json()
            last = msg["job"]
            if last["status"] != "running":
                break
    assert last["status"] == "canceled"
    assert last["progress"]["step"] < 300
    assert last["artifacts"] == []


def test_queued_job_cancels_at_once_and_finished_job_conflicts(settings):
    settings.workers = 1
    with TestClient(create_app(settings, configure_logs=False)) as client:
        blocker = submit(client, seconds=30, steps=300)
        wait_for(client, blocker["id"], lambda j: j["status"] == "running")
        queued = submit(client, seconds=0.01, steps=1)
        r = client.post(f"/api/v1/jobs/{queued['id']}/cancel")
        assert r.json()["status"] == "canceled"
        client.post(f"/api/v1/jobs/{blocker['id']}/cancel")
        wait_for(client, blocker["id"], lambda j: j["status"] == "canceled")
        quick = submit(client, seconds=0.01, steps=1)
        wait_for(client, quick["id"], lambda j: j["status"] == "succeeded")
        r = client.post(f"/api/v1/jobs/{quick['id']}/cancel")
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "job_finished"
        # The queued job that was canceled never ran.
        assert client.get(f"/api/v1/jobs/{queued['id']}").json()["attempts"] == 0


def test_failed_job_reports_reason_and_retry_runs_it_again(client):
    job = submit(client, seconds=0.02, steps=2, fail_at_step=1)
    failed = wait_for(client, job["id"], lambda j: j["status"] == "failed")
    assert failed["error"]["code"] == "requested_failure"
    assert "step 1" in failed["error"]["message"]
    r = client.post(f"/api/v1/jobs/{job['id']}/retry")
    assert r.status_code == 200 and r.json()["status"] == "queued"
    # Same params, so it fails again: retry re-runs, it does not invent a result.
    again = wait_for(client, job["id"], lambda j: j["status"] == "failed")
    assert again["attempts"] == 1
    ok = submit(client, seconds=0.01, steps=1)
    wait_for(client, ok["id"], lambda j: j["status"] == "succeeded")
    r = client.post(f"/api/v1/jobs/{ok['id']}/retry")
    assert r.status_code == 409 and r.json()["error"]["code"] == "job_not_retryable"


def test_full_queue_answers_429_with_retry_after(tmp_path):
    settings = Settings(data_dir=tmp_path, workers=1, max_queued_jobs=2)
    with TestClient(create_app(settings, configure_logs=False)) as client:
        blocker = submit(client, seconds=30, steps=300)
        wait_for(client, blocker["id"], lambda j: j["status"] == "running")
        submit(client, seconds=0.01, steps=1)
        submit(client, seconds=0.01, steps=1)
        r = client.post("/api/v1/jobs", json={"kind": "system.sleep", "params": {}})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        body = r.json()["error"]
        assert body["code"] == "queue_full" and "Try again" in body["message"]
        # Nothing was lost or half-created by the refusal.
        assert client.get("/api/v1/jobs").json()["total"] == 3
        client.post(f"/api/v1/jobs/{blocker['id']}/cancel")


@pytest.mark.parametrize(
    "body, code",
    [
        ({"kind": "no.such.kind"}, "unknown_job_kind"),
        ({"kind": "system.sleep", "params": {"seconds": -1}}, "invalid_params"),
        ({"kind": "system.sleep", "params": {"steps": "many"}}, "invalid_params"),
        ({"params": {}}, "invalid_request"),
        ({"kind": "system.sleep", "params": [1, 2]}, "invalid_request"),
    ],
)
def test_bad_submissions_get_clear_422(client, body, code):
    r = client.post("/api/v1/jobs", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]


def test_malformed_json_and_unknown_ids(client):
    r = client.post(
        "/api/v1/jobs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    for path in ("/api/v1/jobs/0123", "/api/v1/jobs/../../etc/passwd"):
        r = client.get(path)
        assert r.status_code == 404 and "error" in r.json()
    assert client.post("/api/v1/jobs/abc/cancel").status_code == 404
    assert client.get("/api/v1/jobs", params={"status": "bogus"}).status_code == 422
    assert client.get("/api/v1/jobs", params={"limit": 10_000}).status_code == 422


def test_websocket_for_unknown_job_sends_error_and_closes(client):
    with client.websocket_connect("/api/v1/jobs/deadbeef/events") as ws:
        msg = ws.receive_json()
        assert msg["type"] == "error" and msg["error"]["code"] == "not_found"


def test_job_kinds_lists_params_schema(client):
    kinds = {k["name"]: k for k in client.get("/api/v1/job-kinds").json()}
    assert "system.sleep" in kinds
    assert "seconds" in kinds["system.sleep"]["params_schema"]["properties"]


def test_a_job_owned_by_someone_else_is_invisible_to_the_caller(client):
    """An app's jobs (a desk photo's analysis) carry its owner: their params and results name
    the owner's blobs, so another caller gets 404 everywhere, as if the job did not exist."""
    jobs = client.app.state.services.jobs
    theirs = jobs.submit("system.noop", {}, owner_id="someone-else")
    client.get("/api/v1/jobs")  # the first request mints the caller's identity cookie
    mine_id = client.cookies.get("pixelsmith_uid")
    assert mine_id, "the client got no identity cookie"
    mine = jobs.submit("system.noop", {}, owner_id=mine_id)
    ownerless = submit(client)
    r = client.get(f"/api/v1/jobs/{theirs['id']}")
    assert r.status_code == 404, r.text
    assert client.post(f"/api/v1/jobs/{theirs['id']}/cancel").status_code == 404
    assert client.post(f"/api/v1/jobs/{theirs['id']}/retry").status_code == 404
    listed = {j["id"] for j in client.get("/api/v1/jobs?limit=500").json()["items"]}
    assert theirs["id"] not in listed, listed
    assert {mine["id"], ownerless["id"]} <= listed, listed
    assert client.get(f"/api/v1/jobs/{mine['id']}").status_code == 200
    with client.websocket_connect(f"/api/v1/jobs/{theirs['id']}/events") as ws:
        msg = ws.receive_json()
    assert msg["type"] == "error" and msg["error"]["code"] == "not_found", msg
