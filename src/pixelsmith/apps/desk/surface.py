"""The free desk surface: where new items can go, as polygons in working-photo pixels.

The desk top is taken to be the palette cluster that covers most of the low-texture pixels in
the lower part of the photo (desk photos are shot from the chair: the desk fills the bottom),
kept where it is smooth and connected to that band, then closed over small gaps. The item boxes
(grown by a margin) are cut out of it, and what is left is traced as polygons.
"""

from __future__ import annotations

import cv2
import numpy as np

from .palette import PaletteResult
from .types import Box

BAND_TOP = 0.7  # the band where the desk is looked for: the bottom 30% of the rows
MAX_GRADIENT = 12.0  # smoothed Lab-L gradient under which a pixel counts as low-texture
SMOOTH_PERCENTILE = 60  # pixels of the band smoother than this share of it count as smooth
MIN_POLYGON = 0.01  # of the photo's area; smaller free patches are dropped
MIN_OBSTACLE = 0.002  # of the photo's area: a smaller hole in the desk is grain, not a thing
ITEM_MARGIN = 0.04  # of the photo's longer side, kept clear around each item


def desk_mask(pal: PaletteResult) -> tuple[np.ndarray, int]:
    """Boolean desk-top mask on the palette's small copy, and the desk's palette index."""
    lab = pal.small_lab
    h, w = lab.shape[:2]
    L = cv2.GaussianBlur(lab[:, :, 0], (3, 3), 0)
    grad = cv2.magnitude(cv2.Sobel(L, cv2.CV_32F, 1, 0), cv2.Sobel(L, cv2.CV_32F, 0, 1))
    grad = cv2.blur(grad, (5, 5))
    top = int(h * BAND_TOP)
    # Real desks have grain, noise and shadows: what counts as smooth is relative to the band
    # (its smoother part), never stricter than MAX_GRADIENT.
    smooth = grad < max(MAX_GRADIENT, float(np.percentile(grad[top:], SMOOTH_PERCENTILE)))
    band_labels = pal.labels[top:][smooth[top:]]
    if not band_labels.size:
        return np.zeros((h, w), bool), -1
    desk = int(np.bincount(band_labels, minlength=len(pal.colours)).argmax())
    # Near the desk colour (not only its exact cluster: shading splits a desk into two).
    dist = np.linalg.norm(lab - pal.lab[desk], axis=2)
    mask = ((pal.labels == desk) | (dist < 7)) & smooth
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, lab_cc, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    keep = np.zeros(n, bool)
    for i in range(1, n):  # components that reach into the band and are not specks
        y, hh, area = stats[i, cv2.CC_STAT_TOP], stats[i, cv2.CC_STAT_HEIGHT], stats[i, 4]
        keep[i] = y + hh > top and area >= 0.01 * h * w
    return keep[lab_cc], desk


def _cut_holes(free: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Slit each hole (something on the desk that no item box covered) up to the top edge, so
    every free region is one simple polygon that goes around it rather than over it. Returns
    the holes' bounding boxes (x, y, w, h on the small copy) that are big enough to be things."""
    contours, hierarchy = cv2.findContours(free, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    holes = []
    min_area = MIN_OBSTACLE * free.shape[0] * free.shape[1]
    for c, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0:
            continue
        x, y = c.reshape(-1, 2)[np.argmin(c.reshape(-1, 2)[:, 1])]
        free[: y + 1, max(0, x - 1) : x + 2] = 0
        if cv2.contourArea(c) >= min_area:
            holes.append(cv2.boundingRect(c))
    return holes


def free_surface(
    pal: PaletteResult, boxes: list[Box], size: tuple[int, int]
) -> tuple[list[list[tuple[int, int]]], list[Box]]:
    """Free desk-top polygons in working-photo pixels (size = (width, height)), and the boxes
    of unlabelled things standing on the desk (its holes)."""
    width, height = size
    mask, _ = desk_mask(pal)
    h, w = mask.shape
    sx, sy = w / width, h / height
    free = mask.astype(np.uint8)
    margin = ITEM_MARGIN * max(w, h)
    for b in boxes:
        x0, y0 = int(b.x * sx - margin), int(b.y * sy - margin)
        x1, y1 = int(np.ceil(b.x2 * sx + margin)), int(np.ceil(b.y2 * sy + margin))
        free[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0
    # Keep a pixel (of the small copy) off every edge: objects' outlines blur into the desk.
    free = cv2.erode(free, np.ones((3, 3), np.uint8))
    holes = _cut_holes(free)
    obstacles = [
        Box(int(x / sx), int(y / sy), int(np.ceil(w_ / sx)), int(np.ceil(h_ / sy)))
        for x, y, w_, h_ in holes
    ]
    contours, _ = cv2.findContours(free, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygons = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True):
        if cv2.contourArea(c) < MIN_POLYGON * h * w:
            continue
        eps = min(1.5, 0.004 * cv2.arcLength(c, True))  # small-copy pixels: corners stay put
        approx = cv2.approxPolyDP(c, eps, True).reshape(-1, 2)
        if len(approx) < 3:
            continue
        polygons.append(
            [
                (int(min(width - 1, round(x / sx))), int(min(height - 1, round(y / sy))))
                for x, y in approx
            ]
        )
    return polygons, obstacles
