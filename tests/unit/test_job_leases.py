"""Lease rules of distributed mode on the job table (SQLite, no broker): who may claim a job,
what a worker that lost its lease may record, what the reaper does with an expired lease."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel
from sqlalchemy import update

import pixelsmith.core.jobs.builtin  # noqa: F401  (system.noop)
from pixelsmith.core.db import Database
from pixelsmith.core.events import InProcessEventBus
from pixelsmith.core.jobs import JobContext, job_kind
from pixelsmith.core.jobs.executors import Executor
from pixelsmith.core.jobs.models import Artifact, Job
from pixelsmith.core.jobs.runner import JobRunner, Lease
from pixelsmith.core.jobs.service import JobService
from pixelsmith.core.storage import LocalStorage

GATES: dict[str, threading.Event] = {}
STARTED: dict[str, threading.Event] = {}


class GateParams(BaseModel):
    pass


@job_kind("test.lease_gate", params=GateParams)
def gate_job(ctx: JobContext, p: GateParams) -> dict:
    """Runs until its gate opens, checking cancel as a step would, then saves one artifact."""
    STARTED[ctx.job_id].set()
    while not GATES[ctx.job_id].wait(0.02):
        ctx.check_canceled()
    ctx.save_artifact(b"out " + ctx.job_id.encode(), name="out.txt", content_type="text/plain")
    return {}


class RecordingExecutor(Executor):
    """Stands in for the broker: remembers what was (re)sent."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def start(self) -> None: ...
    def stop(self, wait: bool = True, timeout: float = 5.0) -> None: ...
    def ensure_capacity(self) -> None: ...

    def submit(self, job_id: str, queue_name: str) -> None:
        self.sent.append(job_id)


@pytest.fixture
def env(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    db.migrate()
    runner = JobRunner(db, InProcessEventBus(), LocalStorage(tmp_path / "blobs"))
    executor = RecordingExecutor()
    jobs = JobService(db, runner, executor, max_attempts=2)
    yield db, runner, jobs, executor
    db.dispose()


def _submit_gate(jobs) -> str:
    job_id = jobs.submit("test.lease_gate", {})["id"]
    GATES[job_id], STARTED[job_id] = threading.Event(), threading.Event()
    return job_id


def _run_in_thread(runner, job_id, lease):
    out: dict = {}
    t = threading.Thread(target=lambda: out.update(o=runner.execute(job_id, lease)))
    t.start()
    assert STARTED[job_id].wait(10), "the job never started"
    return t, out


def test_a_leased_job_cannot_be_claimed_by_another_worker_and_ends_with_one_artifact(env):
    db, runner, jobs, _ = env
    job_id = _submit_gate(jobs)
    # A row from an earlier attempt's artifact: success replaces it, never adds a second.
    with db.session() as s:
        s.add(Artifact(job_id=job_id, name="out.txt", key="0" * 64, content_type="x", size=1))
    t, out = _run_in_thread(runner, job_id, Lease("worker-a:1", 30))
    row = jobs.get(job_id)
    assert row["status"] == "running" and row["lease_owner"] == "worker-a:1"
    assert runner.execute(job_id, Lease("worker-b:2", 30)) is None  # a duplicate task: no-op
    GATES[job_id].set()
    t.join(10)
    assert out["o"].status == "succeeded"
    done = jobs.get(job_id)
    assert done["attempts"] == 1
    assert [a["name"] for a in done["artifacts"]] == ["out.txt"]
    assert done["artifacts"][0]["key"] != "0" * 64


def test_a_worker_that_lost_its_lease_stops_and_records_nothing(env):
    db, runner, jobs, _ = env
    job_id = _submit_gate(jobs)
    t, out = _run_in_thread(runner, job_id, Lease("stalled:1", 0.3))  # renews every 0.1 s
    with db.session() as s:  # the reaper gave it to another worker meanwhile
        s.execute(update(Job).where(Job.id == job_id).values(lease_owner="other:2"))
    t.join(10)
    assert not t.is_alive(), "the job did not stop after its lease was lost"
    assert out["o"].status == "lease_lost"
    row = jobs.get(job_id)
    assert row["status"] == "running" and row["lease_owner"] == "other:2"  # untouched
    assert row["artifacts"] == []


def _expire(db, job_id, *, attempts, cancel=False):
    past = datetime.now(UTC) - timedelta(seconds=5)
    with db.session() as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status="running",
                lease_owner="dead:9",
                lease_expires_at=past,
                attempts=attempts,
                cancel_requested=cancel,
            )
        )


def test_reaper_requeues_an_expired_lease_gives_up_at_max_attempts_and_honours_cancel(env):
    db, runner, jobs, executor = env
    again, spent, asked = (jobs.submit("system.noop", {})["id"] for _ in range(3))
    _expire(db, again, attempts=1)
    _expire(db, spent, attempts=2)
    _expire(db, asked, attempts=1, cancel=True)
    executor.sent.clear()
    counts = jobs.reap(requeue_stale_s=3600)
    assert counts == {"lease_expired": 3, "gave_up": 1, "resent": 0}
    assert executor.sent == [again]
    assert jobs.get(again)["status"] == "queued" and jobs.get(again)["lease_owner"] is None
    failed = jobs.get(spent)
    assert failed["status"] == "failed" and failed["error"]["code"] == "interrupted"
    assert "lease expired" in failed["error"]["message"]
    assert jobs.get(asked)["status"] == "canceled"
    # The requeued job runs again as attempt 2 on whichever worker takes it.
    outcome = runner.execute(again, Lease("alive:3", 30))
    assert outcome.status == "succeeded" and jobs.get(again)["attempts"] == 2
    # A job out of attempts is never claimed, even by a redelivered task.
    assert runner.execute(spent, Lease("alive:3", 30)) is None


def test_an_expired_lease_can_be_taken_over_directly_by_a_redelivered_task(env):
    db, runner, jobs, _ = env
    job_id = jobs.submit("system.noop", {})["id"]
    _expire(db, job_id, attempts=1)
    assert runner.execute(job_id, Lease("alive:3", 30)).status == "succeeded"
    assert jobs.get(job_id)["attempts"] == 2


def test_reaper_resends_queued_jobs_nobody_took(env):
    db, _, jobs, executor = env
    job_id = jobs.submit("system.noop", {})["id"]
    executor.sent.clear()
    assert jobs.reap(requeue_stale_s=60)["resent"] == 0  # fresh: left alone
    with db.session() as s:
        old = datetime.now(UTC) - timedelta(seconds=120)
        s.execute(update(Job).where(Job.id == job_id).values(updated_at=old))
    assert jobs.reap(requeue_stale_s=60)["resent"] == 1
    assert executor.sent == [job_id]
    assert jobs.reap(requeue_stale_s=60)["resent"] == 0  # once per period, not every round
