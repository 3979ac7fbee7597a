"""A product cut-out brought to its spot: trimmed, scaled, keystoned and feathered.

Keystone model: the desk recedes, so the plane's scale at the item's top row is smaller than at
its base row (`scale.at(top) / scale.at(base)` < 1 when per_row > 0). The cut-out's base keeps
the base row's scale (its width is the item's real width there), and its top edge is narrowed
half-way toward the plane's scale at the top row (KEYSTONE_STRENGTH), never below MIN_TOP: the
item reads as standing on a receding plane without looking bent. (A level camera would not
taper an upright object at all; desk photos are taken from above, and the half-strength taper
is the compromise that keeps frontal product photos believable.) The vertical compression is
already in the spot's height (placement.vertical_compression).

All resampling is done on premultiplied colour, so transparent pixels (often black in a
cut-out file) never bleed into the edge.
"""

from __future__ import annotations

import cv2
import numpy as np

from .types import DeskScale

KEYSTONE_STRENGTH = 0.5
MIN_TOP = 0.8
FEATHER_SIGMA = 0.7
PAD = 3  # canvas margin the feather may spread into
TRIM_ALPHA = 16


def trim(rgba: np.ndarray) -> np.ndarray | None:
    """The cut-out cropped to its visible pixels; None when it has none. A matte's faint haze
    (alpha under TRIM_ALPHA, common in U2Net cut-outs) does not count, or it would set the size."""
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"a cut-out must be HxWx4 uint8, got {rgba.shape} {rgba.dtype}")
    ys, xs = np.nonzero(rgba[..., 3] >= TRIM_ALPHA)
    if not len(xs):
        return None
    return rgba[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def top_factor(scale: DeskScale, base_y: float, height: int) -> float:
    """How much narrower than its base the item's top edge is drawn (1 = not at all)."""
    ratio = scale.at(base_y - height) / scale.at(base_y)
    return float(np.clip(1.0 - KEYSTONE_STRENGTH * (1.0 - ratio), MIN_TOP, 1.0))


def fit(rgba: np.ndarray, width: int, height: int, top: float) -> tuple[np.ndarray, np.ndarray]:
    """The trimmed cut-out at width × height with its top edge `top` × as wide, on a canvas
    PAD px larger on each side: (straight RGB uint8, alpha uint8), both (height+2·PAD, width+2·PAD).
    The canvas's (PAD, PAD) is the spot box's top-left corner."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    prem = np.concatenate([rgba[..., :3].astype(np.float32) * alpha, alpha * 255.0], axis=2)
    shrinking = width < rgba.shape[1] or height < rgba.shape[0]
    prem = cv2.resize(
        prem, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    )
    dx = width * (1.0 - top) / 2.0
    src = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    dst = np.float32(
        [[PAD + dx, PAD], [PAD + width - dx, PAD], [PAD + width, PAD + height], [PAD, PAD + height]]
    )
    canvas = cv2.warpPerspective(
        prem,
        cv2.getPerspectiveTransform(src, dst),
        (width + 2 * PAD, height + 2 * PAD),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    canvas = cv2.GaussianBlur(canvas, (0, 0), FEATHER_SIGMA)  # the feathered edge
    a = canvas[..., 3]
    rgb = canvas[..., :3] * (255.0 / np.maximum(a, 1e-3))[..., None]
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8), np.clip(a + 0.5, 0, 255).astype(np.uint8)
