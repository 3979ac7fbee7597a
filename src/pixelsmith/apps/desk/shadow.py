"""Shadows an inserted item casts on the photo, as darkness masks (uint8, 0 = untouched).

- Contact shadow: a soft ellipse where the item meets the desk, as wide as the cut-out's own
  bottom rows (a lamp's foot, not its shade) and as deep as that width foreshortened, centred
  a little behind the base edge, so a sliver of it shows in front of the item.
- Drop shadow: the item's own alpha, nudged down and to the right (light from the upper left),
  blurred and faint, so the item does not look cut out against the wall or desk behind it.

Blurs run on a copy at most 1/BLUR_RATIO of sigma per pixel (they are smooth), then scale back.
The photo is multiplied by (1 − darkness / 255); where darkness is 0 it is left exactly as is.
"""

from __future__ import annotations

import cv2
import numpy as np

from .types import Box

CONTACT_STRENGTH = 0.6
DROP_STRENGTH = 0.2
BASE_BAND = 0.08  # of the item's height: the rows that count as its bottom
BLUR_RATIO = 4.0  # blurs run at sigma ≤ BLUR_RATIO px


def _blurred(canvas: np.ndarray, sigma: float, size: tuple[int, int]) -> np.ndarray:
    """Gaussian blur of a float canvas, done small when sigma is large, at `size` (w, h)."""
    return cv2.resize(cv2.GaussianBlur(canvas, (0, 0), sigma), size, interpolation=cv2.INTER_LINEAR)


def _base_span(alpha: np.ndarray) -> tuple[int, int]:
    """Columns of the alpha's bottom band (the item's foot)."""
    rows = np.nonzero(alpha.max(axis=1) > 127)[0]
    if not len(rows):
        return 0, alpha.shape[1]
    bottom = rows[-1]
    band = alpha[max(0, bottom - max(1, int(BASE_BAND * len(rows)))) : bottom + 1]
    cols = np.nonzero(band.max(axis=0) > 127)[0]
    return int(cols[0]), int(cols[-1]) + 1


def cast(
    alpha: np.ndarray, origin: tuple[int, int], foreshortening: float, image_size: tuple[int, int]
) -> tuple[Box, np.ndarray] | None:
    """Darkness (uint8) of the item whose alpha canvas sits at `origin` (x, y) in the photo,
    cropped to its box in the photo; None when it darkens nothing. `foreshortening` is how
    much the desk's depth is squashed at the item's base row (placement.PlaneView)."""
    ox, oy = origin
    ah, aw = alpha.shape
    width, height = image_size
    rows = np.nonzero(alpha.max(axis=1) > 127)[0]
    if not len(rows):
        return None
    item_h = int(rows[-1] - rows[0] + 1)
    c0, c1 = _base_span(alpha)
    base_y = oy + int(rows[-1]) + 1
    # The foot's outline on the desk: as wide as the foot, squashed by the foreshortening; its
    # front edge a little in front of the base row, so a sliver of it shows.
    cx, cw = ox + (c0 + c1) / 2.0, max(2.0, (c1 - c0) * 0.55)
    ch = max(2.0, cw * foreshortening * 0.6)
    cy = base_y - 0.7 * ch
    contact_sigma = max(1.0, 0.1 * cw + 0.2 * ch)
    drop_dx, drop_dy = round(0.03 * aw) + 1, round(0.015 * item_h) + 1
    drop_sigma = max(1.0, 0.02 * item_h)
    m1, m2 = 3 * contact_sigma, 3 * drop_sigma
    # The region both shadows can reach, clipped to the photo.
    x1 = int(max(0, min(cx - cw - m1, ox + drop_dx - m2)))
    y1 = int(max(0, min(cy - ch - m1, oy + drop_dy - m2)))
    x2 = int(min(width, max(cx + cw + m1, ox + aw + drop_dx + m2) + 1))
    y2 = int(min(height, max(cy + ch + m1, oy + ah + drop_dy + m2) + 1))
    if x2 <= x1 or y2 <= y1:
        return None
    rw, rh = x2 - x1, y2 - y1

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
    dark = CONTACT_STRENGTH * _blurred(small, contact_sigma / q, (rw, rh))

    q = max(1.0, drop_sigma / BLUR_RATIO)
    drop = np.zeros((rh, rw), np.float32)
    dx, dy = ox + drop_dx - x1, oy + drop_dy - y1
    sx1, sy1 = max(0, -dx), max(0, -dy)
    sx2, sy2 = min(aw, rw - dx), min(ah, rh - dy)
    if sx2 > sx1 and sy2 > sy1:
        drop[dy + sy1 : dy + sy2, dx + sx1 : dx + sx2] = alpha[sy1:sy2, sx1:sx2] / 255.0
    small = cv2.resize(
        drop, (max(1, round(rw / q)), max(1, round(rh / q))), interpolation=cv2.INTER_AREA
    )
    drop = DROP_STRENGTH * _blurred(small, drop_sigma / q, (rw, rh))

    darkness = 1.0 - (1.0 - dark) * (1.0 - drop)
    out = np.clip(darkness * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ys, xs = np.nonzero(out)
    if not len(xs):
        return None
    ty1, ty2, tx1, tx2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    box = Box(x1 + int(tx1), y1 + int(ty1), int(tx2 - tx1), int(ty2 - ty1))
    return box, np.ascontiguousarray(out[ty1:ty2, tx1:tx2])
