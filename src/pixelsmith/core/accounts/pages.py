"""The account pages: /account/signup, /account/login and /account (who you are, change the
password, log out, delete the account). Plain HTML forms that post urlencoded bodies with the
session's `csrf_token` field (a guest's forms have none: CrossOriginMiddleware covers them),
answered with a redirect on success and the same page with a message on failure.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.errors import ApiError
from pixelsmith.core.ratelimit import enforce_rate
from pixelsmith.core.web import i18n
from pixelsmith.core.web.identity import (
    SESSION_COOKIE,
    guest_id_of,
    peek_identity,
    set_session_cookie,
)
from pixelsmith.core.web.pages import render

from . import routes
from .passwords import MAX_PASSWORD, MIN_PASSWORD, RECOMMENDED_PASSWORD
from .routes import accounts, client_ip, end_session, start_session
from .service import AccountService

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, *, status_code: int = 200, **ctx) -> HTMLResponse:
    return render(
        request,
        f"account/{template}",
        status_code=status_code,
        nav="account",
        password_rules={
            "min": MIN_PASSWORD,
            "max": MAX_PASSWORD,
            "recommended": RECOMMENDED_PASSWORD,
        },
        **ctx,
    )


def error_text(request: Request, exc: ApiError) -> str:
    """The error in the page's language: a catalog entry per code (and password reason),
    else the API's English message."""
    tr = i18n.Translator(i18n.negotiate(request).lang)
    reason = exc.details.get("reason")
    seconds = exc.details.get("retry_after_s", "")
    for key in (f"account.error.{exc.code}.{reason}", f"account.error.{exc.code}"):
        if tr.has(key):
            return tr(
                key,
                seconds=seconds,
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                recommended=RECOMMENDED_PASSWORD,
            )
    return exc.message


def _failed(request: Request, template: str, exc: ApiError, **ctx) -> HTMLResponse:
    response = _page(
        request, template, status_code=exc.status_code, error=error_text(request, exc), **ctx
    )
    for name, value in exc.headers.items():
        response.headers[name] = value
    return response


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def _signed_in(request: Request) -> bool:
    identity = peek_identity(request)
    return identity is not None and not identity.is_guest


@router.get("/account/signup", response_class=HTMLResponse)
def signup_page(request: Request) -> Response:
    if _signed_in(request):
        return _redirect("/account")
    return _page(request, "signup.html")


@router.post("/account/signup", response_class=HTMLResponse)
async def signup_form(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    password_confirm: str = Form("", max_length=1000),
    svc: AccountService = Depends(accounts),
) -> Response:
    if password != password_confirm:
        err = ApiError("The two passwords differ.", code="password_mismatch")
        return _failed(request, "signup.html", err, username=username)

    def work():  # noqa: ANN202
        enforce_rate(
            "signup",
            client_ip(request),
            limit=routes.SIGNUPS_PER_IP,
            window_s=routes.SIGNUP_WINDOW_S,
        )
        info = svc.signup(username, password, guest_id=guest_id_of(request))
        svc.logout(request.cookies.get(SESSION_COOKIE))
        return info

    try:
        info = await run_in_threadpool(work)
    except ApiError as exc:
        return _failed(request, "signup.html", exc, username=username)
    response = _redirect("/account?welcome=1")
    start_session(response, request, info)
    return response


@router.get("/account/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    if _signed_in(request):
        return _redirect("/account")
    return _page(request, "login.html")


@router.post("/account/login", response_class=HTMLResponse)
async def login_form(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    svc: AccountService = Depends(accounts),
) -> Response:
    try:
        info = await run_in_threadpool(
            svc.login,
            username,
            password,
            ip=client_ip(request),
            guest_id=guest_id_of(request),
            old_token=request.cookies.get(SESSION_COOKIE),
        )
    except ApiError as exc:
        return _failed(request, "login.html", exc, username=username)
    response = _redirect("/account")
    start_session(response, request, info)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    if not _signed_in(request):
        return _redirect("/account/login")
    done = request.query_params.get("done")
    welcome = "welcome" in request.query_params
    return _page(request, "index.html", notice="welcome" if welcome else done)


@router.post("/account/logout")
def logout_form(request: Request, svc: AccountService = Depends(accounts)) -> Response:
    svc.logout(request.cookies.get(SESSION_COOKIE))
    response = _redirect("/account/login?logged_out=1")
    end_session(response, request)
    return response


@router.post("/account/password", response_class=HTMLResponse)
def password_form(
    request: Request,
    current_password: str = Form("", max_length=1000),
    new_password: str = Form("", max_length=1000),
    new_password_confirm: str = Form("", max_length=1000),
    svc: AccountService = Depends(accounts),
) -> Response:
    if not _signed_in(request):
        return _redirect("/account/login")
    try:
        if new_password != new_password_confirm:
            raise ApiError("The two passwords differ.", code="password_mismatch")
        info = svc.change_password(
            request.cookies[SESSION_COOKIE], current_password, new_password, ip=client_ip(request)
        )
    except ApiError as exc:
        return _failed(request, "index.html", exc, failed_form="password")
    response = _redirect("/account?done=password")
    set_session_cookie(response, info.token or "", secure=request.url.scheme == "https")
    return response


@router.post("/account/delete", response_class=HTMLResponse)
def delete_form(
    request: Request,
    password: str = Form("", max_length=1000),
    confirm: str = Form(""),
    svc: AccountService = Depends(accounts),
) -> Response:
    if not _signed_in(request):
        return _redirect("/account/login")
    try:
        if confirm != "yes":
            raise ApiError("Tick the box to confirm.", code="confirm_required")
        svc.delete_account(request.cookies[SESSION_COOKIE], password, ip=client_ip(request))
    except ApiError as exc:
        return _failed(request, "index.html", exc, failed_form="delete")
    response = _redirect("/account/signup?deleted=1")
    end_session(response, request)
    return response
