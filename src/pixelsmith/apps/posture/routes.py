"""Posture Coach: the page, the live WebSocket and the API (/api/v1/posture).

Every route is per user (core.web.identity: the anonymous cookie id until accounts exist).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, WebSocket
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from pixelsmith.core.cpu import run_stream_work
from pixelsmith.core.errors import ApiError
from pixelsmith.core.images import process_upload
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services, ws_services
from pixelsmith.core.web.i18n import Translator, negotiate
from pixelsmith.core.web.identity import Identity, current_identity, websocket_identity
from pixelsmith.core.web.pages import render

from . import APP
from .charts import history_svg
from .features import Baseline
from .photo import NoPersonFound, analyze_intake
from .service import PostureService
from .stream import (
    CLOSE_TRY_AGAIN,
    CLOSE_UNAVAILABLE,
    PROTOCOL,
    StreamHooks,
    StreamLimiter,
    StreamSession,
    error_message,
    run_stream,
)

log = logging.getLogger("pixelsmith.posture")

router = APIRouter()
api = APIRouter(prefix="/api/v1/posture", tags=["posture"])


def posture_service(services: Services = Depends(get_services)) -> PostureService:
    return PostureService(services.db)


@router.get("/posture", response_class=HTMLResponse, include_in_schema=False)
def index(
    request: Request,
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> HTMLResponse:
    baseline = posture.baseline_record(identity.user_id)
    response = render(
        request,
        "posture/index.html",
        app=APP,
        baseline=baseline,
        client_prefixes=("apps.posture.",),
    )
    return identity.apply(response)


# ---- live stream ------------------------------------------------------------------------------


@router.websocket("/api/v1/posture/stream")
async def stream(websocket: WebSocket) -> None:
    """Live posture stream (protocol in docs/api.md): binary JPEG frames in, JSON states out."""
    services = ws_services(websocket)
    identity = websocket_identity(websocket)
    await websocket.accept(headers=[identity.set_cookie_header()] if identity.new else None)
    limiter = _limiter(websocket, services)
    if not limiter.acquire():
        message = (
            f"All {limiter.limit} live posture streams of this server are in use. Try again in "
            "a minute, or close the Posture Coach in another tab."
        )
        details = {"max_streams": limiter.limit}
        await websocket.send_json(error_message("too_many_streams", message, details))
        await websocket.close(code=CLOSE_TRY_AGAIN, reason="too many streams")
        return
    try:
        await _serve_stream(websocket, services, identity)
    finally:
        limiter.release()


def _limiter(websocket: WebSocket, services: Services) -> StreamLimiter:
    state = websocket.app.state
    if getattr(state, "posture_streams", None) is None:
        state.posture_streams = StreamLimiter(services.settings.resolved_posture_max_streams())
    return state.posture_streams


async def _serve_stream(websocket: WebSocket, services: Services, identity: Identity) -> None:
    user_id = identity.user_id
    posture = PostureService(services.db)
    try:
        from pixelsmith.core.models import registry

        model = await run_in_threadpool(registry.get, "pose")
        # One per connection, never per frame; built in a stream thread so the graph's own
        # threads run below the event loop too (core.cpu.run_stream_work).
        tracker = await run_stream_work(model.new_tracker)
    except ApiError as exc:
        await websocket.send_json(error_message(exc.code, exc.message, exc.details))
        await websocket.close(code=CLOSE_UNAVAILABLE)
        return
    calibrations = 0
    baseline_id: str | None = None
    session_id = ""

    async def save_baseline(baseline: Baseline) -> dict:
        nonlocal calibrations, baseline_id
        record = await run_in_threadpool(posture.save_baseline, user_id, baseline)
        calibrations += 1
        baseline_id = record["id"]
        return record

    async def flush(summary: dict, final: bool) -> None:
        await run_in_threadpool(
            lambda: posture.record_session(
                user_id,
                session_id,
                summary,
                final=final,
                calibrations=calibrations,
                baseline_id=baseline_id,
            )
        )

    try:  # from here on the tracker goes back to the pool whatever happens
        session = StreamSession(
            tracker, baseline=await run_in_threadpool(posture.baseline, user_id)
        )
        session_id = await run_in_threadpool(posture.start_session, user_id)
        await websocket.send_json(
            {
                "type": "ready",
                "protocol": PROTOCOL,
                "session": session_id,
                "calibrated": session.baseline is not None,
                "baseline": session.baseline.to_dict() if session.baseline else None,
                "alert_after_s": session.machine.config.alert_after_s,
            }
        )
        await run_stream(websocket, session, StreamHooks(save_baseline, flush))
    except (WebSocketDisconnect, OSError) as exc:  # the client left before "ready"
        log.info("posture client left", extra={"reason": type(exc).__name__})
    except Exception:
        log.exception("posture stream failed")
    finally:
        with anyio.CancelScope(shield=True):  # even when the handler is being cancelled
            await run_stream_work(tracker.close)  # after any frame in flight


# ---- single photo ------------------------------------------------------------------------------


class PhotoVerdict(BaseModel):
    view: Literal["front", "side"]
    verdict: Literal["good", "warn", "bad"] | None = Field(
        description="None for a front view without a baseline"
    )
    basis: Literal["cva", "baseline", "none"]
    cva_deg: float | None = Field(description="Craniovertebral angle estimate (side view)")
    cutoffs: dict[str, float] | None = None
    citation: str | None = None
    note: str
    features: dict[str, Any]
    assessment: dict[str, Any] | None = None
    landmarks: list[list[float]]
    image: list[int]
    reasons: list[str] | None = Field(
        default=None,
        description='Side view: what made the verdict worse than good: "forward_head" (CVA), '
        '"slouch" (trunk inclination)',
    )
    facing: Literal["left", "right"] | None = Field(
        default=None, description="Side view: the way the face points in the image"
    )
    trunk_inclination_deg: float | None = Field(
        default=None,
        description="Side view with the hips in sight: hip → shoulder line against the "
        "vertical, + hunched forward, - reclined",
    )
    c7: dict[str, Any] | None = Field(
        default=None,
        description='Side view: the C7 used, x/y normalised; source "mask" (the neck\'s back '
        'contour) or "shoulder" (a fixed correction of the shoulder landmark)',
    )


@api.post(
    "/analyze",
    response_model=PhotoVerdict,
    summary="Rate one photo: side view → CVA estimate; front view → features vs your baseline",
    responses={413: {}, 422: {"description": "Not an image, or no person in it"}},
)
async def analyze(
    file: UploadFile = File(..., description="A photo of the person (JPEG, PNG or WebP)"),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> dict:
    s = services.settings
    baseline = await run_in_threadpool(posture.baseline, identity.user_id)
    try:
        return await process_upload(
            file,
            analyze_intake,
            baseline,
            **s.upload_limits(),
        )
    except NoPersonFound:
        raise ApiError(
            "No person found in the photo. Use a photo that shows the head and shoulders, "
            "ideally from the side.",
            code="no_person",
            status_code=422,
        ) from None


# ---- baseline, sessions, history -------------------------------------------------------------


@api.get("/baseline", summary="Your current calibration baseline (null when not calibrated)")
def get_baseline(
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> dict:
    return {"baseline": posture.baseline_record(identity.user_id)}


@api.delete("/baseline", summary="Forget your calibration baselines")
def delete_baseline(
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> dict:
    return {"deleted": posture.delete_baselines(identity.user_id)}


@api.get("/sessions", summary="Your recent live sessions (numbers only)")
def list_sessions(
    limit: int = Query(20, ge=1, le=500),
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> list[dict]:
    return posture.list_sessions(identity.user_id, limit)


@api.get("/sessions/{session_id}", summary="One of your live sessions")
def get_session(
    session_id: str,
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> dict:
    return posture.get_session(identity.user_id, session_id)


TzOffset = Query(0, ge=-840, le=840, description="Date.getTimezoneOffset(): UTC − local, minutes")


@api.get("/stats", summary="Time per state, alerts and sessions per day, week or month")
def stats(
    period: Literal["day", "week", "month"] = "day",
    tz: int = TzOffset,
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> dict:
    return posture.stats(identity.user_id, period, tz_offset_min=tz)


@api.get(
    "/charts/{period}.svg",
    summary="The history chart as SVG (drawn on the server)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def chart(
    request: Request,
    period: Literal["day", "week", "month"],
    tz: int = TzOffset,
    size: Literal["wide", "compact"] = Query("wide", description="compact: for a phone"),
    identity: Identity = Depends(current_identity),
    posture: PostureService = Depends(posture_service),
) -> Response:
    lang = negotiate(request).lang
    data = posture.stats(identity.user_id, period, tz_offset_min=tz)
    svg = history_svg(data, Translator(lang), lang, size)
    response = Response(svg, media_type="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return identity.apply(response)


router.include_router(api)
