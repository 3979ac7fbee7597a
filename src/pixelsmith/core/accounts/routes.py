"""The accounts API: /api/v1/auth (sign-up, login, logout, me, password, account deletion).

Sign-up and login answer with the user and the session's `csrf_token`; the session itself
travels only in the HttpOnly cookie. Every unsafe request made with that cookie must send the
token back in `X-CSRF-Token` (core.web.csrf).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.errors import ApiError
from pixelsmith.core.ratelimit import enforce_rate
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.identity import (
    SESSION_COOKIE,
    clear_guest_cookie,
    clear_session_cookie,
    guest_id_of,
    peek_identity,
    session_of,
    set_session_cookie,
)

from .passwords import MAX_PASSWORD, MIN_PASSWORD, RECOMMENDED_PASSWORD
from .service import AccountService, SessionInfo

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])

SIGNUPS_PER_IP, SIGNUP_WINDOW_S = 10, 3600.0
_PASSWORD_HELP = (
    f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, any characters; {RECOMMENDED_PASSWORD}+ "
    "recommended. Common passwords and the username are refused."
)


class Credentials(BaseModel):
    username: str = Field(..., max_length=200, description="3-32 letters, digits, _ - .")
    password: str = Field(..., max_length=1000, description=_PASSWORD_HELP)


class PasswordChange(BaseModel):
    current_password: str = Field(..., max_length=1000)
    new_password: str = Field(..., max_length=1000, description=_PASSWORD_HELP)


class PasswordConfirm(BaseModel):
    password: str = Field(..., max_length=1000)


class UserOut(BaseModel):
    id: str
    username: str
    role: str


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str


class MeOut(BaseModel):
    authenticated: bool
    role: str
    user: UserOut | None
    csrf_token: str | None


def accounts(services: Services = Depends(get_services)) -> AccountService:
    return AccountService(services.db, services.storage, services.jobs)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def session_answer(info: SessionInfo) -> dict:
    return {
        "user": {"id": info.user_id, "username": info.username, "role": info.role},
        "csrf_token": info.csrf_token,
    }


def start_session(response: Response, request: Request, info: SessionInfo) -> None:
    """The new session's cookie; the guest cookie goes (its data now is the account's)."""
    set_session_cookie(response, info.token or "", secure=is_https(request))
    clear_guest_cookie(response, secure=is_https(request))


def end_session(response: Response, request: Request) -> None:
    clear_session_cookie(response, secure=is_https(request))
    clear_guest_cookie(response, secure=is_https(request))


@router.post("/signup", status_code=201, response_model=SessionOut, summary="Create an account")
async def signup(
    body: Credentials,
    request: Request,
    response: Response,
    svc: AccountService = Depends(accounts),
) -> dict:
    """Creates the account and logs it in. A guest's data (the `pixelsmith_uid` cookie) becomes
    the account's."""

    def work() -> SessionInfo:
        enforce_rate("signup", client_ip(request), limit=SIGNUPS_PER_IP, window_s=SIGNUP_WINDOW_S)
        info = svc.signup(body.username, body.password, guest_id=guest_id_of(request))
        svc.logout(request.cookies.get(SESSION_COOKIE))  # a previous session ends here
        return info

    info = await run_in_threadpool(work)
    start_session(response, request, info)
    return session_answer(info)


@router.post(
    "/login",
    response_model=SessionOut,
    summary="Log in",
    responses={401: {"description": "Wrong username or password"}, 429: {"description": "Locked"}},
)
async def login(
    body: Credentials,
    request: Request,
    response: Response,
    svc: AccountService = Depends(accounts),
) -> dict:
    """A new session (the session id rotates); a guest's data moves into the account. After
    5 failures for an account (20 for an address) in 15 minutes, 429 with Retry-After."""
    info = await run_in_threadpool(
        svc.login,
        body.username,
        body.password,
        ip=client_ip(request),
        guest_id=guest_id_of(request),
        old_token=request.cookies.get(SESSION_COOKIE),
    )
    start_session(response, request, info)
    return session_answer(info)


@router.post("/logout", summary="Log out (ends the session)")
async def logout(
    request: Request, response: Response, svc: AccountService = Depends(accounts)
) -> dict:
    await run_in_threadpool(svc.logout, request.cookies.get(SESSION_COOKIE))
    end_session(response, request)
    return {"logged_out": True}


@router.get("/me", response_model=MeOut, summary="Who is asking")
def me(request: Request) -> dict:
    identity = peek_identity(request)
    if identity is None or identity.is_guest:
        return {"authenticated": False, "role": "guest", "user": None, "csrf_token": None}
    return {
        "authenticated": True,
        "role": identity.role,
        "user": {"id": identity.user_id, "username": identity.username, "role": identity.role},
        "csrf_token": identity.csrf_token,
    }


def _token(request: Request) -> str:
    if session_of(request) is None:
        raise ApiError(
            "Log in first: this needs an account.", code="login_required", status_code=401
        )
    return request.cookies[SESSION_COOKIE]


@router.post("/password", response_model=SessionOut, summary="Change the password")
def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    svc: AccountService = Depends(accounts),
) -> dict:
    """Every other session of the account ends; this one continues under a new id."""
    info = svc.change_password(
        _token(request), body.current_password, body.new_password, ip=client_ip(request)
    )
    set_session_cookie(response, info.token or "", secure=is_https(request))
    return session_answer(info)


@router.delete("/account", summary="Delete the account and all its data")
def delete_account(
    body: PasswordConfirm,
    request: Request,
    response: Response,
    svc: AccountService = Depends(accounts),
) -> dict:
    """Needs the password again. Deletes the account's data in every app, its blobs, its
    sessions and the account."""
    removed = svc.delete_account(_token(request), body.password, ip=client_ip(request))
    end_session(response, request)
    return {"deleted": True, "blobs_removed": removed}
