"""Toon Diary: the /diary page and the /api/v1/diary routes (docs/api.md, "Toon Diary").

Writing needs an account (`require_account`: 401 `login_required` for guests); reading the
Lounge, a public post, its comments and its recommendations works for guests too. The admin
routes need `require_admin`. Posting, commenting and pictures are rate-limited per user
(settings diary_*_per_hour; 429 + Retry-After). Who may see what is the service's rule
(service.py): anything a caller may not see is a 404.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pixelsmith.core.cpu import run_isolated
from pixelsmith.core.errors import ApiError
from pixelsmith.core.images import read_upload_bytes
from pixelsmith.core.ratelimit import enforce_rate
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.identity import (
    Identity,
    current_identity,
    require_account,
    require_admin,
)

from .pages import router as pages_router
from .service import DiaryService, Viewer
from .toonify import toonify_photo

router = APIRouter()
api = APIRouter(prefix="/api/v1/diary", tags=["diary"])
HOUR = 3600.0


def diary_service(services: Services = Depends(get_services)) -> DiaryService:
    return DiaryService(services)


def viewer_of(identity: Identity) -> Viewer:
    return Viewer(identity.user_id, identity.is_admin)


def limit_rate(services: Services, what: str, identity: Identity) -> None:
    """One more `what` (posts, comments, images) for this user within the hour, or 429."""
    per_hour = getattr(services.settings, f"diary_{what}_per_hour")
    enforce_rate(f"diary.{what}", identity.user_id, limit=per_hour, window_s=HOUR)


# ---- choices -------------------------------------------------------------------------------------


@api.get("/moods", summary="The moods a post can have, each with the style it suggests")
def moods() -> list[dict]:
    return DiaryService.moods()


@api.get("/styles", summary="The picture styles: prompt suffix, negative prompt, LoRA")
def styles() -> list[dict]:
    return DiaryService.styles()


# ---- posts ---------------------------------------------------------------------------------------


class PostIn(BaseModel):
    model_config = {"extra": "forbid"}

    title: str = Field(..., description="1-200 characters (stored as typed; HTML is text)")
    text: str = Field(..., description="1-10,000 characters, Korean and/or English")
    mood: str = Field(..., description="One of GET /api/v1/diary/moods")
    style: str | None = Field(
        None, description="One of GET /api/v1/diary/styles; default: the mood's"
    )
    visibility: str = Field("private", description="'private' (default) or 'public'")


class PostPatch(BaseModel):
    model_config = {"extra": "forbid"}

    title: str | None = None
    text: str | None = None
    mood: str | None = None
    style: str | None = None
    visibility: str | None = None


ERRORS = {
    401: {"description": "login_required"},
    404: {"description": "No such post, or not one the caller may see"},
    422: {"description": "empty_field, too_long, unknown_mood, unknown_style, invalid_text, …"},
    429: {"description": "rate_limited (Retry-After)"},
}


@api.post(
    "/posts",
    status_code=201,
    summary="Write a post: keywords and the picture's prompt are made at once",
    responses=ERRORS,
)
def create_post(
    body: PostIn,
    services: Services = Depends(get_services),
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    limit_rate(services, "posts", identity)
    return diary.create_post(identity.user_id, **body.model_dump())


@api.get("/posts", summary="Your posts, newest first (keyset pages: ?cursor=)")
def my_posts(
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=100),
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.my_posts(identity.user_id, cursor=cursor, limit=limit)


@api.get("/posts/{post_id}", summary="A post (yours, or one in the Lounge)", responses=ERRORS)
def get_post(
    post_id: str,
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.get_post(viewer_of(identity), post_id)


@api.patch(
    "/posts/{post_id}",
    summary="Change your post (title, text, mood, style, visibility)",
    responses={**ERRORS, 403: {"description": "not_owner"}},
)
def update_post(
    post_id: str,
    body: PostPatch,
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.update_post(identity.user_id, post_id, body.model_dump(exclude_unset=True))


@api.delete(
    "/posts/{post_id}",
    status_code=204,
    response_class=Response,
    summary="Delete your post: its text, picture, comments and job",
    responses={**ERRORS, 403: {"description": "not_owner"}},
)
def delete_post(
    post_id: str,
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> Response:
    diary.delete_post(identity.user_id, post_id)
    return Response(status_code=204)


# ---- pictures ------------------------------------------------------------------------------------


class IllustrateIn(BaseModel):
    model_config = {"extra": "forbid"}

    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    steps: int = Field(4, ge=1, le=50)
    width: int = Field(512, ge=64, le=2048, multiple_of=8)
    height: int = Field(512, ge=64, le=2048, multiple_of=8)


_IMAGE_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": IllustrateIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["photo"],
                    "properties": {
                        "photo": {
                            "type": "string",
                            "format": "binary",
                            "description": "Your photo (JPEG, PNG or WebP) to toonify",
                        }
                    },
                }
            },
        }
    }
}


@api.post(
    "/posts/{post_id}/image",
    status_code=202,
    summary="JSON: draw the post's picture (a diary.illustrate job, 202). Multipart `photo`: "
    "toonify your photo inline (200)",
    openapi_extra=_IMAGE_BODY,
    responses={
        **ERRORS,
        200: {"description": "The toonified photo is the post's picture"},
        403: {"description": "not_owner"},
        409: {"description": "image_in_progress"},
        413: {},
        503: {"description": "model_unavailable: no txt2img model (the message: how to install)"},
    },
)
async def post_image(
    post_id: str,
    request: Request,
    services: Services = Depends(get_services),
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> Any:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return await _toonify(post_id, request, services, identity, diary)
    body = await _json_body(request)
    try:
        p = IllustrateIn.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    # The owner and the model first: a 404 or a 503 "install a model" spends no quota.
    await run_in_threadpool(diary.check_owner, identity.user_id, post_id)
    await run_in_threadpool(diary.require_generator)
    await run_in_threadpool(limit_rate, services, "images", identity)
    out = await run_in_threadpool(
        lambda: diary.illustrate(identity.user_id, post_id, **p.model_dump())
    )
    return JSONResponse(out, status_code=202)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        import json

        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            "The body is not JSON. Send {} (or seed/steps/width/height) to draw the picture, "
            "or a multipart form with a `photo` file to toonify it.",
            code="invalid_json",
            status_code=422,
        ) from None


async def _toonify(
    post_id: str, request: Request, services: Services, identity: Identity, diary: DiaryService
) -> JSONResponse:
    form = await request.form(max_files=1, max_fields=4)
    photo = form.get("photo")
    if not isinstance(photo, UploadFile):
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "photo"),
                    "msg": f"Expected UploadFile, received: {type(photo)}",
                    "type": "value_error",
                }
            ]
        )
    # The post first: no photo is decoded for a post the caller cannot change.
    await run_in_threadpool(diary.check_owner, identity.user_id, post_id)
    await run_in_threadpool(limit_rate, services, "images", identity)
    lim = services.settings.upload_limits()
    data = await read_upload_bytes(photo, max_bytes=lim["max_bytes"])
    limits = (lim["max_bytes"], lim["max_pixels"], lim["max_side"])
    toon = await run_isolated(toonify_photo, data, limits, diary.screen_config())
    del data
    out = await run_in_threadpool(diary.attach_toon, identity.user_id, post_id, toon)
    return JSONResponse(out, status_code=200)


@api.get(
    "/posts/{post_id}/image",
    response_class=Response,
    summary="The post's picture, for whoever may see it (404 otherwise)",
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}, 404: {}},
)
def get_image(
    post_id: str,
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> Response:
    data, ctype, public = diary.image_bytes(viewer_of(identity), post_id)
    cache = "private, max-age=60" if public else "private, no-store"
    return Response(data, media_type=ctype, headers={"Cache-Control": cache})


# ---- comments and reports ------------------------------------------------------------------------


class CommentIn(BaseModel):
    model_config = {"extra": "forbid"}

    text: str = Field(..., description="1-2,000 characters")


class ReportIn(BaseModel):
    model_config = {"extra": "forbid"}

    reason: Literal["spam", "nsfw", "abuse", "other"]
    note: str = Field("", description="Up to 500 characters")


@api.get("/posts/{post_id}/comments", summary="A post's comments, oldest first", responses=ERRORS)
def comments(
    post_id: str,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=100),
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.comments(viewer_of(identity), post_id, cursor=cursor, limit=limit)


@api.post(
    "/posts/{post_id}/comments",
    status_code=201,
    summary="Comment on a post in the Lounge",
    responses={**ERRORS, 409: {"description": "post_not_public, post_hidden (your own post)"}},
)
def add_comment(
    post_id: str,
    body: CommentIn,
    services: Services = Depends(get_services),
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    limit_rate(services, "comments", identity)
    return diary.add_comment(identity.user_id, post_id, body.text)


@api.delete(
    "/posts/{post_id}/comments/{comment_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a comment (its writer, or the post's owner)",
    responses=ERRORS,
)
def delete_comment(
    post_id: str,
    comment_id: str,
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> Response:
    diary.delete_comment(identity.user_id, post_id, comment_id)
    return Response(status_code=204)


@api.post(
    "/posts/{post_id}/report",
    status_code=201,
    summary="Report a post to the admins (once per user and post)",
    responses={**ERRORS, 409: {"description": "already_reported, own_post"}},
)
def report(
    post_id: str,
    body: ReportIn,
    identity: Identity = Depends(require_account),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.report(identity.user_id, post_id, body.reason, body.note)


# ---- the Lounge ----------------------------------------------------------------------------------


@api.get("/lounge", summary="Public posts: newest first (keyset ?cursor=) or ?sort=hot")
def lounge(
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=100),
    sort: Literal["new", "hot"] = Query("new"),
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.lounge(viewer_of(identity), cursor=cursor, limit=limit, sort=sort)


@api.get("/hot", summary="Hot Toons: the 4 most-commented public posts of the window")
def hot(
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.hot_toons(viewer_of(identity))


@api.get(
    "/posts/{post_id}/recommended",
    summary="Posts like this one (text similarity, Korean too, + mood + recency)",
    responses=ERRORS,
)
def recommended(
    post_id: str,
    k: int = Query(4, ge=1, le=20),
    identity: Identity = Depends(current_identity),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.recommended(viewer_of(identity), post_id, k=k)


# ---- admin ---------------------------------------------------------------------------------------

ADMIN_ERRORS = {
    401: {"description": "login_required"},
    403: {"description": "admin_required"},
    404: {"description": "No such public post"},
}


@api.get(
    "/admin/queue",
    summary="Reported posts, pictures to review, hidden posts",
    responses=ADMIN_ERRORS,
)
def admin_queue(
    limit: int = Query(50, ge=1, le=200),
    _: Identity = Depends(require_admin),
    diary: DiaryService = Depends(diary_service),
) -> dict:
    return diary.admin_queue(limit=limit)


@api.post(
    "/admin/posts/{post_id}/hide", summary="Hide a post from the Lounge", responses=ADMIN_ERRORS
)
def admin_hide(
    post_id: str, _: Identity = Depends(require_admin), diary: DiaryService = Depends(diary_service)
) -> dict:
    return diary.admin_hide(post_id, hidden=True)


@api.post(
    "/admin/posts/{post_id}/restore", summary="Show a hidden post again", responses=ADMIN_ERRORS
)
def admin_restore(
    post_id: str, _: Identity = Depends(require_admin), diary: DiaryService = Depends(diary_service)
) -> dict:
    return diary.admin_hide(post_id, hidden=False)


@api.post(
    "/admin/posts/{post_id}/delete",
    status_code=204,
    response_class=Response,
    summary="Delete a post (its text, picture, comments)",
    responses=ADMIN_ERRORS,
)
def admin_delete(
    post_id: str, _: Identity = Depends(require_admin), diary: DiaryService = Depends(diary_service)
) -> Response:
    diary.admin_delete(post_id)
    return Response(status_code=204)


@api.post(
    "/admin/images/{post_id}/approve",
    summary="Approve a post's picture for the Lounge",
    responses={**ADMIN_ERRORS, 409: {"description": "no_image"}},
)
def admin_approve(
    post_id: str, _: Identity = Depends(require_admin), diary: DiaryService = Depends(diary_service)
) -> dict:
    return diary.admin_review_image(post_id, approve=True)


@api.post(
    "/admin/images/{post_id}/reject",
    summary="Reject a post's picture (only its owner sees it)",
    responses={**ADMIN_ERRORS, 409: {"description": "no_image"}},
)
def admin_reject(
    post_id: str, _: Identity = Depends(require_admin), diary: DiaryService = Depends(diary_service)
) -> dict:
    return diary.admin_review_image(post_id, approve=False)


router.include_router(api)
router.include_router(pages_router)  # the /diary pages (pages.py)
