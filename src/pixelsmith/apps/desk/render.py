"""The makeover render on the CPU: chosen products composited into the photo's free desk space.

For each item, in the order given (earlier items get the better spots):
1. placement.find_spot: where its footprint fits the free surface, sized from the desk's scale
   at its base row (placement.py explains the plane model);
2. warp.fit: the cut-out scaled to that size, its top narrowed along the receding plane,
   edge feathered;
3. light.match: its colours nudged toward the light around the spot;
4. shadow.cast: a soft contact shadow under its base and a faint drop shadow from its alpha.
Then, back to front, each item's shadow is multiplied into the photo and the item is alpha-
blended over it. Only pixels inside an item's mask or shadow change; every other pixel is the
photo's own, bit for bit (the blends are integer arithmetic that returns the photo's value
where alpha or darkness is 0).

An item that fits nowhere is reported with placed=False and a reason; it never overlaps another.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from pixelsmith.core import compose
from pixelsmith.core.web.i18n import translate

from . import light, placement, shadow, warp
from .types import Box, DeskAnalysis

DEFAULT_MAX_DEPTH_CM = 25.0  # an item's footprint depth when the catalog gives none


@dataclass
class RenderItem:
    """A product to place: its cut-out (HxWx4 uint8, transparent around it) and real size."""

    product_id: str
    label: str  # a desk category (types.ITEM_LABELS); it decides the preferred spot
    rgba: np.ndarray
    width_cm: float
    height_cm: float
    prompt: str = ""  # what the GPU path paints into the item's mask
    depth_cm: float | None = None  # footprint depth; default min(width_cm, 25)

    def __post_init__(self) -> None:
        if not (self.width_cm > 0 and self.height_cm > 0):
            raise ValueError(f"{self.product_id}: width_cm and height_cm must be > 0")
        if self.depth_cm is not None and not self.depth_cm > 0:
            raise ValueError(f"{self.product_id}: depth_cm must be > 0")

    @property
    def footprint_depth_cm(self) -> float:
        return self.depth_cm or min(self.width_cm, DEFAULT_MAX_DEPTH_CM)


@dataclass
class ItemPlacement:
    """Where one item went. mask and shadow are crops: mask[i, j] is pixel (box.x+j, box.y+i)."""

    product_id: str
    label: str
    placed: bool
    reason: str = ""  # why not, when placed is False (English)
    reason_key: str = ""  # the same as a message key and its values, for other languages
    reason_params: dict[str, str] = field(default_factory=dict)
    box: Box | None = None
    mask: np.ndarray | None = None  # uint8 alpha as blended (0 = untouched)
    shadow_box: Box | None = None
    shadow: np.ndarray | None = None  # uint8 darkness (0 = untouched)
    hotspot: tuple[int, int] | None = None  # (x, y): the mask's point farthest from its edge
    footprint: Box | None = None  # the patch of desk the item stands on
    px_per_cm: float = 0.0  # the desk's scale at the item's base row

    def full_mask(self, height: int, width: int) -> np.ndarray:
        """This item's mask at the photo's size (bool: pixels the item may have changed)."""
        return _paste(self.mask, self.box, height, width)

    def full_shadow(self, height: int, width: int) -> np.ndarray:
        return _paste(self.shadow, self.shadow_box, height, width)

    def to_dict(self) -> dict[str, Any]:
        box = lambda b: None if b is None else {"x": b.x, "y": b.y, "w": b.w, "h": b.h}  # noqa: E731
        return {
            "product_id": self.product_id,
            "label": self.label,
            "placed": self.placed,
            "reason": self.reason,
            "reason_key": self.reason_key,
            "reason_params": self.reason_params,
            "box": box(self.box),
            "shadow_box": box(self.shadow_box),
            "footprint": box(self.footprint),
            "hotspot": list(self.hotspot) if self.hotspot else None,
            "px_per_cm": round(self.px_per_cm, 3),
        }


@dataclass
class RenderResult:
    image: np.ndarray  # HxWx3 uint8, the photo's size
    items: list[ItemPlacement]
    path: str = "cpu"  # "cpu" (composite) or "inpaint" (GPU)
    elapsed_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def placed(self) -> list[ItemPlacement]:
        return [p for p in self.items if p.placed]

    def changed(self) -> np.ndarray:
        """Union of every placed item's mask and shadow: the only pixels that may differ."""
        h, w = self.image.shape[:2]
        union = np.zeros((h, w), bool)
        for p in self.placed:
            union |= p.full_mask(h, w) | p.full_shadow(h, w)
        return union

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "width": int(self.image.shape[1]),
            "height": int(self.image.shape[0]),
            "items": [p.to_dict() for p in self.items],
            "elapsed_ms": round(self.elapsed_ms, 1),
            **self.extra,
        }


def _paste(crop: np.ndarray | None, box: Box | None, height: int, width: int) -> np.ndarray:
    full = np.zeros((height, width), bool)
    if crop is not None and box is not None:
        full[box.y : box.y2, box.x : box.x2] = crop > 0
    return full


@dataclass
class _Layer:
    """One placed item ready to draw: colour and alpha cropped to `placement.box`."""

    placement: ItemPlacement
    rgb: np.ndarray


def check_photo(photo_rgb: np.ndarray, analysis: DeskAnalysis) -> None:
    if photo_rgb.ndim != 3 or photo_rgb.shape[2] != 3 or photo_rgb.dtype != np.uint8:
        raise ValueError(f"photo must be HxWx3 uint8, got {photo_rgb.shape} {photo_rgb.dtype}")
    if photo_rgb.shape[:2] != (analysis.height, analysis.width):
        raise ValueError(
            f"photo is {photo_rgb.shape[1]}×{photo_rgb.shape[0]} but the analysis is of a "
            f"{analysis.width}×{analysis.height} photo"
        )


def composite(
    photo_rgb: np.ndarray, analysis: DeskAnalysis, items: list[RenderItem], *, seed: int = 0
) -> RenderResult:
    """The photo with `items` placed on its free desk surface (deterministic for a seed)."""
    started = time.perf_counter()
    check_photo(photo_rgb, analysis)
    occupancy = placement.Occupancy(analysis)
    plane = placement.PlaneView(analysis)
    scene = light.SceneLight(photo_rgb)
    rng = np.random.default_rng(seed)
    results, layers = [], []
    for item in items:
        layer = _place(item, analysis, occupancy, plane, scene, rng)
        results.append(layer.placement if isinstance(layer, _Layer) else layer)
        if isinstance(layer, _Layer):
            layers.append(layer)

    out = photo_rgb.copy()
    for layer in sorted(layers, key=lambda lay: lay.placement.footprint.y2):  # back to front
        _draw(out, layer)
    return RenderResult(out, results, "cpu", (time.perf_counter() - started) * 1000.0)


def fits(analysis: DeskAnalysis, sizes_cm: list[tuple[str, float, float]]) -> list[bool]:
    """Whether each (label, width_cm, height_cm) alone has a spot on the free desk surface at
    the photo's scale, as `composite` would look for one (the cut-out's shape taken from its
    real size). For recommending what can actually be placed."""
    occupancy = placement.Occupancy(analysis)
    if occupancy.extent is None:
        return [False] * len(sizes_cm)
    plane = placement.PlaneView(analysis)
    rng = np.random.default_rng(0)
    out = []
    for label, width_cm, height_cm in sizes_cm:
        depth = min(width_cm, DEFAULT_MAX_DEPTH_CM)
        cut = (max(1, round(width_cm * 10)), max(1, round(height_cm * 10)))
        spot = placement.find_spot(occupancy, plane, cut, (width_cm, height_cm, depth), label, rng)
        out.append(spot is not None)
    return out


def _place(
    item: RenderItem,
    analysis: DeskAnalysis,
    occupancy: placement.Occupancy,
    plane: placement.PlaneView,
    scene: light.SceneLight,
    rng: np.random.Generator,
) -> _Layer | ItemPlacement:
    def refused(name: str, **params: object) -> ItemPlacement:
        key = f"apps.desk.placement.{name}"
        values = {k: str(v) for k, v in params.items()}
        return ItemPlacement(
            item.product_id, item.label, False, translate("en", key, **values), key, values
        )

    cut = warp.trim(item.rgba)
    if cut is None:
        return refused("no_cutout")
    if occupancy.extent is None:
        return refused("no_surface")
    cm = (item.width_cm, item.height_cm, item.footprint_depth_cm)
    spot = placement.find_spot(occupancy, plane, (cut.shape[1], cut.shape[0]), cm, item.label, rng)
    if spot is None:
        return refused(
            "no_space",
            width=f"{item.width_cm:g}",
            height=f"{item.height_cm:g}",
            label=item.label.replace("_", " "),
            scale=f"{plane.scale.at(occupancy.extent.y2):.1f}",
        )
    occupancy.block(spot.box)
    top = warp.top_factor(analysis.scale, spot.box.y2, spot.box.h)
    rgb, alpha = warp.fit(cut, spot.box.w, spot.box.h, top)
    rgb = light.match(rgb, alpha, scene, spot.box)
    origin = (spot.box.x - warp.PAD, spot.box.y - warp.PAD)
    cast = shadow.cast(alpha, origin, spot.size.foreshortening, (analysis.width, analysis.height))

    # Crop the canvas to the photo and then to the pixels the item really covers.
    x1, y1 = max(0, origin[0]), max(0, origin[1])
    x2 = min(analysis.width, origin[0] + alpha.shape[1])
    y2 = min(analysis.height, origin[1] + alpha.shape[0])
    alpha = alpha[y1 - origin[1] : y2 - origin[1], x1 - origin[0] : x2 - origin[0]]
    rgb = rgb[y1 - origin[1] : y2 - origin[1], x1 - origin[0] : x2 - origin[0]]
    ys, xs = np.nonzero(alpha)
    ty1, ty2, tx1, tx2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    box = Box(x1 + int(tx1), y1 + int(ty1), int(tx2 - tx1), int(ty2 - ty1))
    mask = np.ascontiguousarray(alpha[ty1:ty2, tx1:tx2])
    result = ItemPlacement(
        item.product_id,
        item.label,
        True,
        box=box,
        mask=mask,
        shadow_box=cast[0] if cast else None,
        shadow=cast[1] if cast else None,
        hotspot=hotspot(mask, box),
        footprint=spot.footprint,
        px_per_cm=spot.size.px_per_cm,
    )
    return _Layer(result, np.ascontiguousarray(rgb[ty1:ty2, tx1:tx2]))


def hotspot(mask: np.ndarray, box: Box) -> tuple[int, int]:
    """The pole of inaccessibility of the mask (always on the item, even a ring-shaped one)."""
    solid = np.pad((mask > 127).astype(np.uint8), 1)
    if not solid.any():
        solid = np.pad((mask > 0).astype(np.uint8), 1)
    dist = cv2.distanceTransform(solid, cv2.DIST_L2, 3)
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return box.x + int(x) - 1, box.y + int(y) - 1


def _draw(out: np.ndarray, layer: _Layer) -> None:
    p = layer.placement
    if p.shadow is not None and p.shadow_box is not None:
        compose.darken(out, p.shadow, (p.shadow_box.x, p.shadow_box.y))
    compose.alpha_over(out, layer.rgb, p.mask, (p.box.x, p.box.y))
