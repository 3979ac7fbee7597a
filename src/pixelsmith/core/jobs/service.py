"""JobService: submit, read, list, cancel, retry and crash recovery over the job table."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.errors import BrokerUnavailable, Conflict, NotFound
from pixelsmith.core.jobs.executors import Executor
from pixelsmith.core.jobs.kinds import get_kind
from pixelsmith.core.jobs.models import TERMINAL, Job, JobStatus
from pixelsmith.core.jobs.runner import JobRunner
from pixelsmith.core.metrics import JOBS_REJECTED, JOBS_SUBMITTED

log = logging.getLogger("pixelsmith.jobs")


class JobService:
    def __init__(
        self, db: Database, runner: JobRunner, executor: Executor, *, max_attempts: int = 3
    ) -> None:
        self.db = db
        self.runner = runner
        self.executor = executor
        self.max_attempts = max_attempts

    def submit(self, kind: str, params: Any = None, *, owner_id: str | None = None) -> dict:
        """Validate, persist, enqueue. Raises 422 for bad params, 429 when the queue is full."""
        job_kind = get_kind(kind)
        validated = job_kind.validate(params).model_dump(mode="json")
        try:
            self.executor.ensure_capacity()
        except Exception:
            JOBS_REJECTED.labels(kind=kind).inc()
            raise
        job_id = uuid.uuid4().hex
        now = utcnow()
        row = {
            "id": job_id,
            "kind": kind,
            "queue": job_kind.queue,
            "status": JobStatus.queued.value,
            "params": validated,
            "max_attempts": self.max_attempts,
            "owner_id": owner_id,
            "created_at": now,
            "updated_at": now,
            "progress_step": 0,
            "progress_total": 0,
            "progress_message": "",
            "attempts": 0,
            "cancel_requested": False,
        }
        with self.db.session() as s:
            s.execute(insert(Job), [row])  # Core insert: the submit path is hot
        snapshot = Job(**row, artifacts=[]).to_dict()
        try:
            # After the commit: a worker handed the id must find the row.
            self.executor.submit(job_id, job_kind.queue)
        except BrokerUnavailable:
            with self.db.session() as s:  # not half-created: no row without its message
                s.execute(delete(Job).where(Job.id == job_id))
            JOBS_REJECTED.labels(kind=kind).inc()
            raise
        JOBS_SUBMITTED.labels(kind=kind).inc()
        return snapshot

    def get(self, job_id: str, *, viewer: str | None = None) -> dict:
        """A job; with `viewer`, a job owned by someone else is a 404 (as if it did not exist)."""
        with self.db.session() as s:
            job = self._load(s, job_id)
            if viewer is not None and job.owner_id not in (None, viewer):
                raise NotFound(f"No job with id '{job_id}'.", details={"job_id": job_id})
            return job.to_dict()

    def check_visible(self, job_id: str, viewer: str) -> None:
        self.get(job_id, viewer=viewer)

    def list(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        owner_id: str | None = None,
        viewer: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict], int]:
        """Newest first; with `viewer`, only that caller's jobs and jobs nobody owns."""
        q = select(Job)
        if viewer is not None:
            q = q.where(or_(Job.owner_id.is_(None), Job.owner_id == viewer))
        if status:
            q = q.where(Job.status == status)
        if kind:
            q = q.where(Job.kind == kind)
        if owner_id:
            q = q.where(Job.owner_id == owner_id)
        with self.db.session() as s:
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.scalars(
                q.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
            ).all()
            return [j.to_dict() for j in rows], total

    def cancel(self, job_id: str) -> dict:
        """Queued jobs end at once; running ones get the flag and stop at their next check."""
        with self.db.session() as s:
            job = self._load(s, job_id, for_update=True)
            if job.status == JobStatus.queued:
                job.status = JobStatus.canceled
                job.finished_at = utcnow()
            elif job.status == JobStatus.running:
                job.cancel_requested = True
            elif job.status != JobStatus.canceled:
                raise Conflict(
                    f"Job {job_id} already {job.status}; only queued or running jobs can be "
                    "canceled.",
                    code="job_finished",
                    details={"status": job.status},
                )
            job.updated_at = utcnow()
            s.flush()
            snapshot = job.to_dict()
            self.runner.publish(job)
        self.executor.cancel(job_id)
        return snapshot

    def delete(self, job_id: str) -> list[str]:
        """Remove a job and its row's artifacts (an app deleting a user's data). A running job
        is asked to stop first; returns the blob keys it referenced, for the caller to delete
        (blobs are content-addressed and may be shared)."""
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return []
            running = job.status in (JobStatus.queued, JobStatus.running)
            keys = [a.key for a in job.artifacts] + ([job.preview_key] if job.preview_key else [])
        if running:
            try:
                self.cancel(job_id)
            except Conflict:  # it finished meanwhile
                pass
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is not None:
                keys += [a.key for a in job.artifacts if a.key not in keys]
                s.delete(job)
        return keys

    def retry(self, job_id: str, *, enqueue: bool = True) -> dict:
        """Run a failed or canceled job again, same id and params, with a fresh attempt budget.

        enqueue=False only marks it queued, for a worker polling the table (`pixelsmith worker`).
        """
        if enqueue:
            self.executor.ensure_capacity()
        with self.db.session() as s:
            job = self._load(s, job_id, for_update=True)
            if job.status not in (JobStatus.failed, JobStatus.canceled):
                raise Conflict(
                    f"Job {job_id} is {job.status}; only failed or canceled jobs can be retried.",
                    code="job_not_retryable",
                    details={"status": job.status},
                )
            job.status = JobStatus.queued
            job.error = job.result = None
            job.cancel_requested = False
            job.attempts = 0
            job.progress_step = job.progress_total = 0
            job.progress_message = ""
            job.started_at = job.finished_at = None
            job.updated_at = utcnow()
            job.artifacts.clear()
            s.flush()
            snapshot = job.to_dict()
            queue_name = job.queue
            self.runner.publish(job)
        if enqueue:
            self.executor.resubmit(job_id, queue_name)
        return snapshot

    def queued_ids(self, limit: int = 10) -> list[str]:
        """Oldest queued jobs first (for workers that poll the table)."""
        with self.db.session() as s:
            return list(
                s.scalars(
                    select(Job.id)
                    .where(Job.status == JobStatus.queued)
                    .order_by(Job.created_at)
                    .limit(limit)
                )
            )

    def recover(self) -> dict[str, int]:
        """At start-up: requeue jobs a crash left running (bounded by max_attempts) and
        re-submit everything still queued, oldest first. Nothing accepted is ever lost."""
        failed = requeued = 0
        with self.db.session() as s:
            running = s.scalars(select(Job).where(Job.status == JobStatus.running)).all()
            for job in running:
                if job.attempts >= job.max_attempts:
                    job.status = JobStatus.failed
                    job.finished_at = utcnow()
                    job.error = {
                        "code": "interrupted",
                        "message": f"The job was interrupted {job.attempts} times by a server "
                        "crash or restart and was given up. Retry it when the server is stable.",
                        "details": {"attempts": job.attempts},
                    }
                    failed += 1
                elif job.cancel_requested:
                    job.status = JobStatus.canceled
                    job.finished_at = utcnow()
                else:
                    job.status = JobStatus.queued
                    job.progress_message = "requeued after a restart"
                    requeued += 1
                job.updated_at = utcnow()
        with self.db.session() as s:
            queued = s.execute(
                select(Job.id, Job.queue)
                .where(Job.status == JobStatus.queued)
                .order_by(Job.created_at)
            ).all()
        for job_id, queue_name in queued:
            self.executor.resubmit(job_id, queue_name)
        if queued or failed:
            log.info(
                "recovered jobs",
                extra={"requeued": requeued, "resubmitted": len(queued), "gave_up": failed},
            )
        return {"requeued": requeued, "resubmitted": len(queued), "gave_up": failed}

    def handle_lost(self, job_id: str, code: str, message: str) -> None:
        """A worker died holding this job. Out of memory fails it (running it again would only
        die again); a crash requeues it within its attempt budget, as a restart would."""
        resubmit: str | None = None
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None or job.status in TERMINAL:
                return  # it finished before its worker went
            if job.status == JobStatus.queued:
                resubmit = job.queue  # handed over but never claimed
            elif code == "out_of_memory" or job.attempts >= job.max_attempts:
                job.status = JobStatus.failed
                job.finished_at = utcnow()
                if code != "out_of_memory":
                    code = "interrupted"
                    message = (
                        f"The job was interrupted {job.attempts} times ({message}) and was "
                        "given up. Retry it, or report it if it happens again."
                    )
                job.error = {
                    "code": code,
                    "message": message,
                    "details": {"attempts": job.attempts},
                }
            elif job.cancel_requested:
                job.status = JobStatus.canceled
                job.finished_at = utcnow()
            else:
                job.status = JobStatus.queued
                job.progress_message = "requeued: its worker stopped"
                resubmit = job.queue
            job.updated_at = utcnow()
            s.flush()
            self.runner.publish(job)
        log.warning("job lost its worker", extra={"job_id": job_id, "reason": code})
        if resubmit is not None:
            self.executor.resubmit(job_id, resubmit)

    def reap(self, *, requeue_stale_s: float) -> dict[str, int]:
        """Distributed mode, every few seconds in each API process: jobs whose worker stopped
        renewing its lease are requeued (or failed, past max_attempts; or canceled, if asked),
        and queued jobs nobody took for `requeue_stale_s` are sent again (a broker restart
        without persistence loses its messages). Row locks with SKIP LOCKED: two reapers never
        requeue one job twice; a duplicate message finds the job taken and does nothing."""
        now = utcnow()
        counts = {"lease_expired": 0, "gave_up": 0, "resent": 0}
        resend: list[tuple[str, str]] = []
        with self.db.session() as s:
            q = select(Job).where(Job.status == JobStatus.running, Job.lease_expires_at < now)
            if s.bind.dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True)
            for job in s.scalars(q):
                counts["lease_expired"] += 1
                job.lease_owner = None
                job.lease_expires_at = None
                job.updated_at = now
                if job.cancel_requested:
                    job.status = JobStatus.canceled
                    job.finished_at = now
                elif job.attempts >= job.max_attempts:
                    job.status = JobStatus.failed
                    job.finished_at = now
                    job.error = {
                        "code": "interrupted",
                        "message": f"The job's worker stopped (its lease expired) on each of "
                        f"{job.attempts} attempts, so it was given up. Retry it, or check the "
                        "workers' logs.",
                        "details": {"attempts": job.attempts},
                    }
                    counts["gave_up"] += 1
                else:
                    job.status = JobStatus.queued
                    job.progress_message = "requeued: its worker stopped renewing the lease"
                    resend.append((job.id, job.queue))
            stale = now - timedelta(seconds=requeue_stale_s)
            q = (
                update(Job)
                .where(Job.status == JobStatus.queued, Job.updated_at < stale)
                .values(updated_at=now)
                .returning(Job.id, Job.queue)
            )
            stale_rows = s.execute(q).all()
        counts["resent"] = len(stale_rows)
        for job_id, queue_name in resend + [tuple(r) for r in stale_rows]:
            self.executor.resubmit(job_id, queue_name)
        if any(counts.values()):
            log.warning("reaper requeued jobs", extra=counts)
        return counts

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(select(Job.status, func.count()).group_by(Job.status)).all()
        return {status: n for status, n in rows}

    @staticmethod
    def _load(s, job_id: str, *, for_update: bool = False) -> Job:  # noqa: ANN001
        q = select(Job).where(Job.id == job_id)
        if for_update and s.bind.dialect.name == "postgresql":
            q = q.with_for_update()
        job = s.scalars(q).first()
        if job is None:
            raise NotFound(f"No job with id '{job_id}'.", details={"job_id": job_id})
        return job


def is_terminal(status: str) -> bool:
    return status in TERMINAL
