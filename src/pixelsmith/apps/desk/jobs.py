"""Desk Makeover job kinds: `desk.render` (CPU composite, then an optional filter) and
`desk.render_gpu` (GPU queue: items painted in by an inpainting model, and/or the render
repainted in a style preset with its LoRA, then the optional filter).

The analysis is not a job: it answers inline with the upload (about a second, in the server's
worker process where the gate's models are already loaded). A render's params hold everything
it needs (the working photo's key, the analysis, each item's cut-out key and size), so a
worker process never reads the database.
"""

from __future__ import annotations

import io
import time
from typing import Annotated, Any, Literal

import numpy as np
from PIL import Image
from pydantic import BaseModel, Field, StringConstraints

from pixelsmith.core.images import encode_image, read_image
from pixelsmith.core.jobs.context import JobCanceled, JobContext
from pixelsmith.core.jobs.kinds import job_kind

from .types import PNG_LEVEL, DeskAnalysis

BlobKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")]
# Inputs were checked on upload; this only guards the decode inside the worker.
_BLOB_LIMITS = {"max_bytes": 64 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 12_000}
PREVIEW_INTERVAL_S = 1.0
Style = Literal[
    "oil", "cartoon", "pencil_gray", "pencil_color", "watercolor", "stylization", "emboss", "paint"
]


def load_photo(ctx: JobContext, key: str) -> np.ndarray:
    return read_image(ctx.load_blob(key), **_BLOB_LIMITS).to_rgb_array()


class ItemParams(BaseModel):
    product_id: int
    label: str = Field(..., max_length=40)
    cutout_key: BlobKey
    width_cm: float = Field(..., gt=0, le=500)
    height_cm: float = Field(..., gt=0, le=500)
    prompt: str = Field("", max_length=300)


class RenderParams(BaseModel):
    photo_id: str = Field(..., max_length=32)
    photo_key: BlobKey
    analysis: dict[str, Any]
    items: list[ItemParams] = Field(..., min_length=1, max_length=6)
    style: Style | None = None  # a CPU filter over the render
    inpaint: bool = False  # paint the items in with the inpainting model (GPU)
    gpu_style: str | None = Field(None, max_length=40)  # an engine style preset (img2img)
    lora: str | None = Field(None, max_length=200)  # a style LoRA file in the models' loras/
    lora_scale: float = Field(1.0, ge=0.0, le=2.0)
    seed: int = Field(0, ge=0, le=2**31 - 1)


def _render_items(ctx: JobContext, p: RenderParams) -> list:
    from .render import RenderItem

    items = []
    for it in p.items:
        with Image.open(io.BytesIO(ctx.load_blob(it.cutout_key)), formats=["PNG"]) as img:
            rgba = np.array(img.convert("RGBA"), dtype=np.uint8)
        items.append(
            RenderItem(
                product_id=str(it.product_id),
                label=it.label,
                rgba=rgba,
                width_cm=it.width_cm,
                height_cm=it.height_cm,
                prompt=it.prompt,
            )
        )
    return items


def _finish(ctx: JobContext, p: RenderParams, result: Any, step: int, total: int) -> dict:
    """Restyle (optional), store the render and each placed item's mask; the job's result."""
    from .restyle import restyle_cpu, restyle_gpu

    image = result.image
    if p.gpu_style:
        ctx.progress(step, total, f"repainting in the {p.gpu_style} style")
        image = restyle_gpu(
            image,
            p.gpu_style,
            lora=p.lora,
            lora_scale=p.lora_scale,
            seed=p.seed,
            on_step=_throttled(ctx, f"repainting in the {p.gpu_style} style"),
            is_canceled=lambda: ctx.canceled,
        )
    if p.style:
        ctx.progress(step, total, f"restyling: {p.style}")
        image = restyle_cpu(image, p.style)
    h, w = image.shape[:2]
    render_key = ctx.save_artifact(
        encode_image(Image.fromarray(image, "RGB"), "png", png_level=PNG_LEVEL),
        name="render.png",
        content_type="image/png",
    )
    items = []
    for n, placement in enumerate(result.items, start=1):
        d = placement.to_dict()
        d["n"] = n
        if placement.placed:
            mask = placement.full_mask(h, w).astype(np.uint8) * 255
            d["mask_key"] = ctx.save_artifact(
                encode_image(Image.fromarray(mask, "L"), "png", png_level=PNG_LEVEL),
                name=f"mask-{n}.png",
                content_type="image/png",
            )
        items.append(d)
    return {
        "render_key": render_key,
        "path": result.path,
        "width": w,
        "height": h,
        "style": p.style,
        "items": items,
        "elapsed_ms": round(result.elapsed_ms, 1),
    }


def _throttled(ctx: JobContext, message: str):  # noqa: ANN202
    """An engine step callback that reports progress, with a preview at most every second."""
    last_preview = 0.0

    def on_step(step: int, total: int, preview) -> None:  # noqa: ANN001
        nonlocal last_preview
        jpeg = None
        if step == 1 or time.monotonic() - last_preview >= PREVIEW_INTERVAL_S:
            jpeg, last_preview = preview(), time.monotonic()
        ctx.progress(step, total + 1, f"{message}: step {step} of {total}", jpeg)

    return on_step


@job_kind("desk.render", params=RenderParams)
def render_job(ctx: JobContext, p: RenderParams) -> dict:
    """Place the chosen catalog items in the desk photo (CPU composite), then restyle."""
    from .render import composite

    total = 3 if p.style else 2
    ctx.progress(0, total, "loading the photo and the items")
    photo = load_photo(ctx, p.photo_key)
    items = _render_items(ctx, p)
    ctx.check_canceled()
    ctx.progress(1, total, "placing the items")
    result = composite(photo, DeskAnalysis.from_dict(p.analysis), items, seed=p.seed)
    out = _finish(ctx, p, result, 2, total)
    ctx.progress(total, total, "done")
    return out


@job_kind("desk.render_gpu", params=RenderParams, queue="gpu")
def render_gpu_job(ctx: JobContext, p: RenderParams) -> dict:
    """The render with the GPU: items painted in by the inpainting model (`inpaint`) and/or
    the whole render repainted in a style preset with its LoRA (`gpu_style`)."""
    from pixelsmith.core.generation.engine import Canceled

    from .inpaint import inpaint
    from .render import composite

    ctx.progress(0, 1, "loading the photo and the items")
    photo = load_photo(ctx, p.photo_key)
    items = _render_items(ctx, p)
    analysis = DeskAnalysis.from_dict(p.analysis)
    try:
        if p.inpaint:
            result = inpaint(
                photo,
                analysis,
                items,
                seed=p.seed,
                on_step=_throttled(ctx, "painting the items in"),
                is_canceled=lambda: ctx.canceled,
            )
        else:
            result = composite(photo, analysis, items, seed=p.seed)
        return _finish(ctx, p, result, 0, 1)
    except Canceled:
        raise JobCanceled() from None
