"""Desk analysis: items, palette, style, free surface and scale of a working photo.

`analyze(rgb)` is pure: an RGB working photo in (longer side ≤ WORKING_MAX_SIDE, as intake made
it), a DeskAnalysis out, coordinates in that photo's pixels. Each step lives in its own module:
items.py (proposals + classifier), palette.py (k-means in Lab), surface.py (desk top minus
items), style.py (rules with evidence), scale.py (px/cm from known-size items).
"""

from __future__ import annotations

import time

import numpy as np

from .items import detect_items
from .palette import dominant_palette
from .scale import estimate_scale
from .style import score_styles
from .surface import desk_mask, free_surface
from .types import WORKING_MAX_SIDE, Box, DeskAnalysis, DeskItem


def analyze(rgb: np.ndarray) -> DeskAnalysis:
    """Analyse an RGB working photo (H×W×3 uint8, longer side ≤ WORKING_MAX_SIDE)."""
    started = time.perf_counter()
    img = np.asarray(rgb)
    if img.ndim != 3 or img.shape[2] < 3 or img.dtype != np.uint8:
        raise ValueError("analyze() needs an H×W×3 uint8 RGB image")
    img = np.ascontiguousarray(img[:, :, :3])
    h, w = img.shape[:2]
    if max(h, w) > WORKING_MAX_SIDE:
        raise ValueError(f"downscale the photo to ≤ {WORKING_MAX_SIDE} px first (got {w}×{h})")
    items = drop_screen_content(detect_items(img))
    pal = dominant_palette(img)
    desk, _ = desk_mask(pal)
    styles = score_styles(pal, desk, items)
    surface, obstacles = free_surface(pal, [i.box for i in items], (w, h))
    return DeskAnalysis(
        width=w,
        height=h,
        items=items,
        palette=pal.colours,
        styles=styles,
        surface=surface,
        scale=estimate_scale(items, w, h),
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        obstacles=obstacles,
    )


SCREENS = ("monitor", "laptop")
INSIDE = 0.8  # of an item's box inside a screen's box: it is what the screen shows


def drop_screen_content(items: list[DeskItem]) -> list[DeskItem]:
    """Items found inside a monitor's or laptop's box are pictures on the screen (a clock
    widget, a photo of a plant), not things on the desk."""
    screens = [i.box for i in items if i.label in SCREENS]

    def inside(b: Box, s: Box) -> float:
        ix = max(0, min(b.x2, s.x2) - max(b.x, s.x))
        iy = max(0, min(b.y2, s.y2) - max(b.y, s.y))
        return ix * iy / max(1, b.w * b.h)

    return [
        i
        for i in items
        if i.label in SCREENS or not any(inside(i.box, s) >= INSIDE for s in screens)
    ]
