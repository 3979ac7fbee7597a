"""Cheap job kinds for the distributed-mode tests, imported by API and worker processes
through PIXELSMITH_JOB_MODULES (tests/integration is on their PYTHONPATH)."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from pixelsmith.core.jobs import JobContext, job_kind


class StepsParams(BaseModel):
    seconds: float = Field(1.0, ge=0, le=120)
    steps: int = Field(10, ge=1, le=1000)


@job_kind("test.steps", params=StepsParams)
def steps_job(ctx: JobContext, p: StepsParams) -> dict:
    """Sleeps in steps, honouring cancel, and saves one artifact (half-way and again at the
    end, as a pipeline replacing its result would): a retried job must still have one."""
    for step in range(1, p.steps + 1):
        ctx.check_canceled()
        time.sleep(p.seconds / p.steps)
        ctx.progress(step, p.steps, f"step {step} of {p.steps}")
        if step == (p.steps + 1) // 2 or step == p.steps:
            ctx.save_artifact(
                f"result of {ctx.job_id}".encode(), name="result.txt", content_type="text/plain"
            )
    return {"steps": p.steps, "attempt": ctx.attempt}
