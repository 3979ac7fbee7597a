"""Who is asking: an anonymous, random user id kept in a cookie.

STAND-IN: there are no accounts yet. Until the accounts issue replaces this module with
server-side sessions, "per user" data (posture baselines and history) is keyed by a random
128-bit id in the ``pixelsmith_uid`` cookie (HttpOnly, SameSite=Lax, one year), set on the
first visit by the `current_identity` dependency. The id is a bearer secret: whoever holds the
cookie sees that id's data, and nobody can list or guess other ids. A WebSocket handshake reads
the same cookie (`websocket_identity`); one without it gets a fresh id, sent back as a
Set-Cookie header on the handshake response. The cookie is also `Secure` when the request came
over HTTPS (behind a TLS proxy, uvicorn's proxy headers make the scheme https: see
docs/deployment.md), so it never travels over plain HTTP once the site is served over TLS.

When accounts arrive, `current_identity` keeps its signature and returns the logged-in user's
id instead, so the apps that depend on it do not change.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie

from fastapi import Request, Response, WebSocket

COOKIE_NAME = "pixelsmith_uid"
COOKIE_MAX_AGE = 365 * 24 * 3600
_UID_RE = re.compile(r"^[0-9a-f]{32}$")


def new_user_id() -> str:
    return secrets.token_hex(16)


def is_valid_user_id(value: str | None) -> bool:
    return bool(value) and _UID_RE.fullmatch(value) is not None  # type: ignore[arg-type]


@dataclass(frozen=True)
class Identity:
    user_id: str
    new: bool  # minted on this request: the response must set the cookie
    secure: bool = False  # the request came over https (or wss): the cookie gets Secure

    def apply(self, response: Response) -> Response:
        """Set the cookie on `response` when the id is new (pages that return a Response)."""
        if self.new:
            response.set_cookie(
                COOKIE_NAME,
                self.user_id,
                max_age=COOKIE_MAX_AGE,
                path="/",
                httponly=True,
                samesite="lax",
                secure=self.secure,
            )
        return response

    def set_cookie_header(self) -> tuple[bytes, bytes]:
        cookie = SimpleCookie()
        cookie[COOKIE_NAME] = self.user_id
        morsel = cookie[COOKIE_NAME]
        morsel["max-age"] = COOKIE_MAX_AGE
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if self.secure:
            morsel["secure"] = True
        return b"set-cookie", morsel.OutputString().encode("latin-1")


def identify(cookie_value: str | None, *, secure: bool = False) -> Identity:
    if is_valid_user_id(cookie_value):
        return Identity(cookie_value, new=False, secure=secure)  # type: ignore[arg-type]
    return Identity(new_user_id(), new=True, secure=secure)


def current_identity(request: Request, response: Response) -> Identity:
    """Dependency: the caller's identity; a new id is set as a cookie on the response.

    Routes that return their own Response object (pages) call `identity.apply(response)`.
    """
    cached = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    identity = identify(request.cookies.get(COOKIE_NAME), secure=request.url.scheme == "https")
    identity.apply(response)
    request.state.identity = identity
    return identity


def current_user_id(request: Request, response: Response) -> str:
    return current_identity(request, response).user_id


def websocket_identity(websocket: WebSocket) -> Identity:
    """The identity of a WebSocket handshake; accept with `headers=[identity.set_cookie_header()]`
    when `identity.new`."""
    return identify(websocket.cookies.get(COOKIE_NAME), secure=websocket.url.scheme == "wss")
