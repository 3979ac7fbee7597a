"""Where an item goes on the desk, and how big it is there.

The desk plane model (one row = one depth, a pinhole camera above a flat desk):

- `scale.at(y)` is the plane's px per cm at image row y. It is linear in y, so it reaches 0 at
  the horizon row y_h = at_y - px_per_cm / per_row (per_row > 0: nearer rows are bigger).
- An item's size in pixels is its size in cm times px/cm at its *base row* (the row its bottom
  edge stands on): a 44 cm keyboard at a row of 10 px/cm is 440 px wide.
- Foreshortening: a length along the desk's depth looks shorter than the same length across it,
  by r = sin θ, θ the angle the camera looks down at that row. For a level camera
  tan θ = (y - y_h) / f, with f the focal length in px (taken as 0.8 × the photo's longer side, a
  phone's ~65° field of view); a pitched camera changes the constant, not the shape, so this is
  an approximation. Without a slope (per_row = 0) there is no horizon to measure from, and
  r = DEFAULT_FORESHORTENING.
  The footprint (the base's patch of desk) is depth_cm × px/cm × r rows deep.

A spot is valid when the footprint lies on the free surface, the item's whole box touches no
item placed before it (so masks never overlap), and it overlaps no item the analysis found that
stands at or in front of the footprint (whose base row is below the footprint's back edge).
Found items behind the footprint may be partly hidden by it (at most MAX_HIDDEN of each), as a
lamp hides part of the monitor behind it; a desk mat is not an obstacle: things stand on it.
Among valid spots the one nearest the item's preferred place wins (PREFERRED, in the free
surface's own 0..1 coordinates: u across, v from back to front), with a small seeded jitter so
another seed can pick another near-equal spot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .types import Box, DeskAnalysis

DEFAULT_FORESHORTENING = 0.5
MAX_HIDDEN = 0.5  # of a found item's box that a placed item standing in front may cover
FOCAL_OF_LONGER_SIDE = 0.8
# Where each kind of item looks natural: (u across 0..1, v from the back 0 to the front 1).
PREFERRED: dict[str, tuple[float, float]] = {
    "monitor": (0.5, 0.0),
    "lamp": (0.5, 0.0),
    "speaker": (0.25, 0.05),
    "clock": (0.5, 0.05),
    "books": (0.15, 0.1),
    "plant": (0.85, 0.15),
    "laptop": (0.5, 0.5),
    "headphones": (0.2, 0.6),
    "desk_mat": (0.5, 0.7),
    "keyboard": (0.5, 0.8),
    "notebook": (0.3, 0.9),
    "mouse": (0.75, 0.85),
    "mug": (0.8, 0.9),
    "phone": (0.25, 0.9),
}
DEFAULT_PREFERRED = (0.5, 0.5)
NOT_OBSTACLES = {"desk_mat"}
JITTER = 0.03  # of the surface's size: seeds only break near-ties
GAP_OF_SIDE = 0.006  # free space kept around every item, of the photo's shorter side


@dataclass(frozen=True)
class Size:
    """An item's box at one base row, in pixels, before the keystone warp narrows its top."""

    width: int
    height: int
    depth: int  # rows of desk the footprint covers
    px_per_cm: float
    foreshortening: float


@dataclass(frozen=True)
class Spot:
    box: Box  # the item's box; box.y2 is its base row
    footprint: Box  # the patch of desk under it (bottom rows of the box)
    size: Size


class PlaneView:
    """The desk plane of one analysis: scale and foreshortening per row."""

    def __init__(self, analysis: DeskAnalysis) -> None:
        self.scale = analysis.scale
        self.focal = FOCAL_OF_LONGER_SIDE * max(analysis.width, analysis.height)

    def foreshortening(self, y: float) -> float:
        s = self.scale
        if s.per_row <= 0:
            return DEFAULT_FORESHORTENING
        horizon = s.at_y - s.px_per_cm / s.per_row
        t = max(0.0, (y - horizon) / self.focal)  # tan of the look-down angle at row y
        return float(np.clip(t / math.hypot(1.0, t), 0.15, 1.0))

    def size(
        self,
        cut_w: int,
        cut_h: int,
        width_cm: float,
        height_cm: float,
        depth_cm: float,
        base_y: float,
    ) -> Size:
        """The cut-out (cut_w × cut_h px) fitted, aspect kept, inside the item's real
        width × height at the scale of row base_y."""
        ppc = self.scale.at(base_y)
        r = self.foreshortening(base_y)
        f = ppc * min(width_cm / cut_w, height_cm / cut_h)
        w, h = max(1, round(cut_w * f)), max(1, round(cut_h * f))
        h = max(1, round(h * vertical_compression(r)))
        d = max(1, min(h, round(depth_cm * ppc * r)))
        return Size(w, h, d, ppc, r)


def vertical_compression(r: float) -> float:
    """An upright thing seen from above at elevation sin⁻¹(r) looks cos(θ) as tall; product
    photos are frontal, so go half-way there (a cut-out squashed fully looks stubby)."""
    return 1.0 - 0.5 * (1.0 - math.sqrt(max(0.0, 1.0 - r * r)))


def surface_mask(analysis: DeskAnalysis) -> np.ndarray:
    """The free surface polygons as a uint8 mask (1 = free desk)."""
    mask = np.zeros((analysis.height, analysis.width), np.uint8)
    polys = [np.asarray(p, np.int32).reshape(-1, 1, 2) for p in analysis.surface if len(p) >= 3]
    if polys:
        cv2.fillPoly(mask, polys, 1)
    return mask


def gap_px(analysis: DeskAnalysis) -> int:
    return max(1, round(GAP_OF_SIDE * min(analysis.width, analysis.height)))


class Occupancy:
    """Free surface and obstacles as integral images, so any rectangle is checked in O(1)."""

    def __init__(self, analysis: DeskAnalysis) -> None:
        self.width, self.height = analysis.width, analysis.height
        self.gap = gap_px(analysis)
        self.surface = surface_mask(analysis)
        self.blocked = np.zeros_like(self.surface)  # items placed so far
        self._integrals: tuple[np.ndarray, np.ndarray] | None = None
        g = self.gap
        # What the analysis found: an item may stand in front of one (hiding part of it, as a
        # lamp before a monitor does), never overlap one that stands in front of it.
        self.found = [
            Box(b.x - g, b.y - g, b.w + 2 * g, b.h + 2 * g)
            for b in [i.box for i in analysis.items if i.label not in NOT_OBSTACLES]
            + list(analysis.obstacles)
        ]
        # The free surface's extent, which the preferred places are relative to.
        x, y, w, h = cv2.boundingRect(self.surface)
        self.extent = Box(x, y, w, h) if w and h else None

    def block(self, box: Box) -> None:
        g = self.gap
        y1, y2 = max(0, box.y - g), min(self.height, box.y2 + g)
        x1, x2 = max(0, box.x - g), min(self.width, box.x2 + g)
        self.blocked[y1:y2, x1:x2] = 1
        self._integrals = None

    def clear_of_found(self, xs: np.ndarray, w: int, top: int, base: int, back: int) -> np.ndarray:
        """For boxes (x in xs, w wide, rows top..base, footprint from row back): True where no
        found item standing at or in front of the footprint's back edge is overlapped."""
        ok = np.ones(len(xs), bool)
        for b in self.found:
            if b.y2 <= top or b.y >= base:
                continue  # above or below the box
            if b.y2 > back:  # at or in front of the footprint: never drawn over
                ok &= (xs + w <= b.x) | (xs >= b.x2)
                continue
            # Behind it: the item may hide part of it (a lamp before a monitor), not most of it
            # (a mouse standing on a missed mouse).
            ow = np.clip(np.minimum(xs + w, b.x2) - np.maximum(xs, b.x), 0, None)
            oh = max(0, min(base, b.y2) - max(top, b.y))
            ok &= ow * oh <= MAX_HIDDEN * b.w * b.h
        return ok

    def integrals(self) -> tuple[np.ndarray, np.ndarray]:
        """(not free for a footprint, blocked for a box) summed-area tables."""
        if self._integrals is None:
            not_free = ((self.surface == 0) | (self.blocked != 0)).astype(np.uint8)
            self._integrals = (
                cv2.integral(not_free, sdepth=cv2.CV_32S),
                cv2.integral(self.blocked, sdepth=cv2.CV_32S),
            )
        return self._integrals


def _rect_sums(ii: np.ndarray, y1: int, y2: int, xs: np.ndarray, w: int) -> np.ndarray:
    return ii[y2, xs + w] - ii[y1, xs + w] - ii[y2, xs] + ii[y1, xs]


def find_spot(
    occ: Occupancy,
    plane: PlaneView,
    cut_size: tuple[int, int],
    cm: tuple[float, float, float],
    label: str,
    rng: np.random.Generator,
) -> Spot | None:
    """The valid spot nearest the label's preferred place, or None when nothing fits."""
    if occ.extent is None:
        return None
    ext = occ.extent
    pu, pv = PREFERRED.get(label, DEFAULT_PREFERRED)
    not_free, blocked = occ.integrals()
    step = max(2, min(occ.width, occ.height) // 160)
    best: tuple[float, Spot] | None = None
    # Base rows: the footprint must be on the surface, so the base is a row of the surface.
    for base_y in range(ext.y2, ext.y, -step):
        size = plane.size(*cut_size, *cm, base_y)
        w, h, d = size.width, size.height, size.depth
        if w > occ.width or h > base_y or base_y - d < ext.y:
            continue
        xs = np.arange(0, occ.width - w + 1, step)
        ok = (
            (_rect_sums(not_free, base_y - d, base_y, xs, w) == 0)
            & (_rect_sums(blocked, base_y - h, base_y, xs, w) == 0)
            & occ.clear_of_found(xs, w, base_y - h, base_y, base_y - d)
        )
        if not ok.any():
            continue
        xs = xs[ok]
        u = (xs + w / 2 - ext.x) / ext.w
        v = (base_y - ext.y) / ext.h
        cost = np.hypot(u - pu, v - pv) + rng.uniform(0.0, JITTER, len(xs))
        i = int(np.argmin(cost))
        if best is None or cost[i] < best[0]:
            x = int(xs[i])
            spot = Spot(Box(x, base_y - h, w, h), Box(x, base_y - d, w, d), size)
            best = (float(cost[i]), spot)
    return best[1] if best else None
