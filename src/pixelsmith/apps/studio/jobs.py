"""Studio job kinds: `studio.panorama` and `studio.upscale` (seconds to minutes of CPU).

Inputs are uploaded first (the routes store them as blobs); the job's params hold their keys.
Both report progress with a small preview, check for cancel between steps, and store one
artifact: the result image.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

import cv2
import numpy as np
from pydantic import BaseModel, Field, StringConstraints

from pixelsmith.core.images import encode_image, read_image
from pixelsmith.core.jobs.context import JobContext
from pixelsmith.core.jobs.kinds import job_kind

from . import panorama as pano
from . import upscale as up

BlobKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")]
OutputFormat = Literal["jpeg", "png", "webp"]
MEDIA = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png"), "webp": ("image/webp", "webp")}
PREVIEW_SIDE = 320
PREVIEW_INTERVAL_S = 1.0
# Inputs were checked on upload; this only guards the decode inside the worker.
_BLOB_LIMITS = {"max_bytes": 200 * 1024 * 1024, "max_pixels": 200_000_000, "max_side": 30_000}


def _decode(ctx: JobContext, key: str) -> np.ndarray:
    return read_image(ctx.load_blob(key), **_BLOB_LIMITS).to_rgb_array()


def _preview(img: np.ndarray) -> bytes:
    h, w = img.shape[:2]
    step = max(1, max(h, w) // (PREVIEW_SIDE * 2))
    small = img[::step, ::step]
    scale = PREVIEW_SIDE / max(small.shape[:2])
    if scale < 1:
        size = (max(1, round(small.shape[1] * scale)), max(1, round(small.shape[0] * scale)))
        small = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80]
    )
    return buf.tobytes() if ok else b""


def _encode(rgb: np.ndarray, fmt: str, quality: int) -> bytes:
    from PIL import Image

    mode = "RGBA" if rgb.shape[2] == 4 else "RGB"
    return encode_image(Image.fromarray(rgb, mode), fmt, quality=quality)


class PanoramaParams(BaseModel):
    image_keys: list[BlobKey] = Field(
        ..., min_length=1, max_length=pano.MAX_IMAGES, description="Stored photos, in order"
    )
    names: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=pano.MAX_IMAGES, description="File names, for messages"
    )
    mode: pano.Mode = "panorama"
    crop: bool = Field(True, description="Crop the black border")
    format: OutputFormat = "jpeg"
    quality: int = Field(92, ge=1, le=100)


@job_kind("studio.panorama", params=PanoramaParams)
def panorama_job(ctx: JobContext, p: PanoramaParams) -> dict:
    """Stitch 2-10 overlapping photos into a panorama (OpenCV Stitcher), border cropped."""
    total = pano.TOTAL_STEPS + 1
    images = []
    for i, key in enumerate(p.image_keys):
        ctx.check_canceled()
        images.append(_decode(ctx, key))
        ctx.progress(0, total, f"loaded photo {i + 1} of {len(p.image_keys)}")

    def report(step: int, _total: int, message: str) -> None:
        ctx.progress(step, total, message)

    result = pano.stitch(
        images,
        mode=p.mode,
        crop=p.crop,
        names=p.names,
        progress=report,
        check_cancel=ctx.check_canceled,
    )
    ctx.check_canceled()
    ctx.progress(total, total, "saving", preview=_preview(result.image))
    media, ext = MEDIA[p.format]
    data = _encode(result.image, p.format, p.quality)
    ctx.save_artifact(data, name=f"panorama.{ext}", content_type=media)
    height, width = result.image.shape[:2]
    return {
        "width": width,
        "height": height,
        "mode": result.mode,
        "images": len(images),
        "uncropped": list(result.uncropped_size),
        "crop_box": list(result.crop_box) if result.crop_box else None,
    }


class UpscaleParams(BaseModel):
    image_key: BlobKey
    scale: Literal[2, 4] = 2
    model: Literal["fast", "photo"] = Field("fast", description="fast (default) or photo (slow)")
    tile: int | None = Field(
        None,
        ge=32,
        le=512,
        description="Tile size in input pixels (default and cap per model: fast 192/256, "
        "photo 64/64; bigger tiles take more memory)",
    )
    format: OutputFormat = "png"
    quality: int = Field(92, ge=1, le=100)


@job_kind("studio.upscale", params=UpscaleParams)
def upscale_job(ctx: JobContext, p: UpscaleParams) -> dict:
    """Upscale ×2 or ×4 with Real-ESRGAN, tile by tile."""
    from pixelsmith.core.models import get

    img = _decode_keep_alpha(ctx, p.image_key)
    h, w = img.shape[:2]
    up.check_size(w, h, p.scale)
    model = get("upscale")
    last_preview = 0.0

    def report(step: int, total: int, partial: np.ndarray) -> None:
        nonlocal last_preview
        now = time.monotonic()
        preview = None
        if step == total or now - last_preview >= PREVIEW_INTERVAL_S:
            preview = _preview(partial)
            last_preview = now
        ctx.progress(step, total, f"tile {step} of {total}", preview=preview)

    tile = up.tile_for(p.model, p.tile)
    started = time.perf_counter()
    out = up.upscale(
        img,
        p.scale,
        model,
        variant=p.model,
        tile=tile,
        progress=report,
        check_cancel=ctx.check_canceled,
    )
    seconds = time.perf_counter() - started
    ctx.check_canceled()
    fmt = "png" if out.shape[2] == 4 and p.format == "jpeg" else p.format
    media, ext = MEDIA[fmt]
    ctx.save_artifact(_encode(out, fmt, p.quality), name=f"upscaled.{ext}", content_type=media)
    return {
        "width": int(out.shape[1]),
        "height": int(out.shape[0]),
        "scale": p.scale,
        "model": p.model,
        "tiles": len(up.tile_grid(w, h, tile)),
        "seconds": round(seconds, 2),
        "seconds_per_megapixel": round(seconds / (out.shape[0] * out.shape[1] / 1e6), 3),
    }


def _decode_keep_alpha(ctx: JobContext, key: str) -> np.ndarray:
    intake = read_image(ctx.load_blob(key), **_BLOB_LIMITS)
    return np.asarray(intake.image, dtype=np.uint8)
