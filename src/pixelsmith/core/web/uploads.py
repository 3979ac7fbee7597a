"""Uploads and blobs: every image upload passes core.images intake, then lands in storage."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from pixelsmith.core import blob_access
from pixelsmith.core.errors import NotFound
from pixelsmith.core.images import encode_image, make_thumbnail, read_upload
from pixelsmith.core.services import Services
from pixelsmith.core.storage import validate_key
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.identity import peek_identity

router = APIRouter(prefix="/api/v1", tags=["images"])


class ImageOut(BaseModel):
    key: str
    url: str
    format: str
    width: int
    height: int
    thumbnail_key: str
    thumbnail_url: str


@router.post(
    "/images",
    status_code=201,
    response_model=ImageOut,
    summary="Upload an image (JPEG, PNG or WebP)",
    responses={413: {"description": "Too large"}, 422: {"description": "Not an acceptable image"}},
)
async def upload_image(
    file: UploadFile = File(..., description="JPEG, PNG or WebP"),
    services: Services = Depends(get_services),
) -> dict:
    s = services.settings
    intake = await read_upload(
        file, max_bytes=s.max_upload_bytes, max_pixels=s.max_image_pixels, max_side=s.max_image_side
    )

    def store() -> dict:
        # Re-encoded without metadata; PNG for PNG sources and anything with alpha.
        lossless = intake.format == "png" or intake.has_alpha
        fmt, suffix = ("png", ".png") if lossless else ("jpeg", ".jpg")
        key = services.storage.put(
            encode_image(intake.image, fmt), content_type=f"image/{fmt}", suffix=suffix
        )
        thumb = services.storage.put(
            make_thumbnail(intake.image), content_type="image/jpeg", suffix=".jpg"
        )
        return {
            "key": key,
            "url": f"/api/v1/blobs/{key}",
            "format": intake.format,
            "width": intake.width,
            "height": intake.height,
            "thumbnail_key": thumb,
            "thumbnail_url": f"/api/v1/blobs/{thumb}",
        }

    return await run_in_threadpool(store)


@router.get(
    "/blobs/{key}",
    summary="Download a stored blob by its content-addressed key",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}, 404: {}, 400: {}},
)
def get_blob(key: str, request: Request, services: Services = Depends(get_services)) -> Response:
    """A restricted blob (core.blob_access) is served only to its owner; anyone
    else gets the same 404 as for a key that does not exist."""
    key = validate_key(key)
    with services.db.session() as s:
        private = blob_access.restricted(s, key)
        if private:
            viewer = peek_identity(request)
            allowed = viewer is not None and blob_access.readable(s, key, viewer.user_id)
            if not allowed:
                raise NotFound(f"Blob {key} not found.", details={"key": key})
    data = services.storage.get(key)
    return Response(
        data,
        media_type=services.storage.content_type(key),
        # Content-addressed: the bytes behind a key never change. A private one stays out of
        # shared caches and the browser's disk cache.
        headers={
            "Cache-Control": "private, no-store"
            if private
            else "public, max-age=31536000, immutable"
        },
    )
