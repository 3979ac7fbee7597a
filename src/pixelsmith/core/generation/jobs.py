"""The gen.* job kinds: txt2img, img2img, inpaint, sketch2img on the GPU queue.

Each reads its inputs from stored blobs, runs one request through the engine with per-step
progress (and a preview at most every PREVIEW_INTERVAL_S), stops at the next step when canceled,
and stores the image as the artifact `image.<format>` (attached only if the job succeeds).
"""

from __future__ import annotations

import io
import secrets
import time

from PIL import Image, ImageOps

from pixelsmith.core.images import encode_image, read_image
from pixelsmith.core.jobs.context import JobCanceled, JobContext
from pixelsmith.core.jobs.kinds import job_kind

from .params import GenParams, Img2ImgParams, InpaintParams, Sketch2ImgParams, Txt2ImgParams
from .styles import apply_style, get_style

_BLOB_LIMITS = {"max_bytes": 200 * 1024 * 1024, "max_pixels": 200_000_000, "max_side": 30_000}
MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def _image(ctx: JobContext, key: str, size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    img = read_image(ctx.load_blob(key), **_BLOB_LIMITS).image
    if mode == "L":
        img = img.convert("L")
    else:
        img = img.convert("RGB")
    if img.size != size:
        img = img.resize(size, Image.Resampling.LANCZOS)
    return img


def run_request(ctx: JobContext, capability: str, p: GenParams, **inputs) -> dict:  # noqa: ANN003
    """Shared body of the gen.* kinds (also what the benchmark times)."""
    from .engine import Canceled, Request, get_engine

    engine = get_engine()
    model = engine.model_for(capability, p.model)
    style = get_style(p.style)
    prompt, negative = apply_style(style, p.prompt, p.negative_prompt)
    lora = p.lora or style.lora
    seed = p.seed if p.seed is not None else secrets.randbelow(2**31)
    req = Request(
        capability=capability,
        prompt=prompt,
        negative_prompt=negative,
        width=p.width,
        height=p.height,
        steps=p.steps,
        guidance=p.guidance,
        seed=seed,
        lora=lora,
        lora_scale=p.lora_scale if p.lora else style.lora_scale,
        **inputs,
    )
    ctx.check_canceled()
    if not engine.is_loaded(model):  # the first call loads the weights, which can take a while
        ctx.progress(0, p.steps, f"loading {model}")
    last_preview = 0.0

    def on_step(step: int, total: int, preview) -> None:  # noqa: ANN001
        nonlocal last_preview
        now = time.monotonic()
        jpeg = None
        # A first look at once, then every PREVIEW_INTERVAL_S; none at the last step, because
        # the final image follows it.
        if step < total and (step == 1 or now - last_preview >= PREVIEW_INTERVAL_S):
            jpeg = preview()
            last_preview = now
        ctx.progress(step, total, f"step {step} of {total}", preview=jpeg)

    try:
        image = engine.generate(model, req, on_step=on_step, is_canceled=lambda: ctx.canceled)
    except Canceled:
        raise JobCanceled() from None
    ctx.check_canceled()
    data = encode_image(image, p.format)
    ctx.save_artifact(data, name=f"image.{p.format}", content_type=MEDIA[p.format])
    return {
        "model": model,
        "seed": seed,
        "width": image.width,
        "height": image.height,
        "steps": p.steps,
        "style": p.style,
        "lora": lora,
        "prompt": prompt,
        "negative_prompt": negative,
    }


PREVIEW_INTERVAL_S = 0.5


@job_kind("gen.txt2img", params=Txt2ImgParams, queue="gpu")
def txt2img_job(ctx: JobContext, p: Txt2ImgParams) -> dict:
    """Text → image (SD-Turbo, SDXL-Turbo, SDXL, SD 1.5)."""
    return run_request(ctx, "txt2img", p)


@job_kind("gen.img2img", params=Img2ImgParams, queue="gpu")
def img2img_job(ctx: JobContext, p: Img2ImgParams) -> dict:
    """Image + text → image."""
    image = _image(ctx, p.image_key, (p.width, p.height))
    return run_request(ctx, "img2img", p, image=image, strength=p.strength)


@job_kind("gen.inpaint", params=InpaintParams, queue="gpu")
def inpaint_job(ctx: JobContext, p: InpaintParams) -> dict:
    """Repaint the white part of a mask (SDXL inpainting)."""
    image = _image(ctx, p.image_key, (p.width, p.height))
    mask = _image(ctx, p.mask_key, (p.width, p.height), mode="L")
    return run_request(ctx, "inpaint", p, image=image, mask=mask, strength=p.strength)


@job_kind("gen.sketch2img", params=Sketch2ImgParams, queue="gpu")
def sketch2img_job(ctx: JobContext, p: Sketch2ImgParams) -> dict:
    """Sketch + text → image (T2I-Adapter sketch on SDXL)."""
    sketch = _image(ctx, p.image_key, (p.width, p.height), mode="L")
    if p.invert:  # the adapter wants white strokes on black
        sketch = ImageOps.invert(sketch)
    return run_request(
        ctx, "sketch2img", p, image=sketch.convert("RGB"), adapter_scale=p.adapter_scale
    )


def image_size(data: bytes) -> tuple[int, int]:
    """Width, height from a stored image's header (cheap; no full decode)."""
    with Image.open(io.BytesIO(data)) as img:
        return img.size
