"""Backdrop Studio job kinds: `backdrop.render` (one product on chosen backgrounds),
`backdrop.batch` (many photos → cut-out, brief, top-k backgrounds and renders under ONE
lighting → a zip with a folder per product and a contact sheet) and
`backdrop.generate_background` (GPU queue: a background painted from a brief by txt2img;
the API adds it to the library when it first sees the job succeeded).

Params hold everything a job needs (blob keys, the matte's numbers, the assets as dicts), so a
worker process never reads the database.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from typing import Annotated, Any

import numpy as np
from PIL import Image, ImageDraw
from pydantic import BaseModel, Field, StringConstraints

from pixelsmith.core.generation.params import Txt2ImgParams
from pixelsmith.core.images import downscale_to, encode_image, read_image
from pixelsmith.core.jobs.context import JobContext, JobFailed
from pixelsmith.core.jobs.kinds import job_kind

from .models import asset_from_dict, lighting_from_dict
from .types import WORKING_MAX_SIDE, Matte, MatteFlag

BlobKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")]
# Inputs were checked on upload; this only guards the decode inside the worker.
_BLOB_LIMITS = {"max_bytes": 64 * 1024 * 1024, "max_pixels": 40_000_000, "max_side": 12_000}
RENDER_SIZE = (1024, 1024)  # (width, height) without a preset
JPEG_QUALITY = 92
SHEET_CELL = 240  # contact sheet: one row per product, its cut-out then its renders
SHEET_LABEL = 22


class ProductRef(BaseModel):
    id: str = Field(..., max_length=32)
    name: str = Field("", max_length=200)
    rgba_key: BlobKey
    matte: dict[str, Any]


class RenderParams(BaseModel):
    product: ProductRef
    assets: list[dict[str, Any]] = Field(..., min_length=1, max_length=12)
    lighting: dict[str, Any]
    preset: str | None = Field(None, max_length=40)
    autofix: bool = True


class BatchPhoto(BaseModel):
    key: BlobKey
    name: str = Field(..., max_length=200)


class BatchParams(BaseModel):
    photos: list[BatchPhoto] = Field(..., min_length=1, max_length=50)
    assets_key: BlobKey
    k: int = Field(4, ge=1, le=8)
    preset: str | None = Field(None, max_length=40)
    lighting: dict[str, Any] | None = None  # None: the first product's brief sets it for all
    skipped: list[dict[str, str]] = Field(default_factory=list, max_length=200)


class GenerateParams(Txt2ImgParams):
    name: str = Field("Generated background", max_length=120)
    description: str = Field("", max_length=400)


# ---- shared pieces -------------------------------------------------------------------------------


def load_rgb(ctx: JobContext, key: str) -> np.ndarray:
    return read_image(ctx.load_blob(key), **_BLOB_LIMITS).to_rgb_array()


def load_matte(ctx: JobContext, product: ProductRef) -> Matte:
    """The stored cut-out (decontaminated RGB + alpha, photo-sized) as the Matte it was."""
    with Image.open(io.BytesIO(ctx.load_blob(product.rgba_key)), formats=["PNG"]) as img:
        rgba = np.array(img.convert("RGBA"), dtype=np.uint8)
    m = product.matte
    b = m["box"]
    return Matte(
        rgb=np.ascontiguousarray(rgba[:, :, :3]),
        alpha=np.ascontiguousarray(rgba[:, :, 3]),
        box=(int(b["x"]), int(b["y"]), int(b["w"]), int(b["h"])),
        confidence=float(m.get("confidence", 1.0)),
        flags=[MatteFlag(**f) for f in m.get("flags") or []],
    )


def _preset(preset_id: str | None) -> Any:
    if preset_id is None:
        return None
    from .presets import PRESETS

    if preset_id not in PRESETS:
        raise JobFailed(f"Unknown preset {preset_id!r}.", code="unknown_preset")
    return PRESETS[preset_id]


def render_one(
    matte: Matte, bg: np.ndarray, asset: Any, lighting: Any, preset: Any, autofix: bool = True
) -> Any:
    """compose → (preset) autofix, or just a compliance check when autofix is off."""
    from .composite import compose
    from .presets import autofix as fix
    from .presets import check

    size = (preset.width, preset.height) if preset else RENDER_SIZE
    render = compose(matte, bg, asset, lighting, size=size)
    if preset is not None:
        if autofix:
            render = fix(render, preset, background=bg)
        else:
            render.preset = preset.id
            render.compliance = check(render, preset)
    return render


def encode_render(render: Any, preset: Any) -> tuple[bytes, str, str]:
    """(bytes, extension, content type): the preset's format, else JPEG."""
    img = Image.fromarray(render.image, "RGB")
    if preset is not None and preset.format == "png":
        return encode_image(img, "png", png_level=1), "png", "image/png"
    return encode_image(img, "jpeg", quality=JPEG_QUALITY), "jpg", "image/jpeg"


def slug(name: str, taken: set[str]) -> str:
    """A safe, unique folder name for a product in the zip."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:60] or "product"
    out, n = base, 2
    while out.lower() in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out.lower())
    return out


def contact_sheet(rows: list[tuple[str, list[np.ndarray]]]) -> bytes:
    """One row per product: its images side by side, its name above (JPEG)."""
    cols = max((len(images) for _, images in rows), default=1) or 1
    cell, label = SHEET_CELL, SHEET_LABEL
    sheet = Image.new("RGB", (cols * cell, max(1, len(rows)) * (cell + label)), (245, 245, 245))
    draw = ImageDraw.Draw(sheet)
    for r, (name, images) in enumerate(rows):
        y = r * (cell + label)
        draw.text((6, y + 4), name[:60], fill=(40, 40, 40))
        for c, rgb in enumerate(images):
            thumb = Image.fromarray(rgb[:, :, :3] if rgb.ndim == 3 else rgb)
            thumb.thumbnail((cell - 8, cell - 8), Image.Resampling.LANCZOS)
            sheet.paste(
                thumb,
                (c * cell + (cell - thumb.width) // 2, y + label + (cell - thumb.height) // 2),
            )
    return encode_image(sheet, "jpeg", quality=85)


def _on_checkerboard(rgba: np.ndarray) -> np.ndarray:
    """An RGBA cut-out over a light checkerboard, for the contact sheet."""
    h, w = rgba.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    board = np.where(((yy // 16 + xx // 16) % 2)[..., None] == 0, 235, 205).astype(np.float32)
    a = rgba[:, :, 3:4].astype(np.float32) / 255
    return (rgba[:, :, :3] * a + board * (1 - a)).astype(np.uint8)


# ---- backdrop.render -----------------------------------------------------------------------------


@job_kind("backdrop.render", params=RenderParams)
def render_job(ctx: JobContext, p: RenderParams) -> dict:
    """Composite one product on each chosen background (+ the preset's autofix)."""
    total = len(p.assets) + 2
    ctx.progress(0, total, "loading the cut-out")
    matte = load_matte(ctx, p.product)
    lighting = lighting_from_dict(p.lighting)
    preset = _preset(p.preset)
    renders, files = [], []
    for i, d in enumerate(p.assets, start=1):
        ctx.check_canceled()
        asset = asset_from_dict(d)
        ctx.progress(i, total, f"compositing on {asset.name}")
        t0 = time.perf_counter()
        bg = load_rgb(ctx, asset.blob_key)
        render = render_one(matte, bg, asset, lighting, preset, p.autofix)
        data, ext, ctype = encode_render(render, preset)
        name = f"render-{i:02d}.{ext}"
        ctx.save_artifact(data, name=name, content_type=ctype)
        files.append((f"{i:02d}-{_safe(asset.id)}.{ext}", data))
        out = render.to_dict()
        out.update(
            n=i,
            file=name,
            asset_name=asset.name,
            elapsed_ms=round((time.perf_counter() - t0) * 1000, 1),
        )
        renders.append(out)
    ctx.check_canceled()
    ctx.progress(total - 1, total, "packing the zip")
    folder = slug(p.product.name or p.product.id, set())
    ctx.save_artifact(
        _zip([(f"{folder}/{n}", data) for n, data in files]),
        name="renders.zip",
        content_type="application/zip",
    )
    ctx.progress(total, total, "done")
    return {"renders": renders, "preset": p.preset, "lighting": lighting.to_dict()}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)[:60] or "asset"


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:  # JPEG/PNG do not deflate
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


# ---- backdrop.batch ------------------------------------------------------------------------------


@job_kind("backdrop.batch", params=BatchParams)
def batch_job(ctx: JobContext, p: BatchParams) -> dict:
    """Each photo: cut-out → analysis → brief → top-k backgrounds → renders, all under one
    lighting; → renders.zip (a folder per product, report.json) and contact-sheet.jpg."""
    from pixelsmith.core.cutout import NoObjectFound, matte

    from .analysis import analyze
    from .brief import make_brief
    from .index import AssetIndex

    steps_each = p.k + 2
    total = 1 + len(p.photos) * steps_each + 1
    ctx.progress(0, total, "indexing the backgrounds")
    assets = [asset_from_dict(d) for d in json.loads(ctx.load_blob(p.assets_key))]
    if not assets:
        raise JobFailed("The background library is empty.", code="no_assets")
    index = AssetIndex.build(assets)
    preset = _preset(p.preset)
    lighting = lighting_from_dict(p.lighting) if p.lighting else None
    entries: list[tuple[str, bytes]] = []
    sheet: list[tuple[str, list[np.ndarray]]] = []
    products: list[dict] = []
    skipped = list(p.skipped)
    taken: set[str] = set()
    backgrounds: dict[str, np.ndarray] = {}
    for i, photo in enumerate(p.photos):
        step = 1 + i * steps_each
        ctx.check_canceled()
        ctx.progress(step, total, f"cutting out {photo.name} ({i + 1} of {len(p.photos)})")
        try:
            intake = read_image(ctx.load_blob(photo.key), **_BLOB_LIMITS)
            rgb = np.asarray(downscale_to(intake.image, WORKING_MAX_SIDE).convert("RGB"))
            m = matte(np.ascontiguousarray(rgb))
        except NoObjectFound:
            skipped.append({"name": photo.name, "reason": "no product stands out in the photo"})
            continue
        except Exception as exc:  # an ApiError from the intake: a bad file, not a bad batch
            skipped.append({"name": photo.name, "reason": getattr(exc, "message", str(exc))})
            continue
        analysis = analyze(m)
        brief = make_brief(analysis, lighting=lighting)
        if lighting is None:  # the first product sets the light for the whole batch
            lighting = brief.lighting
        ctx.progress(step + 1, total, f"choosing backgrounds for {photo.name}")
        found = index.search(brief, analysis, k=p.k)
        folder = slug(photo.name, taken)
        cut = m.rgba()
        x, y, w, h = m.box
        cut = np.ascontiguousarray(cut[y : y + h, x : x + w])
        entries.append((f"{folder}/cutout.png", encode_image(Image.fromarray(cut, "RGBA"), "png")))
        entries.append((f"{folder}/brief.txt", _brief_text(brief).encode()))
        row_images = [_on_checkerboard(cut)]
        renders = []
        for j, sug in enumerate(found, start=1):
            ctx.check_canceled()
            ctx.progress(step + 1 + j, total, f"{photo.name}: render {j} of {len(found)}")
            asset = sug.asset
            if asset.id not in backgrounds:
                if len(backgrounds) >= 16:  # a few MB each: keep the cache bounded
                    backgrounds.clear()
                backgrounds[asset.id] = load_rgb(ctx, asset.blob_key)
            render = render_one(m, backgrounds[asset.id], asset, lighting, preset)
            data, ext, _ = encode_render(render, preset)
            entries.append((f"{folder}/{j:02d}-{_safe(asset.id)}.{ext}", data))
            row_images.append(render.image)
            renders.append(
                {
                    "n": j,
                    "asset_id": asset.id,
                    "asset_name": asset.name,
                    "score": round(float(sug.score), 4),
                    "file": f"{folder}/{j:02d}-{_safe(asset.id)}.{ext}",
                    "compliance": render.compliance.to_dict() if render.compliance else None,
                }
            )
        sheet.append((photo.name, row_images))
        products.append(
            {
                "name": photo.name,
                "folder": folder,
                "category": analysis.category,
                "flags": [f.code for f in m.flags],
                "brief": brief.to_dict("en")["text"],
                "renders": renders,
            }
        )
    if not products:
        raise JobFailed(
            "No product could be cut out of any photo in the batch.",
            code="no_products",
            details={"skipped": skipped[:50]},
        )
    ctx.check_canceled()
    ctx.progress(total - 1, total, "packing the zip")
    sheet_jpeg = contact_sheet(sheet)
    light = lighting.to_dict() if lighting else None
    report = {"products": products, "skipped": skipped, "lighting": light, "preset": p.preset}
    entries.append(("contact-sheet.jpg", sheet_jpeg))
    entries.append(("report.json", json.dumps(report, ensure_ascii=False, indent=2).encode()))
    ctx.save_artifact(sheet_jpeg, name="contact-sheet.jpg", content_type="image/jpeg")
    ctx.save_artifact(_zip(entries), name="renders.zip", content_type="application/zip")
    ctx.progress(total, total, "done")
    return report


def _brief_text(brief: Any) -> str:
    lines = [brief.text.get(lang, "") for lang in ("en", "ko") if brief.text.get(lang)]
    return "\n\n".join(lines) + f"\n\nquery: {brief.query}\n"


# ---- backdrop.generate_background (GPU) ----------------------------------------------------------


def generate_unavailable(settings: Any) -> str | None:
    """None when a txt2img model is installed, else why not (folders only, no loading)."""
    from pixelsmith.core.generation import store
    from pixelsmith.core.generation.catalogue import CATALOGUE

    name = settings.gen_txt2img_model
    entry = CATALOGUE.get(name)
    if entry is None or "txt2img" not in entry.capabilities:
        return f"{name} cannot paint an image from text (txt2img)"
    return store.reason(settings, name)


@job_kind("backdrop.generate_background", params=GenerateParams, queue="gpu")
def generate_job(ctx: JobContext, p: GenerateParams) -> dict:
    """A studio background from a product's brief (txt2img through the engine)."""
    from pixelsmith.core.generation.jobs import run_request

    out = run_request(ctx, "txt2img", p)
    out.update(name=p.name, description=p.description)
    return out
