"""Operations endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pixelsmith import __version__
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict:
    # async: answered on the event loop itself, not after a wait for a threadpool thread and
    # the GIL, so a busy server still says at once that it is alive.
    return {"status": "ok", "version": __version__}


@router.get("/readyz", summary="Readiness: database, storage and workers usable")
def readyz(services: Services = Depends(get_services)) -> JSONResponse:
    checks: dict[str, str] = {}
    for name, probe in (
        ("database", services.db.ping),
        ("storage", services.storage.check),
    ):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # readiness reports, it never raises
            checks[name] = f"error: {type(exc).__name__}: {exc}"[:300]
    checks["executor"] = services.executor.name
    ok = all(v == "ok" for k, v in checks.items() if k != "executor")
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks},
        status_code=200 if ok else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
