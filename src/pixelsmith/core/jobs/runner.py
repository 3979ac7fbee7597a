"""Runs one job: claim the row, call the kind's handler, record the outcome.

Executors (local threads now, Celery workers later) call JobRunner.run(job_id) and nothing else,
so every executor shares one lifecycle. The claim is a conditional UPDATE, so a job runs once
even if two workers receive it.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update

from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.errors import ApiError
from pixelsmith.core.events import EventBus
from pixelsmith.core.jobs.context import JobCanceled, JobContext, JobFailed
from pixelsmith.core.jobs.kinds import get_kind
from pixelsmith.core.jobs.models import Artifact, Job, JobStatus
from pixelsmith.core.metrics import JOB_DURATION, JOBS_FINISHED
from pixelsmith.core.storage import Storage

log = logging.getLogger("pixelsmith.jobs")

# Progress rows are written at most this often (and with each preview); live viewers still
# get an event for every step.
PROGRESS_WRITE_INTERVAL = 0.5


@dataclass(frozen=True)
class RunOutcome:
    status: str
    kind: str
    seconds: float


@dataclass(frozen=True)
class Lease:
    """Who claims a job (a worker's name) and for how long; renewed every third of it."""

    owner: str
    seconds: float


class _Heartbeat(threading.Thread):
    """Renews a running job's lease. If the row is no longer ours (the reaper requeued it
    after a stall), the job is asked to stop at its next step."""

    def __init__(self, db: Database, job_id: str, lease: Lease, lost: threading.Event) -> None:
        super().__init__(name=f"pixelsmith-lease-{job_id[:8]}", daemon=True)
        self.db, self.job_id, self.lease, self.lost = db, job_id, lease, lost
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.wait(self.lease.seconds / 3):
            try:
                with self.db.engine.begin() as conn:
                    renewed = conn.execute(
                        update(Job)
                        .where(
                            Job.id == self.job_id,
                            Job.lease_owner == self.lease.owner,
                            Job.status == JobStatus.running,
                        )
                        .values(lease_expires_at=utcnow() + timedelta(seconds=self.lease.seconds))
                    ).rowcount
            except Exception:  # a database blip: try again next beat, the lease still runs
                log.warning("lease renewal failed", extra={"job_id": self.job_id})
                continue
            if not renewed and not self._stop.is_set():
                log.warning("job lease lost; stopping it", extra={"job_id": self.job_id})
                self.lost.set()
                return


def channel(job_id: str) -> str:
    return f"job:{job_id}"


class JobRunner:
    def __init__(self, db: Database, events: EventBus, storage: Storage) -> None:
        self.db = db
        self.events = events
        self.storage = storage
        self._cancel_events: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    # -- cancel signalling within this process -------------------------------------------
    def signal_cancel(self, job_id: str) -> None:
        with self._lock:
            ev = self._cancel_events.get(job_id)
        if ev:
            ev.set()

    def publish(self, job: Job) -> None:
        if self.events.has_subscribers(channel(job.id)):
            self.events.publish(channel(job.id), {"type": "job", "job": job.to_dict()})

    # -- the lifecycle ---------------------------------------------------------------------
    def run(self, job_id: str) -> str | None:
        """Run the job if it is still queued. Returns its final status, or None if skipped."""
        outcome = self.execute(job_id)
        if outcome is None:
            return None
        JOBS_FINISHED.labels(kind=outcome.kind, status=outcome.status).inc()
        JOB_DURATION.labels(kind=outcome.kind).observe(outcome.seconds)
        return outcome.status

    def execute(self, job_id: str, lease: Lease | None = None) -> RunOutcome | None:
        """`run` without the metrics: a worker process reports them to the API's registry.

        With a `lease` (distributed mode) the claim also takes a running job whose lease ran
        out, within its attempt budget; the lease is renewed while the job runs, and a worker
        that lost it (the reaper gave the job to another) stops and records nothing."""
        now = utcnow()
        claimable = Job.status == JobStatus.queued
        values: dict[str, Any] = {
            "status": JobStatus.running,
            "attempts": Job.attempts + 1,
            "started_at": now,
            "updated_at": now,
        }
        if lease is not None:
            claimable = or_(
                claimable,
                and_(Job.status == JobStatus.running, Job.lease_expires_at < now),
            )
            values["lease_owner"] = lease.owner
            values["lease_expires_at"] = now + timedelta(seconds=lease.seconds)
        with self.db.session() as s:
            claimed = s.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    claimable,
                    Job.cancel_requested.is_(False),
                    Job.attempts < Job.max_attempts,
                )
                .values(**values)
                .returning(Job.kind, Job.params, Job.attempts)
            ).first()
            if claimed is None:
                return None  # canceled, finished, out of attempts, or another worker holds it
            kind_name, params, attempt = claimed
            if self.events.has_subscribers(channel(job_id)):
                job = s.get(Job, job_id)
                assert job is not None
                self.publish(job)

        cancel_event = threading.Event()
        with self._lock:
            self._cancel_events[job_id] = cancel_event
        heartbeat = None
        if lease is not None:
            heartbeat = _Heartbeat(self.db, job_id, lease, cancel_event)
            heartbeat.start()
        ctx = JobContext(
            job_id=job_id,
            kind=kind_name,
            attempt=attempt,
            cancel_event=cancel_event,
            _report=self._progress_reporter(job_id),
            _store=self._store,
            _poll_cancel=lambda: self._cancel_requested(job_id),
            _load=self.storage.get,
        )
        started = time.perf_counter()
        try:
            kind = get_kind(kind_name)
            result = kind.handler(ctx, kind.validate(params))
            ctx.check_canceled()  # a cancel that raced the last step still wins
            status = self._finish(ctx, JobStatus.succeeded, result=result or {}, lease=lease)
        except JobCanceled:
            status = self._finish(ctx, JobStatus.canceled, lease=lease)
        except JobFailed as exc:
            status = self._finish(
                ctx,
                JobStatus.failed,
                error=_error(exc.code, exc.message, exc.details),
                lease=lease,
            )
        except ApiError as exc:
            status = self._finish(
                ctx,
                JobStatus.failed,
                error=_error(exc.code, exc.message, exc.details),
                lease=lease,
            )
        except Exception as exc:  # a handler bug must not kill the worker
            log.exception("job failed", extra={"job_id": job_id, "kind": kind_name})
            status = self._finish(
                ctx,
                JobStatus.failed,
                error=_error("internal_error", f"{type(exc).__name__}: {exc}", {}),
                lease=lease,
            )
        finally:
            if heartbeat is not None:
                heartbeat.stop()
            with self._lock:
                self._cancel_events.pop(job_id, None)
        return RunOutcome(status, kind_name, time.perf_counter() - started)

    def _finish(
        self, ctx: JobContext, status: JobStatus, *, result=None, error=None, lease=None
    ) -> str:
        now = utcnow()
        values: dict[str, Any] = {
            "status": status,
            "result": result,
            "error": error,
            "finished_at": now,
            "updated_at": now,
        }
        if status == JobStatus.succeeded:
            values["progress_step"] = Job.progress_total
        where = [Job.id == ctx.job_id]
        if lease is not None:
            # Only the lease holder records an outcome: a worker the reaper gave up on (it
            # stalled, then woke) must not overwrite the attempt that replaced it.
            where += [Job.lease_owner == lease.owner, Job.status == JobStatus.running]
            values["lease_expires_at"] = None
        with self.db.session() as s:
            done = s.execute(update(Job).where(*where).values(**values)).rowcount
            if not done:
                log.warning("lost the job's lease; outcome dropped", extra={"job_id": ctx.job_id})
                return "lease_lost"
            if status == JobStatus.succeeded:
                # Artifacts attach only on success: a canceled job leaves none half-written.
                # Keyed by (job, name), replaced never appended: a retried job has one set.
                names = [a.name for a in ctx.artifacts]
                s.execute(
                    delete(Artifact).where(Artifact.job_id == ctx.job_id, Artifact.name.in_(names))
                )
                s.add_all(
                    Artifact(
                        job_id=ctx.job_id,
                        name=a.name,
                        key=a.key,
                        content_type=a.content_type,
                        size=a.size,
                    )
                    for a in ctx.artifacts
                )
            event = None
            if self.events.has_subscribers(channel(ctx.job_id)):
                s.flush()
                job = s.get(Job, ctx.job_id)
                assert job is not None
                event = {"type": "job", "job": job.to_dict()}
        # Published after the commit: a client that reads the job (or what the app stored
        # with it) on this event must find it finished, not the row as it was.
        if event is not None:
            self.events.publish(channel(ctx.job_id), event)
        return status

    def _progress_reporter(self, job_id: str):
        last_write = 0.0
        # The row as last read, so a live viewer gets every step without a read per step.
        snapshot: dict[str, Any] | None = None

        def report(step: int, total: int, message: str, preview: bytes | None) -> None:
            nonlocal last_write, snapshot
            values: dict[str, Any] = {
                "progress_step": max(0, int(step)),
                "progress_total": max(0, int(total)),
                "progress_message": message[:500],
                "updated_at": utcnow(),
            }
            if preview is not None:
                values["preview_key"] = self.storage.put(
                    preview, content_type="image/jpeg", suffix=".jpg", durable=False
                )
            now = time.monotonic()
            # The last step needs no row write of its own: _finish records step = total.
            write = preview is not None or now - last_write >= PROGRESS_WRITE_INTERVAL
            listening = self.events.has_subscribers(channel(job_id))
            if write:  # a Core statement: a fraction of an ORM session's cost, every step counts
                with self.db.engine.begin() as conn:
                    conn.execute(update(Job).where(Job.id == job_id).values(**values))
                last_write = now
            if listening and snapshot is None:  # the first event a viewer gets: read the row once
                with self.db.session() as s:
                    job = s.get(Job, job_id)
                    snapshot = job.to_dict() if job is not None else None
            if not listening or snapshot is None:
                return
            snapshot = {**snapshot}
            snapshot["progress"] = {
                **snapshot["progress"],
                "step": values["progress_step"],
                "total": values["progress_total"],
                "message": values["progress_message"],
                "preview_key": values.get("preview_key", snapshot["progress"]["preview_key"]),
            }
            self.events.publish(channel(job_id), {"type": "job", "job": snapshot})

        return report

    def _store(self, data: bytes, content_type: str, name: str) -> str:
        suffix = mimetypes.guess_extension(content_type) or ""
        return self.storage.put(data, content_type=content_type, suffix=suffix)

    def _cancel_requested(self, job_id: str) -> bool:
        with self.db.engine.connect() as conn:
            return bool(conn.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def _error(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}
