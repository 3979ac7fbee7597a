"""The photo's dominant colours: k-means in CIE Lab on a small copy, named by core.colour.

Lab, not RGB, so that clusters split where people see a difference (a dark brown and a dark grey
are far apart in Lab, close in RGB). The cluster map is kept: the surface and style steps reuse
it to ask "which colour is the desk?".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pixelsmith.core.colour import colour_name, rgb_to_lab, to_hex
from pixelsmith.core.images import shrink_array

from .types import PaletteColor

K = 6
SIDE = 160  # the copy's longer side: ~15k pixels, plenty for 6 clusters, ~10 ms


@dataclass
class PaletteResult:
    colours: list[PaletteColor]  # biggest share first
    lab: np.ndarray  # K×3 cluster centres (Lab), in `colours` order
    labels: np.ndarray  # h×w cluster index per pixel of the small copy, in `colours` order
    small_rgb: np.ndarray  # the small copy (h×w×3 uint8)
    small_lab: np.ndarray  # its Lab (h×w×3 float32)


def small_copy(rgb: np.ndarray, side: int = SIDE) -> np.ndarray:
    return shrink_array(rgb, side)


def dominant_palette(rgb: np.ndarray, k: int = K) -> PaletteResult:
    """k dominant colours of an RGB photo (shares of its pixels), biggest first."""
    small = small_copy(rgb)
    lab = rgb_to_lab(small)
    samples = lab.reshape(-1, 3).astype(np.float32)
    k = max(1, min(k, len(samples)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(7)  # the same photo gets the same palette
    _, labels, centres = cv2.kmeans(samples, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = labels.ravel()
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    order = np.argsort(-counts)
    remap = np.empty(k, dtype=np.int32)
    remap[order] = np.arange(k)
    centres = centres[order]
    colours = []
    for idx in order:
        members = small.reshape(-1, 3)[labels == idx]
        rgb_c = np.median(members, axis=0).astype(np.uint8) if len(members) else (0, 0, 0)
        colours.append(
            PaletteColor(
                hex=to_hex(rgb_c), name=colour_name(rgb_c), share=float(counts[idx] / counts.sum())
            )
        )
    return PaletteResult(
        colours=colours,
        lab=centres,
        labels=remap[labels].reshape(small.shape[:2]),
        small_rgb=small,
        small_lab=lab,
    )
