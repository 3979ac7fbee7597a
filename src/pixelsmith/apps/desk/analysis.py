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
from .types import WORKING_MAX_SIDE, DeskAnalysis


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
    items = detect_items(img)
    pal = dominant_palette(img)
    desk, _ = desk_mask(pal)
    styles = score_styles(pal, desk, items)
    surface = free_surface(pal, [i.box for i in items], (w, h))
    return DeskAnalysis(
        width=w,
        height=h,
        items=items,
        palette=pal.colours,
        styles=styles,
        surface=surface,
        scale=estimate_scale(items, w, h),
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
    )
