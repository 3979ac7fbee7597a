"""CSRF protection for requests authenticated by the session cookie (synchronizer token).

A POST, PUT, PATCH or DELETE that carries a live session cookie must also carry that
session's CSRF token: in the `X-CSRF-Token` header (the pages' fetch calls: static/js/csrf.js)
or, for an HTML form, in a `csrf_token` field of a urlencoded body. Missing or wrong: 403
`csrf_failed`. The token is in the answers of sign-up, login and /auth/me and in the pages'
`<meta name="csrf-token">`.

A guest (no session) has no token to send; their unsafe requests are covered by
CrossOriginMiddleware, which refuses another site's Origin (or Sec-Fetch-Site: cross-site).
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

import anyio
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixelsmith.core.web.identity import SESSION_COOKIE, session_of
from pixelsmith.core.web.middleware import UNSAFE_METHODS, _header, send_json_error

HEADER = b"x-csrf-token"
FORM_FIELD = "csrf_token"
_FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024  # the account forms are tiny; a bigger urlencoded body has no token


class CSRFMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if SESSION_COOKIE not in conn.cookies:
            await self.app(scope, receive, send)
            return
        info = await anyio.to_thread.run_sync(session_of, conn)
        if info is None:  # a stale cookie: the request is a guest's
            await self.app(scope, receive, send)
            return
        sent = _header(scope, HEADER)
        replay: list[Message] = []
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if sent is None and content_type == _FORM_TYPE:
            body, replay = await _read_body(receive)
            if body is not None:
                sent = (parse_qs(body.decode("latin-1")).get(FORM_FIELD) or [None])[0]
        if sent is None or not hmac.compare_digest(sent.encode(), info.csrf_token.encode()):
            await send_json_error(
                send,
                403,
                "csrf_failed",
                "This request lacks the page's security token (CSRF), so it was refused. Reload "
                "the page and try again.",
                {"header": "X-CSRF-Token", "field": FORM_FIELD},
            )
            return

        async def replayed() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed, send)


async def _read_body(receive: Receive) -> tuple[bytes | None, list[Message]]:
    """The whole body (None past MAX_FORM_BYTES) and the messages to hand on to the app."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        size += len(message.get("body", b""))
        if size > MAX_FORM_BYTES:
            return None, messages
        if not message.get("more_body", False):
            return b"".join(m.get("body", b"") for m in messages), messages
