"""Panorama stitching: 2-10 overlapping photos → one picture, black border cropped.

OpenCV's high-level Stitcher does the work (features, matching, bundle adjustment, seam finding,
multi-band blending). Two modes:

- ``panorama``: photos taken by turning the camera from one spot (spherical warp).
- ``scans``: flat things photographed piecewise, or a camera moved sideways (affine model).

Failures become `StitchError`s with a code the user can act on:

    need_more_images      fewer than 2 photos
    too_many_images       more than 10
    not_enough_overlap    some photos share too little with the others (named in details)
    homography_failed     the photos matched, but no consistent geometry was found
    camera_params_failed  bundle adjustment did not converge (try the other mode)

Pure: numpy RGB in, numpy RGB out; progress and cancel are optional callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from pixelsmith.core.errors import ApiError

Mode = Literal["panorama", "scans"]
MIN_IMAGES = 2
MAX_IMAGES = 10
# Inputs larger than this (longer side) are reduced first: it bounds time and memory, and
# stitching gains nothing from 48-megapixel phone photos.
MAX_INPUT_SIDE = 2400
# A result this much larger than all inputs together is a degenerate warp, not a panorama.
MAX_GROWTH = 6.0

ProgressFn = Callable[[int, int, str], None]
RANSAC_SEED = 0
TOTAL_STEPS = 4

_HINT_OVERLAP = (
    "Take the photos so that each one overlaps its neighbour by about a third, keep the same "
    "exposure, and upload them in order."
)


class StitchError(ApiError):
    status_code = 422
    code = "stitch_failed"


@dataclass
class PanoramaResult:
    image: np.ndarray  # HxWx3 uint8 RGB
    mode: str
    used: list[int]  # indices of the inputs in the result (all of them on success)
    uncropped_size: tuple[int, int]  # (width, height) before the border crop
    crop_box: tuple[int, int, int, int] | None  # x, y, w, h inside the uncropped result
    input_scale: list[float] = field(default_factory=list)


def _prepare(images: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[float]]:
    prepared, scales = [], []
    for img in images:
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f"expected HxWx3 uint8 RGB images, got {img.shape} {img.dtype}")
        h, w = img.shape[:2]
        scale = min(1.0, MAX_INPUT_SIDE / max(h, w))
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        # Pixels never 0 in the inputs, so 0 in the result means "no photo here".
        bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        prepared.append(np.maximum(bgr, 1))
        scales.append(scale)
    return prepared, scales


def _status_error(status: int, n: int, mode: str) -> StitchError:
    other = "scans" if mode == "panorama" else "panorama"
    if status == cv2.Stitcher_ERR_NEED_MORE_IMGS:
        return StitchError(
            "The photos do not overlap enough to be stitched: no two of them share enough "
            f"matching detail. {_HINT_OVERLAP}",
            code="not_enough_overlap",
            details={"images": n, "mode": mode},
        )
    if status == cv2.Stitcher_ERR_HOMOGRAPHY_EST_FAIL:
        return StitchError(
            "The photos matched, but no consistent geometry could be found between them "
            f"(homography estimation failed). Try the '{other}' mode, or photos with more "
            "distinct detail in the overlaps (not sky, walls or water).",
            code="homography_failed",
            details={"images": n, "mode": mode},
        )
    if status == cv2.Stitcher_ERR_CAMERA_PARAMS_ADJUST_FAIL:
        return StitchError(
            "The camera positions could not be worked out (camera parameter adjustment "
            f"failed). Try the '{other}' mode, or turn the camera from one spot without moving.",
            code="camera_params_failed",
            details={"images": n, "mode": mode},
        )
    return StitchError(
        f"Stitching failed (OpenCV status {status}). {_HINT_OVERLAP}",
        code="stitch_failed",
        details={"images": n, "mode": mode, "status": int(status)},
    )


def crop_border(pano: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The largest clean rectangle inside the stitched area (pixels that are all 0 are empty).

    Greedy: while the rectangle's edge touches empty pixels, move in the edge with the largest
    share of them. Fast (one pass of edge sums per step) and exact for panorama-shaped masks.
    """
    mask = (pano.max(axis=2) > 0).astype(np.uint8)
    # A little margin: blending fades towards the border.
    mask = cv2.erode(mask, np.ones((5, 5), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    empty = 1 - mask
    rows = np.cumsum(empty, axis=1, dtype=np.int32)  # prefix sums along each row
    cols = np.cumsum(empty, axis=0, dtype=np.int32)  # and along each column
    h, w = mask.shape
    top, bottom, left, right = 0, h - 1, 0, w - 1

    def row_empty(y: int) -> int:
        return int(rows[y, right] - (rows[y, left - 1] if left else 0))

    def col_empty(x: int) -> int:
        return int(cols[bottom, x] - (cols[top - 1, x] if top else 0))

    while top < bottom and left < right:
        width, height = right - left + 1, bottom - top + 1
        scores = (
            row_empty(top) / width,
            row_empty(bottom) / width,
            col_empty(left) / height,
            col_empty(right) / height,
        )
        worst = max(range(4), key=scores.__getitem__)
        if scores[worst] == 0:
            break
        if worst == 0:
            top += 1
        elif worst == 1:
            bottom -= 1
        elif worst == 2:
            left += 1
        else:
            right -= 1
    box = (left, top, right - left + 1, bottom - top + 1)
    if box[2] < 2 or box[3] < 2 or not mask[top : bottom + 1, left : right + 1].all():
        raise StitchError(
            "The stitched picture has no clean rectangular area to keep. " + _HINT_OVERLAP,
            code="homography_failed",
            details={"size": [w, h]},
        )
    return pano[top : bottom + 1, left : right + 1], box


def stitch(
    images: Sequence[np.ndarray],
    *,
    mode: Mode = "panorama",
    crop: bool = True,
    names: Sequence[str] = (),
    progress: ProgressFn | None = None,
    check_cancel: Callable[[], None] | None = None,
) -> PanoramaResult:
    """Stitch RGB photos (in any order; the stitcher finds it) into one RGB panorama.

    `names` (file names, optional) make messages say which photo did not fit.
    """
    report = progress or (lambda step, total, msg: None)
    cancel = check_cancel or (lambda: None)
    n = len(images)
    if n < MIN_IMAGES:
        raise StitchError(
            f"A panorama needs at least {MIN_IMAGES} overlapping photos; got {n}. Add more.",
            code="need_more_images",
            details={"images": n, "min": MIN_IMAGES},
        )
    if n > MAX_IMAGES:
        raise StitchError(
            f"A panorama takes at most {MAX_IMAGES} photos; got {n}. Leave some out.",
            code="too_many_images",
            details={"images": n, "max": MAX_IMAGES},
        )
    if mode not in ("panorama", "scans"):
        raise StitchError(
            f"Unknown mode {mode!r}: choose 'panorama' or 'scans'.",
            code="invalid_params",
            details={"mode": mode},
        )

    report(1, TOTAL_STEPS, "preparing photos")
    prepared, scales = _prepare(images)
    cancel()

    report(2, TOTAL_STEPS, "matching photos")
    # The matcher's RANSAC draws from OpenCV's per-thread RNG, which other calls in the same
    # thread (k-means, say) move on: a fixed seed makes a stitch depend on its photos only.
    cv2.setRNGSeed(RANSAC_SEED)
    stitcher = cv2.Stitcher.create(
        cv2.Stitcher_PANORAMA if mode == "panorama" else cv2.Stitcher_SCANS
    )
    try:
        status = stitcher.estimateTransform(prepared)
    except cv2.error as exc:  # e.g. degenerate geometry inside bundle adjustment
        raise StitchError(
            f"The photos could not be aligned ({exc.err or 'OpenCV error'}). {_HINT_OVERLAP}",
            code="homography_failed",
            details={"images": n, "mode": mode},
        ) from None
    if status != cv2.Stitcher_OK:
        raise _status_error(status, n, mode)
    used = sorted(int(i) for i in np.asarray(stitcher.component()).ravel())
    if len(used) < n:
        left_out = [i for i in range(n) if i not in used]
        labels = [
            f"#{i + 1} ({names[i]})" if i < len(names) and names[i] else f"#{i + 1}"
            for i in left_out
        ]
        one = len(labels) == 1
        which = f"Photo {labels[0]} does" if one else f"Photos {', '.join(labels)} do"
        it = "it" if one else "them"
        raise StitchError(
            f"{which} not overlap the others enough to be placed. Remove {it}, or add photos "
            f"that connect {it}. {_HINT_OVERLAP}",
            code="not_enough_overlap",
            details={"images": n, "mode": mode, "not_placed": left_out, "placed": used},
        )
    cancel()

    report(3, TOTAL_STEPS, "blending")
    try:
        status, pano = stitcher.composePanorama()
    except cv2.error as exc:
        raise StitchError(
            f"The photos could not be warped into one picture ({exc.err or 'OpenCV error'}). "
            f"{_HINT_OVERLAP}",
            code="homography_failed",
            details={"images": n, "mode": mode},
        ) from None
    if status != cv2.Stitcher_OK or pano is None or pano.size == 0:
        raise _status_error(status, n, mode)
    inputs_px = sum(im.shape[0] * im.shape[1] for im in prepared)
    if pano.shape[0] * pano.shape[1] > MAX_GROWTH * inputs_px:
        raise StitchError(
            "The photos matched only in a way that stretches them out of shape. "
            f"Try the other mode. {_HINT_OVERLAP}",
            code="homography_failed",
            details={"images": n, "mode": mode, "size": [pano.shape[1], pano.shape[0]]},
        )
    cancel()

    report(4, TOTAL_STEPS, "cropping the border")
    uncropped = (int(pano.shape[1]), int(pano.shape[0]))
    box = None
    if crop:
        pano, box = crop_border(pano)
    rgb = cv2.cvtColor(pano, cv2.COLOR_BGR2RGB)
    return PanoramaResult(
        image=rgb,
        mode=mode,
        used=used,
        uncropped_size=uncropped,
        crop_box=box,
        input_scale=scales,
    )
