"""Product cut-outs: the main object of a photo as a transparent RGBA image (U2Net-p + refinement).

Shared by Desk Makeover (catalog items without transparency) and Backdrop Studio. Steps:
U2Net-p saliency at 320x320 → upsampled to the photo (at most REFINE_MAX_SIDE on the long side)
→ guided filter with the photo as guide, so the edge follows the object's real outline rather
than the network's blurry 320-pixel one → a soft threshold, specks dropped → alpha at full size,
cropped to the object's bounding box.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from pixelsmith.core.models._common import as_rgb_u8

REFINE_MAX_SIDE = 1024  # guided filter above this costs more than it shows
ALPHA_LO, ALPHA_HI = 0.25, 0.75  # saliency below is background, above is object, ramp between
MIN_PART = 0.05  # object parts smaller than this share of the largest one are specks
CROP_MARGIN = 2  # pixels kept around the object's box


@dataclass
class MatteFlag:
    """A warning about a cut-out the user should look at. code is one of:
    "low_confidence" (the network was unsure over much of the object), "transparent" (glass
    or clear plastic: the alpha cannot be trusted), "cut_by_frame" (the object runs off the
    photo's edge; `params["sides"]` says which: "top,left", ...). Message key:
    cutout.flag.<code>."""

    code: str
    message: str  # English
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Matte:
    """An object cut out of its photo, at the photo's size.

    `rgb` is the photo with edge pixels colour-decontaminated (the old background's colour taken
    out where 0 < alpha < 255); inside the solid core (alpha == 255) it is the photo's own, bit
    for bit. `alpha` is uint8 HxW (0 = background). `box` is (x, y, w, h) where alpha > 0."""

    rgb: np.ndarray
    alpha: np.ndarray
    box: tuple[int, int, int, int]
    confidence: float  # 0..1: how decisive the saliency map is over the object and its rim
    flags: list[MatteFlag] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def rgba(self) -> np.ndarray:
        """HxWx4 uint8 at the photo's size."""
        return np.dstack([self.rgb, self.alpha])

    def to_dict(self) -> dict[str, Any]:
        x, y, w, h = self.box
        return {
            "box": {"x": x, "y": y, "w": w, "h": h},
            "size": [int(self.alpha.shape[1]), int(self.alpha.shape[0])],
            "confidence": round(float(self.confidence), 3),
            "flags": [asdict(f) for f in self.flags],
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


class NoObjectFound(ValueError):
    """Nothing in the photo stands out from its background."""


def _model(model: Any) -> Any:
    if model is not None:
        return model
    from pixelsmith.core.models import get

    return get("salient")


def salient_mask(rgb: np.ndarray, *, model: Any = None) -> np.ndarray:
    """How much each pixel belongs to the photo's main object: HxW float32 in [0, 1].

    Raw U2Net-p output upsampled to the photo's size (no refinement): for analysis, where a
    soft map is what is wanted."""
    import cv2

    img = as_rgb_u8(rgb)
    h, w = img.shape[:2]
    m = _model(model).mask320(img)
    return cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)


def refine_alpha(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A soft saliency map (any size) → alpha at rgb's size, float32 in [0, 1]."""
    import cv2

    img = as_rgb_u8(rgb)
    h, w = img.shape[:2]
    scale = min(1.0, REFINE_MAX_SIDE / max(h, w))
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA) if scale < 1 else img
    m = cv2.resize(mask.astype(np.float32), (sw, sh), interpolation=cv2.INTER_LINEAR)
    radius = max(2, round(max(sw, sh) / 160))
    guide = small.astype(np.float32) / 255.0
    m = cv2.ximgproc.guidedFilter(guide, m, radius, 1e-3)
    alpha = np.clip((m - ALPHA_LO) / (ALPHA_HI - ALPHA_LO), 0.0, 1.0).astype(np.float32)
    alpha *= _keep_main_parts(alpha > 0.5)
    if scale < 1:
        alpha = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
    return alpha


def _keep_main_parts(solid: np.ndarray) -> np.ndarray:
    """1 on connected parts at least MIN_PART of the largest (and their soft rim), else 0."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(solid.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros(solid.shape, np.float32)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= MIN_PART * areas.max()
    kept = keep[labels].astype(np.uint8)
    # the soft rim outside the 0.5 contour belongs to the part it surrounds
    rim = max(3, round(max(solid.shape) / 100)) | 1
    return cv2.dilate(kept, np.ones((rim, rim), np.uint8)).astype(np.float32)


def cut_out(rgb: np.ndarray, *, model: Any = None) -> np.ndarray:
    """The photo's main object as HxWx4 uint8 RGBA, cropped to its bounding box.

    Raises NoObjectFound when nothing stands out (a blank or uniform photo)."""
    img = as_rgb_u8(rgb)
    alpha = refine_alpha(img, _model(model).mask320(img))
    return crop_rgba(img, alpha)


def crop_rgba(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """RGB + float alpha → RGBA uint8 cropped to where alpha > 0.5 (plus CROP_MARGIN)."""
    ys, xs = np.nonzero(alpha > 0.5)
    if ys.size == 0:
        raise NoObjectFound("No object stands out from the background in this image.")
    h, w = alpha.shape
    y0, y1 = max(0, ys.min() - CROP_MARGIN), min(h, ys.max() + 1 + CROP_MARGIN)
    x0, x1 = max(0, xs.min() - CROP_MARGIN), min(w, xs.max() + 1 + CROP_MARGIN)
    a = np.round(alpha[y0:y1, x0:x1] * 255).astype(np.uint8)
    return np.ascontiguousarray(np.dstack([rgb[y0:y1, x0:x1], a]))
