"""Compositing pieces shared by Desk Makeover and Backdrop Studio: a cut-out laid over a picture,
the contact and drop shadows it casts for a light direction, and its reflection on a glossy floor.

Pixels are only ever changed where something is drawn, with integer arithmetic that is exact at
the ends of its range:
- `alpha_over`: where the cut-out's alpha is 255 the result is the cut-out's own pixel, bit for
  bit (nothing relights or recolours a product: ΔE = 0 in its core); where alpha is 0 it is the
  picture's own.
- `darken`: the picture times (1 − darkness/255); where darkness is 0 it is left as it was.
Shadow blurs run on copies at most 1/BLUR_RATIO of sigma per pixel (the masks are smooth), then
scale back: a 40 px blur over a product's area costs a millisecond instead of tens.

Light directions follow Backdrop's `Lighting`: the azimuth is where the key light comes from, seen
from the camera (0 = from the right, 90 = from above, 180 = from the left), and shadows fall the
other way; the lower the elevation, the longer they reach. The default (135°, 50°: upper left) is
the look Desk Makeover has always had.

Rectangles are plain (x, y, w, h) tuples, so both apps can wrap them in their own Box type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Rect = tuple[int, int, int, int]  # x, y, w, h

BLUR_RATIO = 4.0  # blurs run at sigma ≤ BLUR_RATIO px
BASE_BAND = 0.08  # of the item's height: the rows that count as its bottom (its foot)
SOLID = 127  # alpha above this is the object itself (for its extent, base and foot)
DEFAULT_ELEVATION = 50.0
MIN_ELEVATION = 10.0  # lower lights would throw shadows off any frame
MAX_REACH = 3.0
_DIAGONAL = math.cos(math.radians(45.0))  # the default light's component along each axis


@dataclass(frozen=True)
class Light:
    """A key light's direction (degrees): see the module's docstring for the convention."""

    azimuth_deg: float = 135.0
    elevation_deg: float = DEFAULT_ELEVATION

    @property
    def away(self) -> tuple[float, float]:
        """Unit vector (x to the right, y down the picture) along which shadows fall."""
        a = math.radians(self.azimuth_deg)
        # rounded so the default light gives exactly (1, 1) × _DIAGONAL, and desk's offsets
        return round(-math.cos(a), 9), round(math.sin(a), 9)

    @property
    def reach(self) -> float:
        """How far shadows reach relative to the default elevation: 1 at 50°, 0 overhead."""
        el = min(90.0, max(MIN_ELEVATION, float(self.elevation_deg)))
        if el >= 90.0:
            return 0.0
        tan = math.tan(math.radians(el))
        return min(MAX_REACH, round(math.tan(math.radians(DEFAULT_ELEVATION)) / tan, 9))


def _nudge(v: float) -> int:
    """Rounded, and at least one pixel away from zero when v is not zero (desk's `round(v) + 1`)."""
    if abs(v) < 1e-9:
        return 0
    return round(v) + (1 if v > 0 else -1)


def drop_offset(
    light: Light, width: float, height: float, share: tuple[float, float] = (0.03, 0.015)
) -> tuple[int, int]:
    """(dx, dy) in pixels of a drop shadow: `share` of (width, height) along each axis under the
    default light, turned and stretched by `light`. Desk passes its canvas width and item height
    (its historical look); Backdrop passes the product's height twice, so the shadow's geometry
    relative to the product is the same for every product of a batch."""
    ux, uy = light.away
    # per axis, relative to the default light's; rounded so the default gives exactly 1
    kx, ky = (round(light.reach * u / _DIAGONAL, 9) for u in (ux, uy))
    return _nudge(share[0] * width * kx), _nudge(share[1] * height * ky)


def extent(mask: np.ndarray) -> Rect | None:
    """The bounding rect of a boolean mask's True pixels; None when there are none."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def solid_rows(alpha: np.ndarray) -> np.ndarray:
    """Indices of the rows where the object is solid (alpha > SOLID)."""
    return np.nonzero(alpha.max(axis=1) > SOLID)[0]


def base_span(alpha: np.ndarray) -> tuple[int, int]:
    """Columns [c0, c1) of the object's bottom band: its foot (a lamp's base, not its shade)."""
    rows = solid_rows(alpha)
    if not len(rows):
        return 0, alpha.shape[1]
    bottom = rows[-1]
    band = alpha[max(0, bottom - max(1, int(BASE_BAND * len(rows)))) : bottom + 1]
    cols = np.nonzero(band.max(axis=0) > SOLID)[0]
    return int(cols[0]), int(cols[-1]) + 1


def _blurred(canvas: np.ndarray, sigma: float, size: tuple[int, int]) -> np.ndarray:
    """Gaussian blur of a float canvas, done small when sigma is large, at `size` (w, h)."""
    return cv2.resize(cv2.GaussianBlur(canvas, (0, 0), sigma), size, interpolation=cv2.INTER_LINEAR)


def shadows(
    alpha: np.ndarray,
    origin: tuple[int, int],
    image_size: tuple[int, int],
    *,
    foreshortening: float,
    drop: tuple[int, int],
    contact_strength: float = 0.6,
    drop_strength: float = 0.2,
    contact_softness: float = 1.0,
    drop_softness: float = 1.0,
    lean: float = 0.0,
) -> tuple[Rect, np.ndarray] | None:
    """Darkness (uint8, 0 = untouched) the object whose alpha canvas sits at `origin` (x, y)
    casts on a picture of `image_size` (w, h), cropped to the rect it covers; None when it
    darkens nothing.

    - Contact shadow: a soft ellipse where the object meets the floor, as wide as its foot and
      as deep as that width squashed by `foreshortening` (how flat the floor looks, 0..1),
      centred a little behind the base row so a sliver shows in front; `lean` shifts it along
      the light by that share of its half-width (`drop`'s direction).
    - Drop shadow: the object's alpha moved by `drop` (see drop_offset), blurred and faint.
    The softness factors multiply each shadow's blur (a hard light gives crisper shadows)."""
    ox, oy = origin
    ah, aw = alpha.shape
    width, height = image_size
    rows = solid_rows(alpha)
    if not len(rows):
        return None
    item_h = int(rows[-1] - rows[0] + 1)
    c0, c1 = base_span(alpha)
    base_y = oy + int(rows[-1]) + 1
    cw = max(2.0, (c1 - c0) * 0.55)
    ch = max(2.0, cw * foreshortening * 0.6)
    norm = math.hypot(*drop)
    cx = ox + (c0 + c1) / 2.0 + (lean * cw * drop[0] / norm if norm else 0.0)
    cy = base_y - 0.7 * ch
    contact_sigma = max(1.0, (0.1 * cw + 0.2 * ch) * contact_softness)
    drop_dx, drop_dy = drop
    drop_sigma = max(1.0, 0.02 * item_h * drop_softness)
    m1, m2 = 3 * contact_sigma, 3 * drop_sigma
    # The region both shadows can reach, clipped to the picture.
    x1 = int(max(0, min(cx - cw - m1, ox + drop_dx - m2)))
    y1 = int(max(0, min(cy - ch - m1, oy + drop_dy - m2)))
    x2 = int(min(width, max(cx + cw + m1, ox + aw + drop_dx + m2) + 1))
    y2 = int(min(height, max(cy + ch + m1, oy + ah + drop_dy + m2) + 1))
    if x2 <= x1 or y2 <= y1:
        return None
    rw, rh = x2 - x1, y2 - y1

    dark = np.zeros((rh, rw), np.float32)
    if contact_strength > 0:
        q = max(1.0, contact_sigma / BLUR_RATIO)
        small = np.zeros((max(1, round(rh / q)), max(1, round(rw / q))), np.float32)
        cv2.ellipse(
            small,
            (round((cx - x1) / q * 16), round((cy - y1) / q * 16)),
            (max(1, round(cw / q * 16)), max(1, round(ch / q * 16))),
            0,
            0,
            360,
            1.0,
            -1,
            cv2.LINE_AA,
            4,
        )
        dark = contact_strength * _blurred(small, contact_sigma / q, (rw, rh))

    if drop_strength > 0:
        q = max(1.0, drop_sigma / BLUR_RATIO)
        moved = np.zeros((rh, rw), np.float32)
        dx, dy = ox + drop_dx - x1, oy + drop_dy - y1
        sx1, sy1 = max(0, -dx), max(0, -dy)
        sx2, sy2 = min(aw, rw - dx), min(ah, rh - dy)
        if sx2 > sx1 and sy2 > sy1:
            moved[dy + sy1 : dy + sy2, dx + sx1 : dx + sx2] = alpha[sy1:sy2, sx1:sx2] / 255.0
        small = cv2.resize(
            moved, (max(1, round(rw / q)), max(1, round(rh / q))), interpolation=cv2.INTER_AREA
        )
        moved = drop_strength * _blurred(small, drop_sigma / q, (rw, rh))
        dark = 1.0 - (1.0 - dark) * (1.0 - moved)

    out = np.clip(dark * 255.0 + 0.5, 0, 255).astype(np.uint8)
    found = extent(out > 0)
    if found is None:
        return None
    tx1, ty1, tw, th = found
    ty2, tx2 = ty1 + th, tx1 + tw
    rect = (x1 + int(tx1), y1 + int(ty1), int(tx2 - tx1), int(ty2 - ty1))
    return rect, np.ascontiguousarray(out[ty1:ty2, tx1:tx2])


def reflection(
    rgb: np.ndarray,
    alpha: np.ndarray,
    *,
    length: float = 0.3,
    strength: float = 0.3,
    blur: float = 1.0,
) -> tuple[int, np.ndarray, np.ndarray] | None:
    """The object mirrored under its base row, as on a glossy floor: (row, rgb, alpha) where
    `row` is the canvas row its first line goes to (just below the base). It reaches `length`
    of the object's height, fades from `strength` to nothing with distance, and is blurred a
    little (premultiplied, so no dark fringe). None when the canvas has no solid rows."""
    rows = solid_rows(alpha)
    if not len(rows) or strength <= 0:
        return None
    base = int(rows[-1])
    n = max(1, min(base + 1, round(length * (base - int(rows[0]) + 1))))
    a = alpha[base - n + 1 : base + 1][::-1].astype(np.float32) / 255.0
    t = (np.arange(n, dtype=np.float32) + 0.5) / n
    a *= (strength * (1.0 - t) ** 1.5)[:, None]
    prem = rgb[base - n + 1 : base + 1][::-1].astype(np.float32) * a[..., None]
    if blur > 0:
        prem = cv2.GaussianBlur(prem, (0, 0), blur)
        a = cv2.GaussianBlur(a, (0, 0), blur)
    colour = prem / np.maximum(a, 1e-4)[..., None]
    out_a = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out_rgb = np.clip(colour + 0.5, 0, 255).astype(np.uint8)
    return base + 1, out_rgb, out_a


def _clip(origin: tuple[int, int], size: tuple[int, int], frame: tuple[int, int]):
    """The part of a (w, h) layer at origin inside a (w, h) frame: (frame slices, layer slices)."""
    ox, oy = origin
    w, h = size
    fw, fh = frame
    x1, y1, x2, y2 = max(0, ox), max(0, oy), min(fw, ox + w), min(fh, oy + h)
    if x2 <= x1 or y2 <= y1:
        return None
    return (slice(y1, y2), slice(x1, x2)), (slice(y1 - oy, y2 - oy), slice(x1 - ox, x2 - ox))


def _div255(x: np.ndarray) -> np.ndarray:
    """round(x / 255) as uint8 for uint16 x ≤ 255², with shifts: exactly (x + 127) // 255,
    which numpy's integer division computes several times slower."""
    t = x + np.uint16(128)
    return ((t + (t >> 8)) >> 8).astype(np.uint8)


def alpha_over(
    out: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, origin: tuple[int, int]
) -> None:
    """Blends an RGB layer with its uint8 alpha into `out` (HxWx3 uint8, in place) at origin
    (x, y), clipped to `out`. Integer: alpha 255 gives the layer's pixel exactly, alpha 0 the
    picture's."""
    parts = _clip(origin, (alpha.shape[1], alpha.shape[0]), (out.shape[1], out.shape[0]))
    if parts is None:
        return
    dst, src = parts
    region = out[dst]
    a = alpha[src].astype(np.uint16)[..., None]
    region[:] = _div255(rgb[src] * a + region * (255 - a))


def darken(out: np.ndarray, darkness: np.ndarray, origin: tuple[int, int]) -> None:
    """Multiplies `out` (in place) by (1 − darkness/255) at origin (x, y), clipped; integer, so
    darkness 0 leaves a pixel exactly as it was."""
    parts = _clip(origin, (darkness.shape[1], darkness.shape[0]), (out.shape[1], out.shape[0]))
    if parts is None:
        return
    dst, src = parts
    region = out[dst]
    keep = (255 - darkness[src].astype(np.uint16))[..., None]
    region[:] = _div255(region * keep)


def scale_cutout(
    rgb: np.ndarray, alpha: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """A cut-out resampled to size (w, h) on premultiplied colour, so transparent pixels (often
    black) never bleed into its edge; at its own size it is returned as it is, bit for bit."""
    w, h = size
    if (w, h) == (alpha.shape[1], alpha.shape[0]):
        return rgb, alpha
    # colour × alpha is exact in uint16 (≤ 255²), and OpenCV multiplies and resamples it fast
    prem = cv2.multiply(rgb, cv2.merge([alpha, alpha, alpha]), dtype=cv2.CV_16U)
    shrinking = w < alpha.shape[1] or h < alpha.shape[0]
    how = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    prem = cv2.resize(prem, (w, h), interpolation=how)
    out_a = cv2.resize(alpha.astype(np.uint16) * 257, (w, h), interpolation=how)  # 0..65535
    out_a = out_a.astype(np.float32)
    colour = prem.astype(np.float32) * (257.0 / np.maximum(out_a, 1.0))[..., None]
    return (
        np.clip(colour + 0.5, 0, 255).astype(np.uint8),
        np.clip(out_a / 257.0 + 0.5, 0, 255).astype(np.uint8),
    )


@dataclass(frozen=True)
class CoverMap:
    """Where a source pixel lands in a cover-cropped frame: x' = (x − x0)·sx, y' = (y − y0)·sy."""

    sx: float
    sy: float
    x0: float
    y0: float

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.x0) * self.sx, (y - self.y0) * self.sy


def cover(
    image: np.ndarray, size: tuple[int, int], *, focus: tuple[float, float] = (0.5, 0.5)
) -> tuple[np.ndarray, CoverMap]:
    """The image scaled to cover size (w, h) and cropped to it. `focus` (shares of the width and
    height) keeps its share of the frame, so a floor line at 82% of the height stays at 82%.
    Only the part that shows is resampled."""
    w, h = size
    ih, iw = image.shape[:2]
    s = max(w / iw, h / ih)
    cw, ch = min(iw, w / s), min(ih, h / s)  # the source window that shows
    fx, fy = (min(1.0, max(0.0, f)) for f in focus)
    x0, y0 = fx * (iw - cw), fy * (ih - ch)
    xa, ya = int(math.floor(x0)), int(math.floor(y0))
    xb, yb = min(iw, int(math.ceil(x0 + cw))), min(ih, int(math.ceil(y0 + ch)))
    window = image[ya:yb, xa:xb]
    if window.shape[:2] == (h, w):
        return window.copy(), CoverMap(1.0, 1.0, float(xa), float(ya))
    shrinking = window.shape[1] > w
    out = cv2.resize(
        window, (w, h), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    )
    return out, CoverMap(w / (xb - xa), h / (yb - ya), float(xa), float(ya))
