"""Request id, access log and HTTP metrics as one pure-ASGI middleware (works for WebSockets too)."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixelsmith.core.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("pixelsmith.http")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            # Label by route template, not raw path, so ids don't explode metric cardinality.
            route_label = getattr(route, "path", None) or "unmatched"
            HTTP_REQUESTS.labels(scope["method"], route_label, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route_label).observe(elapsed)
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                },
            )
