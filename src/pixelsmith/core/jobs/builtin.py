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


class AllocateParams(BaseModel):
    mb: int = Field(64, ge=1, le=2048, description="Memory to touch, in MB")
    hold_s: float = Field(0.0, ge=0, le=60, description="How long to hold it")
    keep: bool = Field(False, description="Keep it in the worker after the job (a leak)")


_KEPT: list[bytearray] = []


@job_kind("system.allocate", params=AllocateParams)
def allocate_job(ctx: JobContext, p: AllocateParams) -> dict:
    """Touches `mb` of memory (a diagnostic of the memory limit and worker recycling)."""
    block = bytearray(p.mb * 1024 * 1024)  # zero-filled: every page is resident
    deadline = time.monotonic() + p.hold_s
    while time.monotonic() < deadline:
        ctx.check_canceled()
        time.sleep(0.05)
    if p.keep:
        _KEPT.append(block)
    return {"mb": p.mb}


class FilterJobParams(BaseModel):
    style: str = Field("cartoon", description="A Studio filter (core/filters.py)")
    side: int = Field(1024, ge=16, le=4096, description="Side of the square test image")
    seed: int = Field(0, ge=0)
    # One thread: the figure then says how jobs scale over worker processes, not how far
    # OpenCV spreads one job over the cores.
    single_thread: bool = True


@job_kind("system.filter", params=FilterJobParams)
def filter_job(ctx: JobContext, p: FilterJobParams) -> dict:
    """A Studio filter on a generated image: a CPU-bound job of known size (benchmarks)."""
    import cv2
    import numpy as np

    from pixelsmith.core.filters import apply_filter

    img = np.random.default_rng(p.seed).integers(0, 256, (p.side, p.side, 3), dtype=np.uint8)
    ctx.check_canceled()
    threads = cv2.getNumThreads()
    if p.single_thread:
        cv2.setNumThreads(1)
    try:
        out = apply_filter(img, p.style, {})
    finally:
        cv2.setNumThreads(threads)
    ctx.progress(1, 1, p.style)
    return {"style": p.style, "side": p.side, "mean": round(float(out.mean()), 3)}
