"""Where jobs are and who runs them, read from the job table (the source of truth).

The operations views (/metrics, `pixelsmith jobs list`) use these, so a scrape or a listing
on any API node tells the same story whichever process runs the jobs. With the celery
executor a running job's owner is its lease holder (`lease_owner`, "host:pid" of the
worker); the local executors run jobs inside the server, reported as "local".
"""

from __future__ import annotations

from sqlalchemy import func, select

from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.jobs.models import Job, JobStatus

LOCAL_WORKER = "local"


def queue_depths(db: Database) -> dict[str, int]:
    """Jobs waiting, per queue (cpu, gpu, …)."""
    with db.session() as s:
        rows = s.execute(
            select(Job.queue, func.count())
            .where(Job.status == JobStatus.queued)
            .group_by(Job.queue)
        ).all()
    return {queue: n for queue, n in rows}


def running_by_worker(db: Database) -> dict[str, int]:
    """Jobs running now, per worker (lease owner)."""
    owner = Job.lease_owner
    with db.session() as s:
        rows = s.execute(
            select(owner, func.count()).where(Job.status == JobStatus.running).group_by(owner)
        ).all()
    return {(w or LOCAL_WORKER): n for w, n in rows}


def expired_leases(db: Database) -> int:
    """Running jobs whose lease ran out and that no reaper has requeued yet."""
    expires = Job.lease_expires_at
    with db.session() as s:
        return (
            s.scalar(
                select(func.count()).where(
                    Job.status == JobStatus.running, expires.is_not(None), expires < utcnow()
                )
            )
            or 0
        )
