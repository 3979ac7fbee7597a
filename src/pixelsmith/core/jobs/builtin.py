"""Built-in diagnostic job kinds: they exercise the job system end to end (benchmarks, health)."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from pixelsmith.core.jobs.context import JobContext, JobFailed
from pixelsmith.core.jobs.kinds import job_kind


class SleepParams(BaseModel):
    seconds: float = Field(1.0, ge=0, le=600, description="Total run time")
    steps: int = Field(10, ge=1, le=10_000, description="Progress steps")
    fail_at_step: int | None = Field(None, ge=1, description="Fail on purpose at this step")


@job_kind("system.sleep", params=SleepParams)
def sleep_job(ctx: JobContext, p: SleepParams) -> dict:
    """Sleeps in steps, reporting progress and honouring cancel (a diagnostic job)."""
    for step in range(1, p.steps + 1):
        ctx.check_canceled()
        time.sleep(p.seconds / p.steps)
        if p.fail_at_step == step:
            raise JobFailed(f"Failed on purpose at step {step}.", code="requested_failure")
        ctx.progress(step, p.steps, f"step {step} of {p.steps}")
    return {"slept_s": p.seconds, "steps": p.steps}


class NoopParams(BaseModel):
    payload: str = Field("", max_length=1000)


@job_kind("system.noop", params=NoopParams)
def noop_job(ctx: JobContext, p: NoopParams) -> dict:
    """Returns at once (measures the job system's own overhead)."""
    return {"echo": p.payload}
