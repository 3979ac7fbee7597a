"""Who is asking: an account (server-side session) or a guest (a random id in a cookie).

Accounts: the `pixelsmith_session` cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) holds a
random token; the database keeps its hash (core.accounts.service). A valid session makes the
account's id the caller's `user_id`, with its username, role and CSRF token.

Guests: without a session, "per user" data is keyed by a random 128-bit id in the
``pixelsmith_uid`` cookie (HttpOnly, SameSite=Lax, one year), set on the first visit by the
`current_identity` dependency. The id is a bearer secret: whoever holds the cookie sees that
id's data, and nobody can list or guess other ids. An id that has become an account's (sign-up
claims the guest's id) no longer works as a guest id. A WebSocket handshake reads the same
cookies (`websocket_identity`); one without either gets a fresh guest id, sent back as a
Set-Cookie header on the handshake response. Both cookies are `Secure` when the request came
over HTTPS (behind a TLS proxy, uvicorn's proxy headers make the scheme https: see
docs/deployment.md).

An account's id is a 32-hex string like a guest id, so the apps' `user_id` columns hold
either, and apps that depend on `current_identity` do not change.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request, Response, WebSocket
from starlette.requests import HTTPConnection

from pixelsmith.core.errors import ApiError

if TYPE_CHECKING:
    from pixelsmith.core.accounts.service import AccountService, SessionInfo

COOKIE_NAME = "pixelsmith_uid"
COOKIE_MAX_AGE = 365 * 24 * 3600
SESSION_COOKIE = "pixelsmith_session"
SESSION_COOKIE_MAX_AGE = 30 * 24 * 3600  # the session's absolute lifetime
# Where the CSRF middleware leaves the session it looked up (request.state), so the
# dependency does not look it up again. A missing key means "not looked up yet".
SESSION_STATE_KEY = "pixelsmith_auth_session"
_UID_RE = re.compile(r"^[0-9a-f]{32}$")


def new_user_id() -> str:
    return secrets.token_hex(16)


def is_valid_user_id(value: str | None) -> bool:
    return bool(value) and _UID_RE.fullmatch(value) is not None  # type: ignore[arg-type]


@dataclass(frozen=True)
class Identity:
    user_id: str
    new: bool  # a guest id minted on this request: the response must set the cookie
    secure: bool = False  # the request came over https (or wss): the cookie gets Secure
    username: str | None = None
    role: str = "guest"  # "guest" | "user" | "admin"
    csrf_token: str | None = None  # the session's; a guest has none

    @property
    def is_guest(self) -> bool:
        return self.role == "guest"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def apply(self, response: Response) -> Response:
        """Set the guest cookie on `response` when the id is new (pages that return a
        Response)."""
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
    """A guest identity from the guest cookie's value (a fresh one if it is not an id)."""
    if is_valid_user_id(cookie_value):
        return Identity(cookie_value, new=False, secure=secure)  # type: ignore[arg-type]
    return Identity(new_user_id(), new=True, secure=secure)


# ---- sessions ------------------------------------------------------------------------------


def account_service(conn: HTTPConnection) -> AccountService | None:
    """The accounts service of this app (None in an app built without Services)."""
    from pixelsmith.core.accounts.service import AccountService

    services = getattr(conn.app.state, "services", None)
    if services is None:
        return None
    return AccountService(services.db, services.storage, services.jobs)


def session_of(conn: HTTPConnection) -> SessionInfo | None:
    """The live session named by the request's session cookie, looked up once per request."""
    state: dict[str, Any] = conn.scope.setdefault("state", {})
    if SESSION_STATE_KEY not in state:
        token = conn.cookies.get(SESSION_COOKIE)
        accounts = account_service(conn) if token else None
        state[SESSION_STATE_KEY] = accounts.lookup(token) if accounts else None
    return state[SESSION_STATE_KEY]


def guest_id_of(conn: HTTPConnection) -> str | None:
    """The request's guest id when it is well formed and not an account's id."""
    value = conn.cookies.get(COOKIE_NAME)
    if not is_valid_user_id(value):
        return None
    accounts = account_service(conn)
    if accounts is not None and accounts.is_account_id(value):  # type: ignore[arg-type]
        return None
    return value


def _resolve(conn: HTTPConnection, *, secure: bool, mint: bool) -> Identity | None:
    info = session_of(conn)
    if info is not None:
        return Identity(
            info.user_id,
            new=False,
            secure=secure,
            username=info.username,
            role=info.role,
            csrf_token=info.csrf_token,
        )
    guest = guest_id_of(conn)
    if guest is not None:
        return Identity(guest, new=False, secure=secure)
    return Identity(new_user_id(), new=True, secure=secure) if mint else None


def current_identity(request: Request, response: Response) -> Identity:
    """Dependency: the caller's identity; a new guest id is set as a cookie on the response.

    Routes that return their own Response object (pages) call `identity.apply(response)`.
    """
    cached = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    identity = _resolve(request, secure=request.url.scheme == "https", mint=True)
    assert identity is not None
    identity.apply(response)
    request.state.identity = identity
    return identity


def peek_identity(request: Request) -> Identity | None:
    """The caller's identity if they have one, without minting a guest id (pages' header,
    blob reads)."""
    cached = getattr(request.state, "identity", None)
    if cached is not None:
        return cached
    return _resolve(request, secure=request.url.scheme == "https", mint=False)


def current_user_id(request: Request, response: Response) -> str:
    return current_identity(request, response).user_id


def require_account(identity: Identity = Depends(current_identity)) -> Identity:
    """Dependency: the signed-in caller, or 401 `login_required` for a guest."""
    if identity.is_guest:
        raise ApiError(
            "Log in first: this needs an account (sign up at /account/signup).",
            code="login_required",
            status_code=401,
        )
    return identity


def require_admin(identity: Identity = Depends(require_account)) -> Identity:
    """Dependency: a signed-in admin; 401 for a guest, 403 `admin_required` for a user."""
    if not identity.is_admin:
        raise ApiError("Only an administrator can do this.", code="admin_required", status_code=403)
    return identity


def websocket_identity(websocket: WebSocket) -> Identity:
    """The identity of a WebSocket handshake; accept with `headers=[identity.set_cookie_header()]`
    when `identity.new`."""
    identity = _resolve(websocket, secure=websocket.url.scheme == "wss", mint=True)
    assert identity is not None
    return identity


# ---- cookies -------------------------------------------------------------------------------


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def clear_guest_cookie(response: Response, *, secure: bool) -> None:
    """The guest id was claimed by an account: a later guest starts afresh."""
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=secure)


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
