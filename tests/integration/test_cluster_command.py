"""`pixelsmith cluster`: a real API and real Celery workers on the local Redis and PostgreSQL,
started as one command and stopped, children and all, by one SIGINT."""

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import psutil
import pytest
from sqlalchemy import create_engine, text

from live_server import free_port, wait_for

# A Redis database of its own: a worker of another test on db 0 would take this test's tasks
# (and find no such job in its own schema).
BROKER = "redis://127.0.0.1:6379/11"


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def cluster(pg_url, tmp_path):
    port = free_port()
    env = dict(os.environ)
    env.update(DATABASE_URL=pg_url, PIXELSMITH_DATA_DIR=str(tmp_path / "data"))
    env.update(PIXELSMITH_BROKER_URL=BROKER, PIXELSMITH_LOG_LEVEL="WARNING")
    env.pop("PIXELSMITH_DATABASE_URL", None)
    env.pop("PIXELSMITH_EXECUTOR", None)  # the command sets it for its children
    proc = subprocess.Popen(
        [sys.executable, "-m", "pixelsmith", "cluster", "--workers", "2", "--port", str(port)]
        + ["--queues", "cpu"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        yield proc, f"http://127.0.0.1:{port}", lines, tmp_path / "data"
    finally:
        if proc.poll() is None:  # the test failed before its SIGINT: clean up all the same
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()
        proc.wait()


def test_cluster_runs_a_job_on_a_worker_and_stops_every_child_on_sigint(cluster, pg_url):
    proc, url, lines, data_dir = cluster

    def printed_where_to_look():
        if proc.poll() is not None:
            pytest.fail(f"cluster exited with {proc.returncode}:\n{''.join(lines)}")
        return any("Ctrl-C stops them all" in ln for ln in lines)

    wait_for("the cluster to print where to look", printed_where_to_look, timeout=120)
    out = "".join(lines)
    assert url in out and "worker-2" in out, out
    assert str(data_dir / "logs" / "cluster" / "api.log") in out, out

    status, ready = http("GET", f"{url}/readyz")
    assert status == 200 and ready["checks"].get("broker") == "ok", ready
    assert ready["checks"]["executor"] == "celery", ready

    status, job = http(
        "POST", f"{url}/api/v1/jobs", {"kind": "system.sleep", "params": {"seconds": 0.4}}
    )
    assert status in (200, 201, 202), job

    seen_workers: set[int] = set()  # pool processes may be recycled after a job: note all

    def finished():
        for c in psutil.Process(proc.pid).children(recursive=True):
            try:
                if "worker" in " ".join(c.cmdline()):
                    seen_workers.add(c.pid)
            except psutil.NoSuchProcess:
                pass
        _, j = http("GET", f"{url}/api/v1/jobs/{job['id']}")
        return j if j.get("status") in ("succeeded", "failed", "canceled") else None

    done = wait_for(f"job {job['id']} to finish on a worker", finished, timeout=60)
    assert done["status"] == "succeeded", done
    children = psutil.Process(proc.pid).children(recursive=True)
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        owner = conn.execute(
            text("SELECT lease_owner FROM jobs WHERE id = :id"), {"id": job["id"]}
        ).scalar()
    engine.dispose()
    assert owner and int(owner.rsplit(":", 1)[1]) in seen_workers, (owner, seen_workers)

    # `pixelsmith jobs list` (same environment as the cluster) says where the job ran.
    env = dict(os.environ, DATABASE_URL=pg_url, PIXELSMITH_EXECUTOR="celery")
    env.update(PIXELSMITH_BROKER_URL=BROKER, PIXELSMITH_DATA_DIR=str(data_dir))
    listed = subprocess.run(
        [sys.executable, "-m", "pixelsmith", "jobs", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    items = {j["id"]: j for j in json.loads(listed.stdout)["items"]}
    assert items[job["id"]]["worker"] == owner, items

    assert len(children) >= 3, [c.cmdline() for c in children]  # API + 2 workers (+ pools)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 0, "".join(lines)
    left = [c.pid for c in children if alive(c.pid)]
    assert not left, f"children still running after SIGINT: {left}"


def test_cluster_with_an_unreachable_broker_says_why_and_leaves_no_child(pg_url, tmp_path):
    port = free_port()
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = dict(os.environ, DATABASE_URL=pg_url, PIXELSMITH_DATA_DIR=str(tmp_path / "data"))
    env.update(PIXELSMITH_BROKER_URL=dead_broker, PIXELSMITH_LOG_LEVEL="WARNING")
    env.pop("PIXELSMITH_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pixelsmith", "cluster", "--workers", "1", "--port", str(port)]
        + ["--ready-timeout", "25"],  # the API starts (imports) and then reports the broker down
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: set[int] = set()

    def exited():  # note every child seen while it runs, to check none outlives it
        try:
            seen.update(c.pid for c in psutil.Process(proc.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass
        return proc.poll() is not None

    wait_for("the cluster to give up on a broker that is down", exited, timeout=90)
    out = proc.stdout.read()
    assert proc.returncode == 1, out
    assert "cluster did not start" in out and "broker" in out, out
    assert seen, "the API was never started"
    left = [pid for pid in seen if alive(pid)]
    assert not left, f"children still running after the failed start: {left}"


def test_a_worker_that_dies_stops_the_cluster_with_its_name_and_log(cluster):
    proc, url, lines, data_dir = cluster
    wait_for("the cluster to start", lambda: any("Ctrl-C stops them all" in ln for ln in lines), 60)
    out = "".join(lines)
    worker_pid = int(next(ln for ln in lines if "worker-1" in ln).split("pid")[1].split()[0])
    children = psutil.Process(proc.pid).children(recursive=True)
    os.kill(worker_pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == 1, out
    wait_for("the cluster to say why", lambda: any("worker-1 exited" in ln for ln in lines), 60)
    assert any(str(data_dir / "logs" / "cluster" / "worker-1.log") in ln for ln in lines), lines
    left = [c.pid for c in children if alive(c.pid)]
    assert not left, f"children still running after a worker died: {left}"
