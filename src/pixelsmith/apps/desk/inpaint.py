"""The makeover render on a GPU: each placed item repainted by an inpainting model.

The CPU composite (render.composite) decides where each item goes and how big it is; this path
then repaints each item's placement mask, grown by a few pixels (DILATE), with the item's prompt
through the generation engine's "inpaint" capability (SDXL inpainting):

1. a window around the grown mask (its box grown by CONTEXT per side, so the model sees the
   desk around it) is cut from the composite and resized to the model's size (multiples of 8);
2. the engine inpaints the mask in that window, one call per item, seeded seed + item index;
3. the result is resized back and blended into the composite *inside the grown mask only*
   (feathered inward), so every pixel outside it stays the composite's, and every pixel outside
   the grown masks and the shadows stays the photo's.

strength=1.0 (the default) paints the mask from noise: the model sees only the desk around it
and the prompt (with few steps SDXL inpainting needs 1.0 or it runs fewer steps than asked).
A lower strength starts from the composite, so the pasted product shows through.

Progress and cancel follow the engine: on_step(step, total, preview) with steps counted over all
items, is_canceled() polled between steps; a cancel raises engine.Canceled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

from pixelsmith.core.config import Settings
from pixelsmith.core.generation import store
from pixelsmith.core.generation.catalogue import entry
from pixelsmith.core.generation.state import current_settings

from .render import ItemPlacement, RenderItem, RenderResult, check_photo, composite
from .types import Box, DeskAnalysis

if TYPE_CHECKING:
    from pixelsmith.core.generation.engine import Engine

CAPABILITY = "inpaint"
DILATE = 0.04  # the mask grows by this share of the item's longer side (at least MIN_DILATE px)
MIN_DILATE = 3
CONTEXT = 0.5  # the window: the grown mask's box grown by this share of its size per side
NEGATIVE = "blurry, distorted, deformed, text, watermark, extra objects"
StepCallback = Callable[[int, int, Callable[[], bytes]], None]


def _settings(engine: Engine | None) -> Settings:
    return engine.settings if engine is not None else current_settings()


def inpaint_model(engine: Engine | None = None, model: str | None = None) -> str:
    """The inpainting model this path would use (settings.gen_inpaint_model by default)."""
    return model or _settings(engine).gen_inpaint_model


def inpaint_unavailable(engine: Engine | None = None, model: str | None = None) -> str | None:
    """None when an inpainting model is installed (use `inpaint`), else why not and what to run
    (use `render.composite`). Cheap: looks at folders only, loads nothing, no network."""
    name = inpaint_model(engine, model)
    if CAPABILITY not in entry(name).capabilities:
        return f"{name} cannot inpaint"
    return store.reason(_settings(engine), name)


def inpaint(
    photo_rgb: np.ndarray,
    analysis: DeskAnalysis,
    items: list[RenderItem],
    *,
    seed: int = 0,
    engine: Engine | None = None,
    model: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    strength: float = 1.0,
    size: int | None = None,
    on_step: StepCallback | None = None,
    is_canceled: Callable[[], bool] = lambda: False,
    cpu: RenderResult | None = None,
) -> RenderResult:
    """The photo with `items` painted in by the inpainting model (ModelUnavailable without one).

    `cpu` is the composite to start from (placements, shadows); computed when not given.
    `size` is the longer side the model paints at (default: the model's own, 1024 for SDXL)."""
    from pixelsmith.core.generation.engine import Canceled, Request, get_engine

    engine = engine or get_engine()
    name = inpaint_model(engine, model)
    engine.require(name)  # a clear 503 before any work when the weights are not there
    e = entry(name)
    steps = steps or e.default_steps
    guidance = e.default_guidance if guidance is None else guidance
    size = size or e.default_size
    check_photo(photo_rgb, analysis)
    base = cpu or composite(photo_rgb, analysis, items, seed=seed)
    prompts = {i.product_id: i.prompt or f"a {i.label.replace('_', ' ')} on a desk" for i in items}

    out = base.image.copy()
    placed = base.placed
    results: list[ItemPlacement] = []
    done = 0
    for p in base.items:
        if not p.placed:
            results.append(p)
            continue
        if is_canceled():
            raise Canceled()
        grown, window = _grown_mask(p, analysis)
        width, height = _model_size(window, size)
        crop = out[window.y : window.y2, window.x : window.x2]
        mask = grown[window.y : window.y2, window.x : window.x2]
        req = Request(
            capability=CAPABILITY,
            prompt=prompts[p.product_id],
            negative_prompt=NEGATIVE,
            width=width,
            height=height,
            steps=steps,
            guidance=guidance,
            seed=seed + done,
            image=Image.fromarray(crop).resize((width, height), Image.Resampling.LANCZOS),
            mask=Image.fromarray(mask).resize((width, height), Image.Resampling.BILINEAR),
            strength=strength,
        )
        index = done

        def forward(step: int, total: int, preview: Callable[[], bytes], index=index) -> None:
            if on_step is not None:
                on_step(index * total + step, len(placed) * total, preview)

        painted = engine.generate(name, req, on_step=forward, is_canceled=is_canceled)
        painted = np.asarray(
            painted.convert("RGB").resize((window.w, window.h), Image.Resampling.LANCZOS)
        )
        weight = _feathered(mask, p, window)
        w16 = weight.astype(np.uint16)[..., None]
        crop[:] = ((painted * w16 + crop * (255 - w16) + 127) // 255).astype(np.uint8)
        ys, xs = np.nonzero(weight)
        box = Box(
            window.x + int(xs.min()),
            window.y + int(ys.min()),
            int(np.ptp(xs)) + 1,
            int(np.ptp(ys)) + 1,
        )
        crop_y, crop_x = box.y - window.y, box.x - window.x
        results.append(
            replace(
                p,
                box=box,
                mask=np.ascontiguousarray(weight[crop_y : crop_y + box.h, crop_x : crop_x + box.w]),
            )
        )
        done += 1
    return RenderResult(
        out,
        results,
        "inpaint",
        base.elapsed_ms,
        extra={"model": name, "steps": steps, "strength": strength, "seed": seed},
    )


def _grown_mask(p: ItemPlacement, analysis: DeskAnalysis) -> tuple[np.ndarray, Box]:
    """The item's mask grown by DILATE (uint8 0/255, photo size) and the window around it."""
    h, w = analysis.height, analysis.width
    r = max(MIN_DILATE, round(DILATE * max(p.box.w, p.box.h)))
    full = p.full_mask(h, w).astype(np.uint8) * 255
    grown = cv2.dilate(full, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    gx, gy = round(CONTEXT * p.box.w) + r, round(CONTEXT * p.box.h) + r
    x1, y1 = max(0, p.box.x - gx), max(0, p.box.y - gy)
    x2, y2 = min(w, p.box.x2 + gx), min(h, p.box.y2 + gy)
    return grown, Box(x1, y1, x2 - x1, y2 - y1)


def _model_size(window: Box, side: int) -> tuple[int, int]:
    """The window's shape at `side` on its longer side, both multiples of 8, at least 64."""
    f = side / max(window.w, window.h)

    def to8(v: float) -> int:
        return max(64, int(round(v * f / 8.0)) * 8)

    return to8(window.w), to8(window.h)


def _feathered(mask: np.ndarray, p: ItemPlacement, window: Box) -> np.ndarray:
    """Blend weight (uint8): 255 on the item, fading toward the grown mask's edge, 0 outside."""
    sigma = max(1.0, MIN_DILATE / 2.0, DILATE * max(p.box.w, p.box.h) / 2.0)
    soft = cv2.GaussianBlur(mask, (0, 0), sigma)
    weight = np.minimum(soft, mask)  # never outside the grown mask
    item = p.full_mask(window.y2, window.x2)[window.y :, window.x :]
    weight[item] = 255
    return weight
