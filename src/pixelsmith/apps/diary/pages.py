"""Toon Diary's pages: /diary (Hot Toons + the Lounge), the write/edit form, a post, my posts
and the admin queue.

The pages are rendered on the server from the same DiaryService the API uses, so every rule of
who may see what (service.py) holds here too, and Jinja's autoescape escapes every text a user
wrote. The page's script (static/diary.js) does the rest through /api/v1/diary: load more,
saving, the picture's job, comments, reports, the owner's and the admin's actions.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pixelsmith.core.errors import NotFound
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.identity import Identity, peek_identity
from pixelsmith.core.web.pages import render

from . import APP
from .service import DiaryService, Viewer

router = APIRouter(include_in_schema=False)
CLIENT = ("apps.diary.",)
LOUNGE_PAGE = 12


def _who(request: Request) -> tuple[Identity | None, Viewer]:
    identity = peek_identity(request)
    if identity is None:
        return None, Viewer(None)
    return identity, Viewer(identity.user_id, identity.is_admin)


def _page(request: Request, template: str, identity: Identity | None, **ctx) -> HTMLResponse:
    account = identity is not None and not identity.is_guest
    return render(
        request,
        template,
        app=APP,
        nav="diary",
        client_prefixes=CLIENT,
        account=account,
        is_admin=bool(identity and identity.is_admin),
        **ctx,
    )


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "404.html", status_code=404, nav="", path=request.url.path[:80])


@router.get("/diary", response_class=HTMLResponse)
def index(request: Request, services: Services = Depends(get_services)) -> HTMLResponse:
    identity, viewer = _who(request)
    diary = DiaryService(services)
    return _page(
        request,
        "diary/index.html",
        identity,
        hot=diary.hot_toons(viewer),
        lounge=diary.lounge(viewer, limit=LOUNGE_PAGE),
        page_size=LOUNGE_PAGE,
    )


@router.get("/diary/write", response_class=HTMLResponse)
def write(request: Request) -> HTMLResponse:
    identity, _ = _who(request)
    return _page(request, "diary/write.html", identity, post=None, **_choices())


@router.get("/diary/me", response_class=HTMLResponse)
def mine(request: Request, services: Services = Depends(get_services)) -> HTMLResponse:
    identity, _ = _who(request)
    posts = None
    if identity is not None and not identity.is_guest:
        posts = DiaryService(services).my_posts(identity.user_id, limit=100)
    return _page(request, "diary/me.html", identity, posts=posts)


@router.get("/diary/admin", response_class=HTMLResponse)
def admin(request: Request, services: Services = Depends(get_services)) -> HTMLResponse:
    identity, _ = _who(request)
    queue = DiaryService(services).admin_queue() if identity and identity.is_admin else None
    return _page(
        request, "diary/admin.html", identity, queue=queue, status_code=200 if queue else 403
    )


@router.get("/diary/posts/{post_id}", response_class=HTMLResponse)
def post_page(
    post_id: str, request: Request, services: Services = Depends(get_services)
) -> HTMLResponse:
    identity, viewer = _who(request)
    diary = DiaryService(services)
    try:
        post = diary.get_post(viewer, post_id)
        comments = diary.comments(viewer, post_id, limit=100)
        recommended = diary.recommended(viewer, post_id, k=4)
    except NotFound:
        return _not_found(request)
    return _page(
        request,
        "diary/post.html",
        identity,
        post=post,
        comments=comments,
        recommended=recommended,
    )


@router.get("/diary/posts/{post_id}/edit", response_class=HTMLResponse)
def edit(
    post_id: str, request: Request, services: Services = Depends(get_services)
) -> HTMLResponse:
    identity, viewer = _who(request)
    try:
        post = DiaryService(services).get_post(viewer, post_id)
    except NotFound:
        return _not_found(request)
    if not post["mine"]:
        return _not_found(request)
    return _page(request, "diary/write.html", identity, post=post, **_choices())


def _choices() -> dict:
    return {"moods": DiaryService.moods(), "styles": DiaryService.styles()}
