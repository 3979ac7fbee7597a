"""Edge maps for the sketch canvas: an uploaded photo or sketch → clean strokes.

Both methods return dark strokes on white, the way the canvas draws; the generation engine
inverts them for the T2I-Adapter (white lines on black) when it submits a sketch job.

- ``canny``: thin, exact contours (cv2.Canny on a lightly blurred grey image).
- ``scribble``: bold, simplified strokes like a quick hand drawing: difference of Gaussians at a
  coarse scale, cleaned of specks, thinned to a skeleton, then drawn with a fixed pen width.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

EdgeMethod = Literal["canny", "scribble"]
# Edge maps are made at most this big (the generation engine works at ~1024 px).
MAX_SIDE = 1024


class EdgeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: EdgeMethod = "canny"
    low: int = Field(40, ge=0, le=255, description="Canny: lower hysteresis threshold")
    high: int = Field(120, ge=1, le=255, description="Canny: upper hysteresis threshold")
    detail: float = Field(0.5, ge=0.0, le=1.0, description="Scribble: 0 = few strokes, 1 = many")
    stroke: int = Field(3, ge=1, le=12, description="Scribble: pen width in pixels")

    @model_validator(mode="after")
    def _order(self) -> EdgeParams:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


def _fit(img: np.ndarray, max_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    if max(h, w) <= max_side:
        return img
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def canny(gray: np.ndarray, low: int = 40, high: int = 120) -> np.ndarray:
    blur = cv2.GaussianBlur(gray, (0, 0), 1.2)
    return cv2.Canny(blur, low, high, L2gradient=True)


def scribble(gray: np.ndarray, detail: float = 0.5, stroke: int = 3) -> np.ndarray:
    scale = max(gray.shape) / 512
    sigma = (2.2 - 1.6 * detail) * max(1.0, scale)
    g = gray.astype(np.float32)
    dog = cv2.GaussianBlur(g, (0, 0), sigma) - cv2.GaussianBlur(g, (0, 0), sigma * 1.6)
    # Dark side of an edge; threshold relative to the image's own contrast.
    thresh = np.percentile(np.abs(dog), 90 - 15 * detail)
    lines = (dog < -max(1.0, float(thresh))).astype(np.uint8) * 255
    # Drop specks: connected parts shorter than a few pen widths.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    min_area = int((30 - 22 * detail) * max(1.0, scale) ** 2)
    keep = np.zeros(n, np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= min_area).astype(np.uint8) * 255
    lines = keep[labels]
    skeleton = cv2.ximgproc.thinning(lines)
    if stroke > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (stroke, stroke))
        skeleton = cv2.dilate(skeleton, kernel)
    return skeleton


def extract_edges(img_rgb: np.ndarray, params: EdgeParams | None = None) -> np.ndarray:
    """HxWx3 RGB → HxW uint8, dark strokes (0) on white (255), longer side ≤ MAX_SIDE."""
    p = params or EdgeParams()
    gray = cv2.cvtColor(_fit(img_rgb, MAX_SIDE), cv2.COLOR_RGB2GRAY)
    edges = (
        canny(gray, p.low, p.high) if p.method == "canny" else scribble(gray, p.detail, p.stroke)
    )
    return 255 - edges
