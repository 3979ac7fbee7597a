"""Sketch Studio: the /studio page and the API under /api/v1/studio."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.cpu import run_cpu
from pixelsmith.core.errors import MAX_JSON_DEPTH, ApiError, check_json_input
from pixelsmith.core.filters import I18N_PREFIX as FILTER_MESSAGES
from pixelsmith.core.filters import describe_filters, validate_params
from pixelsmith.core.images import IntakeImage, process_upload, read_upload
from pixelsmith.core.jobs.routes import JobOut
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.pages import render

from . import APP
from .edges import EdgeParams
from .service import (
    SKETCH_CATEGORIES,
    SKETCH_STYLES,
    StudioService,
    check_image_count,
    edges_png,
    filter_image,
)

router = APIRouter()
api = APIRouter(prefix="/api/v1/studio", tags=["studio"])

JOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "A file is too large"},
    422: {"description": "Not an image, too few/many images, or bad parameters"},
    429: {"description": "The job queue is full (Retry-After)"},
}


def studio_service(services: Services = Depends(get_services)) -> StudioService:
    return StudioService(services)


async def _read(upload: UploadFile | None, services: Services) -> IntakeImage:
    return await read_upload(upload, **_limits(services))


def _limits(services: Services) -> dict[str, int]:
    return services.settings.upload_limits()


def _stem(filename: str | None) -> str:
    stem = (filename or "image").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or "image"


def _script_json(data: Any) -> str:
    """JSON for a <script> element, keys in their declared order (Jinja's tojson sorts them)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _parse_params(raw: str | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {}
    depth = _nesting(raw)
    if depth > MAX_JSON_DEPTH:
        # json.loads recurses per level: 950 brackets can exhaust the stack (RecursionError).
        raise ApiError(
            f"'params' is not usable JSON: it is nested {depth} levels deep (at most "
            f'{MAX_JSON_DEPTH}). Send a flat JSON object such as {{"size": 9}}.',
            code="invalid_json",
            status_code=422,
            details={"field": "params", "depth": depth},
        )
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(
            f"'params' is not valid JSON: {exc.msg} at character {exc.pos}.",
            code="invalid_json",
            status_code=422,
            details={"field": "params"},
        ) from None
    except (RecursionError, ValueError) as exc:  # ValueError: an int past 4300 digits
        raise ApiError(
            f"'params' is not usable JSON: {exc}.",
            code="invalid_json",
            status_code=422,
            details={"field": "params"},
        ) from None
    if not isinstance(value, dict):
        raise ApiError(
            'params must be a JSON object, such as {"size": 9}.',
            code="invalid_params",
            status_code=422,
            details={"field": "params"},
        )
    check_json_input(value, "params")
    return value


def _nesting(raw: str) -> int:
    """The deepest [ / { nesting in JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


@router.get("/studio", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    return render(
        request,
        "studio/index.html",
        app=APP,
        filters=describe_filters(),
        filters_json=_script_json(describe_filters()),
        categories=SKETCH_CATEGORIES,
        styles=SKETCH_STYLES,
        client_prefixes=("apps.studio.", FILTER_MESSAGES),
    )


# ---- filters ------------------------------------------------------------------------------


class FilterInfo(BaseModel):
    name: str
    description: str
    params_schema: dict[str, Any]
    defaults: dict[str, Any]


class FilterResult(BaseModel):
    key: str
    url: str
    width: int
    height: int
    style: str
    params: dict[str, Any]
    elapsed_ms: float


@api.get("/filters", response_model=list[FilterInfo], summary="Filters and their parameters")
def list_filters() -> list[dict]:
    return describe_filters()


@api.post(
    "/filter",
    summary="Apply a filter to an image at full resolution",
    response_model=FilterResult,
    responses={
        200: {
            "description": "The filtered image (output=image, the default) or, with "
            "output=json, where it was stored",
            "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
        },
        413: {"description": "File too large"},
        422: {"description": "Not an image, unknown filter or parameters out of range"},
    },
)
async def apply_filter(
    file: UploadFile = File(..., description="JPEG, PNG or WebP"),
    style: str = Form(..., max_length=40, description="Filter name (GET /filters)"),
    params: str | None = Form(None, max_length=2000, description='JSON object, e.g. {"size": 9}'),
    format: Literal["jpeg", "jpg", "png", "webp"] | None = Form(None),
    output: Literal["image", "json"] = Form("image"),
    services: Services = Depends(get_services),
    studio: StudioService = Depends(studio_service),
) -> Any:
    parsed = _parse_params(params)
    # Name and parameters first: a bad request fails before the upload is decoded.
    validate_params(style, parsed)
    # Decode, filter and encode in one go, in a worker process on a server.
    out = await process_upload(file, filter_image, style, parsed, format, **_limits(services))
    if output == "json":
        key = await run_in_threadpool(studio.store, out)
        return {
            "key": key,
            "url": f"/api/v1/blobs/{key}",
            "width": out.width,
            "height": out.height,
            "style": out.style,
            "params": out.params,
            "elapsed_ms": round(out.elapsed_ms, 1),
        }
    filename = f"{_stem(file.filename)}-{style}.{out.ext}"
    return Response(
        out.data,
        media_type=out.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Filter-Ms": f"{out.elapsed_ms:.1f}",
            "Cache-Control": "no-store",
        },
    )


# ---- edges --------------------------------------------------------------------------------


@api.post(
    "/edges",
    summary="Edge map of a photo or sketch (dark strokes on white PNG), for the sketch canvas",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}},
        413: {"description": "File too large"},
        422: {"description": "Not an image, or bad parameters"},
    },
)
async def edges(
    file: UploadFile = File(...),
    method: Literal["canny", "scribble"] = Form("canny"),
    low: int = Form(40, ge=0, le=255),
    high: int = Form(120, ge=1, le=255),
    detail: float = Form(0.5, ge=0.0, le=1.0),
    stroke: int = Form(3, ge=1, le=12),
    services: Services = Depends(get_services),
) -> Response:
    try:
        p = EdgeParams(method=method, low=low, high=high, detail=detail, stroke=stroke)
    except ValidationError as exc:
        # The validators' own words ("low (200) must be below high (100)"), not pydantic's
        # "Value error, " prefix or its "For further information visit …" line.
        errors = [e["msg"].removeprefix("Value error, ") for e in exc.errors(include_url=False)]
        raise ApiError(
            f"Invalid edge parameters: {'; '.join(errors)}. Change them and try again.",
            code="invalid_params",
            status_code=422,
            details={"errors": errors},
        ) from None
    png = await process_upload(file, edges_png, p, **_limits(services))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


# ---- panorama and upscale (jobs) ----------------------------------------------------------


@api.post(
    "/panorama",
    status_code=202,
    response_model=JobOut,
    summary="Stitch 2-10 overlapping photos (a job: follow it on /api/v1/jobs/{id}/events)",
    responses=JOB_RESPONSES,
)
async def panorama(
    files: list[UploadFile] = File(..., description="2 to 10 photos, in order"),
    mode: Literal["panorama", "scans"] = Form("panorama"),
    crop: bool = Form(True),
    format: Literal["jpeg", "png", "webp"] = Form("jpeg"),
    services: Services = Depends(get_services),
    studio: StudioService = Depends(studio_service),
) -> dict:
    check_image_count(len(files))  # before reading a byte of them
    keys = []
    for f in files:  # one decoded photo in memory at a time
        keys.append(await run_cpu(studio.store_panorama_photo, await _read(f, services)))
    names = [f.filename or "" for f in files]
    return await run_in_threadpool(
        lambda: studio.submit_panorama(keys, mode=mode, crop=crop, names=names, fmt=format)
    )


@api.post(
    "/upscale",
    status_code=202,
    response_model=JobOut,
    summary="Upscale ×2 or ×4 with Real-ESRGAN (a job with progress per tile)",
    responses=JOB_RESPONSES,
)
async def upscale(
    file: UploadFile = File(...),
    scale: int = Form(2, description="2 or 4"),
    model: Literal["fast", "photo"] = Form("fast"),
    format: Literal["jpeg", "png", "webp"] | None = Form(None),
    services: Services = Depends(get_services),
    studio: StudioService = Depends(studio_service),
) -> dict:
    intake = await _read(file, services)
    return await run_cpu(
        lambda: studio.submit_upscale(intake, scale=scale, model=model, fmt=format)
    )


# ---- sketch → image -----------------------------------------------------------------------


@api.post(
    "/sketch",
    status_code=202,
    response_model=JobOut,
    summary="Turn a sketch into a picture (needs a sketch-to-image model)",
    responses={
        413: {"description": "File too large"},
        422: {"description": "Not an image, or bad fields"},
        503: {"description": "No sketch-to-image model installed: the message says how to get one"},
    },
)
async def sketch(
    file: UploadFile = File(..., description="The sketch: dark strokes on white"),
    prompt: str = Form(..., min_length=1, max_length=500),
    category: Literal[SKETCH_CATEGORIES] = Form("object"),  # type: ignore[valid-type]
    style: Literal[SKETCH_STYLES] = Form("photo"),  # type: ignore[valid-type]
    services: Services = Depends(get_services),
    studio: StudioService = Depends(studio_service),
) -> dict:
    if not prompt.strip():
        raise ApiError("Describe what the sketch shows.", code="invalid_params", status_code=422)
    intake = await _read(file, services)
    return studio.submit_sketch(intake, prompt=prompt.strip(), category=category, style=style)


router.include_router(api)
