"""Durable jobs: the job table is the source of truth; executors only decide where they run.

queued → running → succeeded | failed | canceled, with progress, cooperative cancel, retry,
artifacts, and requeue of jobs a crash left running.
"""

from pixelsmith.core.jobs.context import JobCanceled, JobContext, JobFailed
from pixelsmith.core.jobs.kinds import JobKind, get_kind, job_kind, list_kinds
from pixelsmith.core.jobs.models import Artifact, Job, JobStatus

__all__ = [
    "Artifact",
    "Job",
    "JobCanceled",
    "JobContext",
    "JobFailed",
    "JobKind",
    "JobStatus",
    "get_kind",
    "job_kind",
    "list_kinds",
]
