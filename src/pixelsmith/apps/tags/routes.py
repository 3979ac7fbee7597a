"""Tag Scanner: the page and the API (/api/v1/tags)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.images import process_upload
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.pages import render

from . import APP
from .service import CropBox, TagScanService, read_tag

router = APIRouter()
api = APIRouter(prefix="/api/v1/tags", tags=["tags"])


def tag_service(services: Services = Depends(get_services)) -> TagScanService:
    return TagScanService(services.db, services.storage, services.catalog, services.shopping)


@router.get("/tags", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, services: Services = Depends(get_services)) -> HTMLResponse:
    return render(
        request,
        "tags/index.html",
        app=APP,
        provider_enabled=services.shopping is not None,
    )


class Alternative(BaseModel):
    code: str
    score: float


class ScanOut(BaseModel):
    id: str
    created_at: str
    image_url: str
    crop_url: str
    crop_box: list[int] | None
    code: str = Field(description="Best guess ('' when nothing code-like was read)")
    confidence: float
    alternatives: list[Alternative]
    confirmed_label: str | None
    confirmed_at: str | None
    corrected: bool | None
    recognize_ms: int


class ScanResult(ScanOut):
    local_matches: list[dict[str, Any]] = Field(
        default_factory=list, description="Local catalog products matching the best guess"
    )


class ConfirmIn(BaseModel):
    label: str = Field(..., min_length=1, max_length=40, examples=["CW2288-111"])


class ConfirmOut(BaseModel):
    scan: ScanOut
    lookup: dict[str, Any]


@api.post(
    "/scan",
    response_model=ScanResult,
    status_code=201,
    summary="Read the product code on a tag photo",
    responses={413: {}, 422: {"description": "Not an image, or a bad crop box"}},
)
async def scan(
    file: UploadFile = File(..., description="Photo of the tag (JPEG, PNG or WebP)"),
    crop: str | None = Form(None, description="x,y,w,h in image pixels; omit to auto-find"),
    services: Services = Depends(get_services),
    tags: TagScanService = Depends(tag_service),
) -> dict:
    box = CropBox.parse(crop) if crop else None
    s = services.settings
    # Decode and read the code in a worker process (on a server); store it here.
    read = await process_upload(
        file,
        read_tag,
        box,
        **s.upload_limits(),
    )
    return await run_in_threadpool(tags.record, read)


@api.get("/scans", response_model=list[ScanOut], summary="Recent scans")
def list_scans(
    limit: int = Query(50, ge=1, le=500), tags: TagScanService = Depends(tag_service)
) -> list[dict]:
    return tags.list(limit)


@api.get("/scans/{scan_id}", response_model=ScanOut, summary="One scan")
def get_scan(scan_id: str, tags: TagScanService = Depends(tag_service)) -> dict:
    return tags.get(scan_id)


@api.post(
    "/scans/{scan_id}/confirm",
    response_model=ConfirmOut,
    summary="Confirm or correct the code, then look the product up",
)
def confirm(scan_id: str, body: ConfirmIn, tags: TagScanService = Depends(tag_service)) -> dict:
    return tags.confirm(scan_id, body.label)


@api.get("/stats", summary="First-guess accuracy and correction rate per day")
def stats(
    days: int = Query(30, ge=1, le=3650), tags: TagScanService = Depends(tag_service)
) -> dict:
    return tags.stats(days)


router.include_router(api)
