"""REST + WebSocket API of the job system: /api/v1/jobs."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.errors import ApiError, check_json_input
from pixelsmith.core.jobs.kinds import list_kinds
from pixelsmith.core.jobs.models import TERMINAL
from pixelsmith.core.jobs.runner import channel
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services, ws_services
from pixelsmith.core.web.identity import Identity, current_identity, websocket_identity

router = APIRouter(prefix="/api/v1", tags=["jobs"])

StatusName = Literal["queued", "running", "succeeded", "failed", "canceled"]
JOB_ID = r"^[0-9a-f]{32}$"


class JobSubmit(BaseModel):
    kind: str = Field(..., min_length=1, max_length=64, examples=["system.sleep"])
    params: dict[str, Any] = Field(default_factory=dict)


class Progress(BaseModel):
    step: int
    total: int
    message: str
    preview_key: str | None


class ArtifactOut(BaseModel):
    name: str
    key: str
    content_type: str
    size: int
    url: str


class JobOut(BaseModel):
    id: str
    kind: str
    queue: str
    status: StatusName
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    progress: Progress
    attempts: int
    max_attempts: int
    cancel_requested: bool
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str
    artifacts: list[ArtifactOut]


class JobList(BaseModel):
    items: list[JobOut]
    total: int
    limit: int
    offset: int


class JobKindOut(BaseModel):
    name: str
    queue: str
    description: str
    params_schema: dict[str, Any]


@router.get("/job-kinds", response_model=list[JobKindOut], summary="Job kinds this server runs")
def job_kinds() -> list[dict]:
    return [
        {
            "name": k.name,
            "queue": k.queue,
            "description": k.description,
            "params_schema": k.params_model.model_json_schema(),
        }
        for k in list_kinds()
    ]


@router.post(
    "/jobs",
    status_code=202,
    response_model=JobOut,
    summary="Submit a job",
    responses={
        422: {"description": "Unknown kind, invalid params, lone surrogates or deep nesting"},
        429: {"description": "Queue full"},
    },
)
def submit_job(body: JobSubmit, services: Services = Depends(get_services)) -> dict:
    # Params are free-form JSON until the kind validates them: refuse what cannot be stored.
    check_json_input(body.params, "params")
    return services.jobs.submit(body.kind, body.params)


@router.get("/jobs", response_model=JobList, summary="List jobs, newest first")
def list_jobs(
    status: StatusName | None = None,
    kind: str | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
) -> dict:
    items, total = services.jobs.list(
        status=status, kind=kind, viewer=identity.user_id, limit=limit, offset=offset
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/jobs/{job_id}", response_model=JobOut, summary="One job")
def get_job(
    job_id: str,
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
) -> dict:
    return services.jobs.get(job_id, viewer=identity.user_id)


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, summary="Cancel a job")
def cancel_job(
    job_id: str,
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
) -> dict:
    services.jobs.check_visible(job_id, identity.user_id)
    return services.jobs.cancel(job_id)


@router.post("/jobs/{job_id}/retry", response_model=JobOut, summary="Retry a failed/canceled job")
def retry_job(
    job_id: str,
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
) -> dict:
    services.jobs.check_visible(job_id, identity.user_id)
    return services.jobs.retry(job_id)


@router.websocket("/jobs/{job_id}/events")
async def job_events(websocket: WebSocket, job_id: str) -> None:
    """Streams {"type": "job", "job": {...}} snapshots: the current state first, then every
    change, and closes (1000) after the final state. Unknown job: an error message, close 4404."""
    services = ws_services(websocket)
    viewer = websocket_identity(websocket).user_id
    await websocket.accept()
    sub = services.events.subscribe(channel(job_id))  # before the first read: no gap
    try:
        try:
            job = await run_in_threadpool(lambda: services.jobs.get(job_id, viewer=viewer))
        except ApiError as exc:
            await websocket.send_json({"type": "error", **exc.body()})
            await websocket.close(code=4404)
            return
        await websocket.send_json({"type": "job", "job": job})
        last = job
        while last["status"] not in TERMINAL:
            event = await sub.get(timeout=1.0)
            if event is None:
                # Quiet for a second: re-read the row (covers workers in other processes).
                event_job = await run_in_threadpool(services.jobs.get, job_id)
                if (
                    event_job["updated_at"] == last["updated_at"]
                    and event_job["status"] == last["status"]
                ):
                    continue
                event = {"type": "job", "job": event_job}
            await websocket.send_json(event)
            last = event["job"]
        await websocket.close(code=1000)
    except (WebSocketDisconnect, asyncio.CancelledError, RuntimeError):
        pass  # the client went away; nothing to clean but the subscription
    finally:
        sub.close()
