"""A product's cut-out stood on a background from the library: Backdrop Studio's render.

1. The background is cover-cropped to the output size, keeping the floor line (and a podium)
   at the same share of the frame; the asset's `floor_y` and `podium` move with it.
2. The product, cropped to its visible pixels, is scaled by its shape (FILL: a tall one to ~70%
   of the frame's height, a wide one to ~70% of its width), never nearer the frame's edge than
   MARGIN; on a podium its foot spans at most PODIUM_FOOT of the podium's top.
3. It stands with its lowest solid row just above the floor line, centred in the frame, or on
   the podium's top surface, centred on it: the base row sits PODIUM_BASE of the way down the
   podium box (the box is the top surface as seen, an ellipse's bounding box for a cylinder).
4. Shadows (core.compose): a contact shadow under its foot and a soft drop shadow, both from
   the batch's `Lighting` and in proportion to the product's height, so every product of a
   catalog shot with one Lighting gets the same shadow relative to itself. Optionally a faint
   reflection, only over the surface it stands on (below the floor line; on a podium, its top).
5. Drawn in that order, the product last. Its pixels are never relit or recoloured: where its
   alpha is 255 the render is the scaled cut-out's pixel, bit for bit (at its own size, the
   photo's own: ΔE = 0). Every pixel outside the product, its shadow and its reflection is the
   cover-cropped background's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pixelsmith.core import compose as cc

from .types import ASSET_SIDE, Asset, Box, Lighting, Matte, Render

FILL = {"tall": 0.70, "wide": 0.70, "square": 0.62}  # the product's longer side, share of frame
TALL, WIDE = 0.8, 1.25  # width / height below, above: as ProductAnalysis.orientation
MARGIN = 0.04  # of the frame's shorter side: the least room between product and frame edge
MIN_MARGIN_PX = 4
PODIUM_FOOT = 0.8  # the foot spans at most this share of the podium's top width
PODIUM_BASE = 0.55  # base row: this share of the way down the podium's top-surface box
TRIM_ALPHA = 16  # a matte's faint haze below this does not count for the product's size
MIN_SIDE, MAX_SIDE = 64, 8192

FLOOR_FORESHORTENING = 0.35  # a studio floor seen from a low camera: the contact ellipse is flat
CONTACT_SOFTNESS = 0.35  # the contact shadow hugs the base: a fraction of the drop's softness
CONTACT_LEAN = 0.25  # the contact shadow leans this share of its half-width away from the light
DROP_SHARE = 0.45  # drop shadow darkness, share of Lighting.shadow_strength
DROP_OFFSET = (0.06, 0.03)  # of the product's height, along x and y under the default light
SOFTNESS = {"soft": 1.6, "hard": 0.6, "rim": 1.2, "high_key": 2.0, "low_key": 1.1}
REFLECTION_LENGTH = 0.3  # of the product's height
REFLECTION_STRENGTH = 0.28  # opacity just under the base


@dataclass
class Plan:
    """Everything a composite draws, in frame coordinates (rects are (x, y, w, h))."""

    size: tuple[int, int]  # (w, h)
    background: np.ndarray  # the cover-cropped background, before anything is drawn on it
    rgb: np.ndarray  # the scaled product (its canvas: trimmed to its visible pixels)
    alpha: np.ndarray
    origin: tuple[int, int]  # the canvas's top-left in the frame
    scale: float  # canvas size / the cut-out's own size
    base_y: int  # the frame row the product stands on (its lowest solid row + 1)
    footing: str  # "floor" | "podium"
    surface: cc.Rect  # what it stands on; its reflection stays inside
    drop: tuple[int, int]  # the drop shadow's offset in px
    item_height: int  # solid rows of the scaled product
    shadow: tuple[cc.Rect, np.ndarray] | None  # darkness crop
    reflection: tuple[tuple[int, int], np.ndarray, np.ndarray] | None  # origin, rgb, alpha


def _rgb(background: np.ndarray) -> np.ndarray:
    if background.dtype != np.uint8:
        raise ValueError(f"background must be uint8, got {background.dtype}")
    if background.ndim == 2:
        return np.dstack([background] * 3)
    if background.ndim == 3 and background.shape[2] in (3, 4):
        return background[..., :3]
    raise ValueError(f"background must be HxWx3 uint8, got {background.shape}")


def _trimmed(matte: Matte) -> tuple[np.ndarray, np.ndarray]:
    """The cut-out's colour and alpha cropped to matte.box, then to its visible pixels."""
    rgb, alpha = matte.rgb, matte.alpha
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"matte.rgb must be HxWx3 uint8, got {rgb.shape} {rgb.dtype}")
    if alpha.shape != rgb.shape[:2] or alpha.dtype != np.uint8:
        raise ValueError(f"matte.alpha must be {rgb.shape[:2]} uint8, got {alpha.shape}")
    x, y, w, h = (int(v) for v in matte.box)
    x, y = max(0, x), max(0, y)
    a = alpha[y : y + h, x : x + w]
    seen = a >= TRIM_ALPHA
    ys, xs = np.flatnonzero(seen.any(axis=1)), np.flatnonzero(seen.any(axis=0))
    if not len(xs):
        raise ValueError("the matte has no visible pixels inside its box")
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    return rgb[y + y0 : y + y1, x + x0 : x + x1], a[y0:y1, x0:x1]


def _orientation(w: int, h: int) -> str:
    aspect = w / h
    return "tall" if aspect < TALL else "wide" if aspect > WIDE else "square"


def _frame(
    background: np.ndarray, asset: Asset, size: tuple[int, int]
) -> tuple[np.ndarray, float, cc.Rect | None]:
    """(background covered to size, floor row, podium rect) in the frame."""
    ih, iw = background.shape[:2]
    podium = None
    if asset.podium is not None and asset.podium.w > 0:
        # podium coordinates are ASSET_SIDE² ones, scaled with the image
        p = asset.podium
        sx, sy = iw / ASSET_SIDE, ih / ASSET_SIDE
        podium = (p.x * sx, p.y * sy, p.w * sx, p.h * sy)
        focus = ((podium[0] + podium[2] / 2) / iw, (podium[1] + PODIUM_BASE * podium[3]) / ih)
    else:
        focus = (0.5, float(asset.floor_y))
    out, where = cc.cover(background, size, focus=focus)
    floor = where.point(0.0, float(asset.floor_y) * ih)[1]
    rect = None
    if podium is not None:
        (x1, y1), (x2, y2) = (
            where.point(podium[0], podium[1]),
            where.point(podium[0] + podium[2], podium[1] + podium[3]),
        )
        rect = (round(x1), round(y1), max(1, round(x2 - x1)), max(1, round(y2 - y1)))
    return out, floor, rect


def plan(
    matte: Matte,
    background: np.ndarray,
    asset: Asset,
    lighting: Lighting,
    *,
    size: tuple[int, int] = (1024, 1024),
    fill: float | None = None,
) -> Plan:
    """Where the product goes, how big, and its shadow and reflection (nothing drawn yet)."""
    fw, fh = int(size[0]), int(size[1])
    if not (MIN_SIDE <= fw <= MAX_SIDE and MIN_SIDE <= fh <= MAX_SIDE):
        raise ValueError(f"size must be {MIN_SIDE}..{MAX_SIDE} px a side, got {fw}×{fh}")
    if fill is not None and not 0.05 <= fill <= 0.95:
        raise ValueError(f"fill must be 0.05..0.95 of the frame, got {fill}")
    rgb, alpha = _trimmed(matte)
    bg, floor, podium = _frame(_rgb(background), asset, (fw, fh))
    h, w = alpha.shape
    margin = max(MIN_MARGIN_PX, round(MARGIN * min(fw, fh)))

    if podium is not None:
        base_y = podium[1] + PODIUM_BASE * podium[3]
    else:
        base_y = floor
    base_y = int(round(min(fh - margin, max(margin + 1, base_y))))

    orient = _orientation(w, h)
    share = fill if fill is not None else FILL[orient]
    if orient == "tall":
        s = share * fh / h
    elif orient == "wide":
        s = share * fw / w
    else:
        s = share * min(fw, fh) / max(w, h)
    s = min(s, (fw - 2 * margin) / w, (base_y - margin) / h)
    c0, c1 = cc.base_span(alpha)
    if podium is not None:
        s = min(s, PODIUM_FOOT * podium[2] / max(1, c1 - c0))
    sw, sh = max(1, round(w * s)), max(1, round(h * s))
    if abs(sw - w) < 1 and abs(sh - h) < 1:  # within half a pixel of its own size: no resampling
        sw, sh, s = w, h, 1.0
    rgb, alpha = cc.scale_cutout(rgb, alpha, (sw, sh))

    rows = cc.solid_rows(alpha)
    if not len(rows):  # a product scaled to a few pixels of haze
        rows = np.nonzero(alpha.max(axis=1) > 0)[0]
    base_row = int(rows[-1])
    item_h = int(rows[-1] - rows[0] + 1)
    if podium is not None:
        f0, f1 = cc.base_span(alpha)
        ox = round(podium[0] + podium[2] / 2 - (f0 + f1) / 2)
    else:
        ox = round(fw / 2 - sw / 2)
    ox = int(min(max(ox, margin), max(margin, fw - margin - sw)))
    oy = base_y - base_row - 1
    oy = int(max(1, min(oy, fh - margin - sh)))  # a soft rim under the base stays off the edge
    origin = (ox, oy)

    light = cc.Light(lighting.azimuth_deg, lighting.elevation_deg)
    drop = cc.drop_offset(light, item_h, item_h, DROP_OFFSET)
    strength = float(np.clip(lighting.shadow_strength, 0.0, 1.0))
    soft = SOFTNESS.get(lighting.style, SOFTNESS["soft"])
    shadow = cc.shadows(
        alpha,
        origin,
        (fw, fh),
        foreshortening=FLOOR_FORESHORTENING,
        drop=drop,
        contact_strength=strength,
        drop_strength=strength * DROP_SHARE,
        contact_softness=CONTACT_SOFTNESS * soft,
        drop_softness=soft,
        lean=CONTACT_LEAN,
    )

    if podium is not None:
        top = podium[1] + podium[3]
        surface = (podium[0], base_y, podium[2], max(0, top - base_y))
        footing = "podium"
    else:
        surface = (0, base_y, fw, fh - base_y)
        footing = "floor"
    reflection = _reflection(rgb, alpha, origin, surface, item_h) if lighting.reflection else None
    return Plan(
        (fw, fh),
        bg,
        rgb,
        alpha,
        origin,
        s,
        base_y,
        footing,
        surface,
        drop,
        item_h,
        shadow,
        reflection,
    )


def _reflection(
    rgb: np.ndarray, alpha: np.ndarray, origin: tuple[int, int], surface: cc.Rect, item_h: int
) -> tuple[tuple[int, int], np.ndarray, np.ndarray] | None:
    """The product mirrored under its base, cut to the surface it stands on."""
    found = cc.reflection(
        rgb,
        alpha,
        length=REFLECTION_LENGTH,
        strength=REFLECTION_STRENGTH,
        blur=max(1.0, 0.004 * item_h),
    )
    if found is None:
        return None
    row, r_rgb, r_alpha = found
    ox, oy = origin[0], origin[1] + row
    sx, sy, sw, sh = surface
    x1, y1 = max(ox, sx), max(oy, sy)
    x2, y2 = min(ox + r_alpha.shape[1], sx + sw), min(oy + r_alpha.shape[0], sy + sh)
    if x2 <= x1 or y2 <= y1:
        return None
    cut = (slice(y1 - oy, y2 - oy), slice(x1 - ox, x2 - ox))
    return (x1, y1), r_rgb[cut], r_alpha[cut]


def draw(p: Plan) -> tuple[np.ndarray, np.ndarray]:
    """The render (RGB uint8) and the product's mask at the frame's size (uint8 alpha)."""
    fw, fh = p.size
    out = p.background.copy()
    if p.shadow is not None:
        (x, y, _, _), darkness = p.shadow
        cc.darken(out, darkness, (x, y))
    if p.reflection is not None:
        at, r_rgb, r_alpha = p.reflection
        cc.alpha_over(out, r_rgb, r_alpha, at)
    cc.alpha_over(out, p.rgb, p.alpha, p.origin)
    mask = np.zeros((fh, fw), np.uint8)
    ox, oy = p.origin
    ah, aw = p.alpha.shape
    x1, y1, x2, y2 = max(0, ox), max(0, oy), min(fw, ox + aw), min(fh, oy + ah)
    mask[y1:y2, x1:x2] = p.alpha[y1 - oy : y2 - oy, x1 - ox : x2 - ox]
    return out, mask


def _box(mask: np.ndarray) -> Box:
    found = cc.extent(mask > 0)
    return Box(*found) if found else Box(0, 0, 0, 0)


def compose(
    matte: Matte,
    background: np.ndarray,
    asset: Asset,
    lighting: Lighting,
    *,
    size: tuple[int, int] = (1024, 1024),
    fill: float | None = None,
) -> Render:
    """The product of `matte` on `background` (the asset's RGB image, any size), at `size`
    (w, h). `fill` overrides the product's share of the frame along its longer side; hold one
    `lighting` for a whole batch and every render gets the same light and shadow."""
    started = time.perf_counter()
    p = plan(matte, background, asset, lighting, size=size, fill=fill)
    image, mask = draw(p)
    ox, oy = p.origin
    box = _box(mask[max(0, oy) : oy + p.alpha.shape[0], max(0, ox) : ox + p.alpha.shape[1]])
    box = Box(box.x + max(0, ox), box.y + max(0, oy), box.w, box.h)
    elapsed = (time.perf_counter() - started) * 1000.0
    return Render(image, asset.id, box, mask, lighting, elapsed_ms=elapsed)
