"""Overlapping views cut from real photos (scikit-image data), for the panorama tests and bench.

Each view is a window of the source photo, then varied the way hand-held shots vary: a slight
perspective tilt, a different exposure and a different scale. `views()` also returns where each
window came from, so a test can compare the stitched result with the source photo.
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data


def source(name: str = "stereo_motorcycle", upscale: float = 1.0) -> np.ndarray:
    img = getattr(data, name)()
    if isinstance(img, tuple):
        img = img[0]
    img = np.ascontiguousarray(img[:, :, :3])
    if upscale != 1.0:
        h, w = img.shape[:2]
        img = cv2.resize(
            img, (round(w * upscale), round(h * upscale)), interpolation=cv2.INTER_CUBIC
        )
    return img


def _perspective(img: np.ndarray, tilt: float) -> np.ndarray:
    """Keystone: the right edge grows by `tilt` of the height (the left by -tilt when negative).

    The warp only stretches outward, so every output pixel comes from the photo (no padding).
    """
    h, w = img.shape[:2]
    d = abs(tilt) * h
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    if tilt >= 0:
        dst = np.float32([[0, 0], [w, -d], [w, h + d], [0, h]])
    else:
        dst = np.float32([[0, -d], [w, 0], [w, h], [0, h + d]])
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR)


def views(
    img: np.ndarray,
    n: int = 3,
    overlap: float = 0.4,
    *,
    vary: bool = True,
    tilt: bool = True,
    rescale: bool = True,
) -> tuple[list[np.ndarray], list[tuple[int, int, int, int]]]:
    """`n` windows across `img`, each overlapping the next by `overlap` of its width.

    With `vary`, each view gets its own exposure and scale and (with `tilt`) a keystone
    perspective: a projective change that the affine `scans` model cannot undo, so tilted
    views are for the `panorama` mode.
    """
    h, w = img.shape[:2]
    win = int(w / (n - (n - 1) * overlap))
    step = int(win * (1 - overlap))
    exposures = [1.0, 0.85, 1.12, 0.93, 1.06, 0.9, 1.1, 0.95, 1.04, 0.88]
    scales = [1.0, 0.92, 1.0, 0.95, 1.0, 0.9, 1.0, 0.93, 1.0, 0.96]
    tilts = [0.0, 0.02, -0.015, 0.01, -0.02, 0.015, 0.0, -0.01, 0.02, 0.0]
    out, boxes = [], []
    for i in range(n):
        x = min(i * step, w - win)
        view = img[:, x : x + win].copy()
        boxes.append((x, 0, win, h))
        if vary:
            if tilt and tilts[i]:
                view = _perspective(view, tilts[i])
            view = np.clip(view.astype(np.float32) * exposures[i], 0, 255).astype(np.uint8)
            if rescale and scales[i] != 1.0:
                vh, vw = view.shape[:2]
                size = (round(vw * scales[i]), round(vh * scales[i]))
                view = cv2.resize(view, size, interpolation=cv2.INTER_AREA)
        out.append(np.ascontiguousarray(view))
    return out, boxes
