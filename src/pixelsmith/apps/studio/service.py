"""StudioService: what the routes and the CLI call. Validates, stores inputs, submits jobs.

Filters (core/filters.py, shared with Desk Makeover) and edge maps are quick and answered
inline; panoramas and upscales run as jobs.
Sketch → image runs on the generation engine (core/generation) as a `gen.sketch2img` job; until
a sketch model is installed, it answers 503 `model_unavailable` saying so and how to install one
— never a stand-in picture.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PIL import Image

from pixelsmith.core import filters
from pixelsmith.core.errors import ApiError, ModelUnavailable
from pixelsmith.core.images import IntakeImage, downscale_to, encode_image
from pixelsmith.core.services import Services

from . import panorama, upscale
from .edges import EdgeParams, extract_edges

# Filters run inline on the request: keep them under a few seconds at the slowest (oil).
MAX_FILTER_PIXELS = 25_000_000
SKETCH_CAPABILITY = "sketch2img"
SKETCH_MODEL = "sdxl-t2i-sketch"
SKETCH_INSTALL = f"pixelsmith models install {SKETCH_MODEL}"
SKETCH_CATEGORIES = ("object", "animal", "person", "building", "landscape", "vehicle", "other")
SKETCH_STYLES = ("photo", "illustration", "watercolor", "oil", "anime", "3d")
# The canvas's style choices → the generation engine's style presets.
SKETCH_STYLE_PRESETS = {
    "photo": "photo",
    "illustration": "illustration",
    "watercolor": "watercolor",
    "oil": "oil",
    "anime": "anime",
    "3d": "3d",
}


@dataclass
class FilterOutput:
    data: bytes
    media_type: str
    ext: str
    width: int
    height: int
    style: str
    params: dict[str, Any]
    elapsed_ms: float


def edges_png(intake: IntakeImage, params: EdgeParams) -> bytes:
    """The edge map as a PNG (dark strokes on white)."""
    rgb = intake.to_rgb_array()
    return encode_image(Image.fromarray(extract_edges(rgb, params), "L"), "png")


def output_format(intake: IntakeImage, requested: str | None) -> str:
    """The format asked for, else JPEG for JPEG uploads and PNG for the rest (alpha kept)."""
    if requested:
        fmt = requested.lower()
        if fmt == "jpg":
            fmt = "jpeg"
        if fmt not in ("jpeg", "png", "webp"):
            raise ApiError(
                f"Cannot save images as {requested!r}. Choose png, jpeg or webp.",
                code="unsupported_output_format",
                status_code=422,
                details={"format": requested, "allowed": ["jpeg", "png", "webp"]},
            )
        return fmt
    return "jpeg" if intake.format == "jpeg" and not intake.has_alpha else "png"


def filter_image(
    intake: IntakeImage,
    style: str,
    params: dict[str, Any] | None = None,
    fmt: str | None = None,
    quality: int = 92,
) -> FilterOutput:
    spec = filters.get_filter(style)
    p = filters.validate_params(style, params)
    if intake.width * intake.height > MAX_FILTER_PIXELS:
        raise ApiError(
            f"Filters take images up to {MAX_FILTER_PIXELS / 1e6:.0f} megapixels; this one is "
            f"{intake.width}×{intake.height}. Resize it and try again.",
            code="image_too_large",
            status_code=422,
            details={"width": intake.width, "height": intake.height},
        )
    fmt = output_format(intake, fmt)
    started = time.perf_counter()
    image = filters.apply_filter_to_image(intake.image, spec.name, p)  # a cut-out's alpha kept
    elapsed = (time.perf_counter() - started) * 1000
    data = encode_image(image, fmt, quality=quality)
    ext = "jpg" if fmt == "jpeg" else fmt
    return FilterOutput(
        data, f"image/{fmt}", ext, image.width, image.height, style, p.model_dump(), elapsed
    )


class StudioService:
    def __init__(self, services: Services) -> None:
        self.services = services

    # ---- filters (inline) ------------------------------------------------------------------
    def apply_filter(
        self,
        intake: IntakeImage,
        style: str,
        params: dict[str, Any] | None = None,
        fmt: str | None = None,
        quality: int = 92,
    ) -> FilterOutput:
        return filter_image(intake, style, params, fmt, quality)

    def store(self, out: FilterOutput) -> str:
        return self.services.storage.put(
            out.data, content_type=out.media_type, suffix=f".{out.ext}"
        )

    # ---- edges (inline) --------------------------------------------------------------------
    def edges(self, intake: IntakeImage, params: EdgeParams) -> bytes:
        return edges_png(intake, params)

    # ---- jobs --------------------------------------------------------------------------------
    def _store_input(self, intake: IntakeImage, max_side: int | None = None) -> str:
        image = intake.image if max_side is None else downscale_to(intake.image, max_side)
        lossless = intake.format == "png" or intake.has_alpha
        fmt, suffix = ("png", ".png") if lossless else ("jpeg", ".jpg")
        data = encode_image(image, fmt, quality=95)
        return self.services.storage.put(data, content_type=f"image/{fmt}", suffix=suffix)

    def store_panorama_photo(self, intake: IntakeImage) -> str:
        """Store one photo of a panorama at the size the stitcher works at. Stored one at a
        time as they arrive, so ten full-size uploads are never decoded at once."""
        return self._store_input(intake, panorama.MAX_INPUT_SIDE)

    def submit_panorama(
        self,
        keys: list[str],
        *,
        mode: str = "panorama",
        crop: bool = True,
        names: list[str] | None = None,
        fmt: str = "jpeg",
    ) -> dict:
        """Submit a panorama of photos stored by `store_panorama_photo`, in order."""
        check_image_count(len(keys))
        params = {
            "image_keys": keys,
            "names": [n[:200] for n in (names or [])][: len(keys)],
            "mode": mode,
            "crop": crop,
            "format": fmt,
        }
        return self.services.jobs.submit("studio.panorama", params)

    def submit_upscale(
        self, intake: IntakeImage, *, scale: int = 2, model: str = "fast", fmt: str | None = None
    ) -> dict:
        upscale.check_size(intake.width, intake.height, scale)
        key = self._store_input(intake)
        params = {
            "image_key": key,
            "scale": scale,
            "model": model,
            "format": output_format(intake, fmt),
        }
        return self.services.jobs.submit("studio.upscale", params)

    # ---- sketch → image (the generation engine) --------------------------------------------
    def submit_sketch(self, intake: IntakeImage, *, prompt: str, category: str, style: str) -> dict:
        """Inputs are checked first (bad input is a 4xx, whatever the model state); then the
        sketch is stored and a gen.sketch2img job submitted, or 503 when no model is installed."""
        from pixelsmith.core.generation import store
        from pixelsmith.core.generation.catalogue import CATALOGUE
        from pixelsmith.core.generation.routes import configured_model, submit_generation

        settings = self.services.settings
        model = configured_model(self.services, SKETCH_CAPABILITY, None)
        if store.reason(settings, model) is not None:
            install = f"pixelsmith models install {model}"
            raise ModelUnavailable(
                "No sketch-to-image model is installed, so this sketch cannot be turned into a "
                f"picture yet. Run `{install}` while online (it needs a GPU to run "
                "well), then submit the sketch again.",
                details={
                    "capability": SKETCH_CAPABILITY,
                    "model": model,
                    "install_command": install,
                    "reason": store.reason(settings, model),
                },
            )
        e = CATALOGUE[model]
        width, height = sketch_size(intake.width, intake.height, e.default_size)
        key = self.services.storage.put(
            encode_image(intake.image.convert("RGB").resize((width, height)), "png"),
            content_type="image/png",
            suffix=".png",
        )
        subject = "" if category in ("object", "other") else f", {category}"
        params = {
            "model": model,
            "prompt": f"{prompt}{subject}",
            "style": SKETCH_STYLE_PRESETS[style],
            "image_key": key,
            "width": width,
            "height": height,
            "steps": e.default_steps,
            "guidance": e.default_guidance,
        }
        return submit_generation(self.services, SKETCH_CAPABILITY, params)


def sketch_size(width: int, height: int, side: int) -> tuple[int, ...]:
    """The output size: the model's native side on the longer edge (the shorter one at least
    64), multiples of 8, at most 2048."""
    scale = max(side / max(width, height), 64 / min(width, height))
    return tuple(min(2048, max(64, round(v * scale / 8) * 8)) for v in (width, height))


def check_image_count(n: int) -> None:
    if n < panorama.MIN_IMAGES:
        raise ApiError(
            f"A panorama needs at least {panorama.MIN_IMAGES} overlapping photos; got {n}. "
            "Add more.",
            code="need_more_images",
            status_code=422,
            details={"images": n, "min": panorama.MIN_IMAGES},
        )
    if n > panorama.MAX_IMAGES:
        raise ApiError(
            f"A panorama takes at most {panorama.MAX_IMAGES} photos; got {n}. Leave some out.",
            code="too_many_images",
            status_code=422,
            details={"images": n, "max": panorama.MAX_IMAGES},
        )
