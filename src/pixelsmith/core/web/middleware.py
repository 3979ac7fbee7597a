"""Pure-ASGI middleware: request id + access log + HTTP metrics, the request body limit and
read timeout, the Host and cross-origin checks, and the security headers.

Order, outermost first (see create_app): security headers → request log → Host check →
cross-origin check → body limit → CSRF (web/csrf.py) → the app.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import time
import uuid
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixelsmith.core.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("pixelsmith.http")

# Where SecurityHeadersMiddleware leaves this request's CSP nonce for the page templates.
CSP_NONCE_KEY = "pixelsmith.csp_nonce"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


def error_json(code: str, message: str, details: dict | None = None) -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": message, "details": details or {}}}
    ).encode()


async def send_json_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    details: dict | None = None,
    *,
    close: bool = False,
) -> None:
    """A complete JSON error response from middleware (no app behind it)."""
    body = error_json(code, message, details)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))  # uvicorn then closes after the response
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def refuse_websocket(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str, details: dict
) -> None:
    """Refuse a WebSocket handshake before accepting it: an HTTP error with a JSON body where
    the server supports that (uvicorn does), else a close with 1008 (policy violation)."""
    if (await receive())["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        body = error_json(code, message, details)
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})


class _BodyRefused(Exception):
    pass


class _BodyTooLarge(_BodyRefused):
    pass


class _BodyTimeout(_BodyRefused):
    pass


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413 before they are spooled to disk, and
    bodies that stall for `read_timeout_s` between two pieces with 408; both close the
    connection.

    Starlette's multipart parser reads the whole body first, so the per-file limit in
    core.images alone would still let a huge body fill the disk. The timeout is per read, like
    a reverse proxy's client body timeout: a slow but moving upload of a big photo is fine, a
    client that declares 100 kB and sends 10 no longer holds a connection (and a worker's
    temp file) forever.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_s: float = 15.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send, _BodyTooLarge())
            return
        seen = 0
        body_done = False
        refused: _BodyRefused | None = None
        response_started = False

        async def guarded_receive() -> Message:
            nonlocal seen, body_done, refused
            if refused is not None:
                raise refused
            if body_done:  # later reads wait for the disconnect: no timeout there
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout_s)
            except TimeoutError:
                refused = _BodyTimeout()
                raise refused from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = _BodyTooLarge()
                    raise refused
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            # Whatever the app answers after we refused the body is dropped: FastAPI turns any
            # exception while parsing a body into a 400, which used to hide the 413.
            if refused is not None:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if refused is None:
                raise
        if refused is not None and not response_started:
            await self._reject(send, refused)

    async def _reject(self, send: Send, reason: _BodyRefused) -> None:
        if isinstance(reason, _BodyTimeout):
            seconds = f"{self.read_timeout_s:g}"
            await send_json_error(
                send,
                408,
                "request_timeout",
                f"The request body stopped arriving (nothing for {seconds} s). Check the "
                "connection and send the request again.",
                {"timeout_s": self.read_timeout_s},
                close=True,
            )
            return
        await send_json_error(
            send,
            413,
            "payload_too_large",
            f"The request body is larger than {self.max_bytes // (1024 * 1024)} MB. Send a "
            "smaller file (the web app downsizes photos before upload).",
            {"max_bytes": self.max_bytes},
            close=True,
        )


# ---- Host and Origin ---------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def split_host(value: str) -> tuple[str, int | None] | None:
    """ "Example.com:8000" → ("example.com", 8000); "[::1]" → ("::1", None); None if malformed."""
    try:
        parts = urlsplit("//" + value.strip())
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not hostname or parts.path or parts.query or parts.username is not None:
        return None
    return hostname.rstrip("."), port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _origin(scheme: str, hostname: str, port: int | None) -> str:
    default = {"http": 80, "https": 443}[scheme]
    host = f"[{hostname}]" if ":" in hostname else hostname
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def normalize_origin(value: str) -> str | None:
    """ "HTTP://Example.com:80" → "http://example.com"; None for "null" or anything malformed."""
    try:
        parts = urlsplit(value.strip())
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not hostname:
        return None
    return _origin(scheme, hostname.rstrip("."), port)


def own_origin(scope: Scope) -> str | None:
    """This server's origin as the client addressed it: the scheme plus the Host header."""
    host = split_host(_header(scope, b"host") or "")
    if host is None:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme"))
    if scheme not in ("http", "https"):
        return None
    return _origin(scheme, *host)


class TrustedHostMiddleware:
    """Answers 400 `invalid_host` to a Host header that names this server by a foreign name.

    That is what DNS rebinding looks like: a page on evil.example re-points its own name at
    127.0.0.1, and the browser then treats this server as evil.example's origin. Accepted:
    `allowed` names ("*" = any, ".example.com" = it and its subdomains), the bind host, any IP
    address (a page cannot rebind an address, only a name), and the server's own listening
    address from the ASGI scope. For a socket server that last one is an IP (the remote side
    cannot choose it); for an in-process client such as Starlette's TestClient it is the name
    the client uses ("testserver"), which no network request can produce.
    """

    def __init__(self, app: ASGIApp, allowed: list[str], bind_host: str = "") -> None:
        self.app = app
        self.any = "*" in allowed
        names = {name.lower().rstrip(".") for name in allowed if name != "*"}
        self.suffixes = tuple(name for name in names if name.startswith("."))
        self.names = names | {name[1:] for name in self.suffixes}
        if bind_host and bind_host not in ("0.0.0.0", "::"):
            self.names.add(bind_host.lower().strip("[]"))

    def allows(self, scope: Scope) -> bool:
        if self.any:
            return True
        host = split_host(_header(scope, b"host") or "")
        if host is None:
            return False
        name = host[0]
        server = scope.get("server") or (None,)
        if name in self.names or name.endswith(self.suffixes) or _is_ip(name):
            return True
        return isinstance(server[0], str) and name == server[0].lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.allows(scope):
            await self.app(scope, receive, send)
            return
        shown = (_header(scope, b"host") or "")[:100]
        message = (
            f"This server does not answer to the host name {shown!r}. Open it by its address "
            "(e.g. http://127.0.0.1:8000), or add the name to PIXELSMITH_ALLOWED_HOSTS."
        )
        if scope["type"] == "websocket":
            await refuse_websocket(
                scope, receive, send, 400, "invalid_host", message, {"host": shown}
            )
            return
        await send_json_error(send, 400, "invalid_host", message, {"host": shown})


class CrossOriginMiddleware:
    """Refuses changes and WebSockets that another site's page starts (403 `cross_origin`).

    A multipart POST is a "simple" CORS request: without this, any page the user visits could
    submit jobs to their local server, and the WebSockets accept any Origin. Checked: POST,
    PUT, PATCH, DELETE and every WebSocket handshake. Their Origin must be this server's own
    (scheme + Host) or one of `allowed`; without an Origin, Sec-Fetch-Site must say
    same-origin or none (typed by the user). Neither header (curl, the CLI, Python clients):
    allowed, since no browser page can send such a request.
    """

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.any = "*" in allowed
        self.allowed = {o for o in (normalize_origin(a) for a in allowed if a != "*") if o}

    def refusal(self, scope: Scope) -> str | None:
        """Why this request is refused (the foreign origin), or None to let it through."""
        if self.any:
            return None
        if scope["type"] == "http" and scope["method"] not in UNSAFE_METHODS:
            return None
        origin = _header(scope, b"origin")
        if origin is None:
            site = (_header(scope, b"sec-fetch-site") or "none").lower()
            return None if site in ("same-origin", "none") else f"a {site} page"
        normalized = normalize_origin(origin)
        if normalized is not None and (
            normalized == own_origin(scope) or normalized in self.allowed
        ):
            return None
        return origin[:200]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        origin = self.refusal(scope)
        if origin is None:
            await self.app(scope, receive, send)
            return
        message = (
            f"This request came from another site ({origin}), so it was refused: pixelsmith only "
            "takes changes from its own pages. To allow that site, add its origin to "
            "PIXELSMITH_ALLOWED_ORIGINS."
        )
        details = {"origin": origin}
        log.info("cross-origin request refused", extra={"path": scope["path"], **details})
        if scope["type"] == "websocket":
            await refuse_websocket(scope, receive, send, 403, "cross_origin", message, details)
            return
        await send_json_error(send, 403, "cross_origin", message, details)


# ---- Security headers --------------------------------------------------------------------------


def content_security_policy(nonce: str) -> str:
    """What the pages use, and nothing more: own scripts (inline ones only with this request's
    nonce), own styles (style="" attributes allowed: the templates and JS set sizes that way),
    own, data: and blob: images (previews), blob: media, same-origin fetch and WebSockets
    ('self' covers ws: and wss: to this host), and no framing."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, Referrer-Policy and X-Frame-Options to every HTTP response, and
    leaves a fresh CSP nonce in the scope for the templates (`csp_nonce`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope[CSP_NONCE_KEY] = nonce
        extra = [
            (b"content-security-policy", content_security_policy(nonce).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((name, value) for name, value in extra if name not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
