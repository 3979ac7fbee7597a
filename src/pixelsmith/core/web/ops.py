"""Operations endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pixelsmith import __version__
from pixelsmith.core.jobs import stats
from pixelsmith.core.metrics import (
    BROKER_QUEUE_DEPTH,
    JOBS_QUEUED,
    JOBS_RUNNING,
    LEASES_EXPIRED,
)
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict:
    # async: answered on the event loop itself, not after a wait for a threadpool thread and
    # the GIL, so a busy server still says at once that it is alive.
    return {"status": "ok", "version": __version__}


BROKER_TIMEOUT_S = 2.0


def broker_probe(services: Services) -> Callable[[], None] | None:
    """How to reach the broker, when the executor has one (celery); None otherwise."""
    if services.executor.name != "celery":
        return None
    own = getattr(services.executor, "check_broker", None)
    if callable(own):
        return own
    url = services.settings.broker_url

    def probe() -> None:
        from kombu import Connection

        with Connection(url, connect_timeout=BROKER_TIMEOUT_S) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)

    return probe


@router.get("/readyz", summary="Readiness: database, storage, broker and workers usable")
def readyz(services: Services = Depends(get_services)) -> JSONResponse:
    checks: dict[str, str] = {}
    probes: list[tuple[str, Callable[[], None]]] = [
        ("database", services.db.ping),
        ("storage", services.storage.check),
    ]
    if (broker := broker_probe(services)) is not None:
        probes.append(("broker", broker))
    for name, probe in probes:
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
def metrics(services: Services = Depends(get_services)) -> Response:
    _refresh_job_gauges(services)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _refresh_job_gauges(services: Services) -> None:
    """Queue depth per queue, jobs per worker and expired leases, as the job table has them.
    A database outage leaves the last values (readyz reports the outage)."""
    try:
        depths = stats.queue_depths(services.db)
        running = stats.running_by_worker(services.db)
        expired = stats.expired_leases(services.db)
    except Exception:  # noqa: BLE001 (a scrape never fails on the database)
        return
    JOBS_QUEUED.clear()
    for queue in sorted({"cpu", "gpu", *depths}):
        JOBS_QUEUED.labels(queue=queue).set(depths.get(queue, 0))
    JOBS_RUNNING.clear()  # workers that stopped drop out of the scrape
    for worker, n in running.items():
        JOBS_RUNNING.labels(worker=worker).set(n)
    LEASES_EXPIRED.set(expired)
    broker_depths = getattr(services.executor, "queue_depths", None)
    if callable(broker_depths):  # celery: what the broker holds (cached for a second)
        for queue, n in broker_depths().items():
            BROKER_QUEUE_DEPTH.labels(queue=queue).set(n)
