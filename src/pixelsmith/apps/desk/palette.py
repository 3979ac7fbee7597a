"""The photo's dominant colours: k-means in CIE Lab on a small copy, with plain colour names.

Lab, not RGB, so that clusters split where people see a difference (a dark brown and a dark grey
are far apart in Lab, close in RGB). The cluster map is kept: the surface and style steps reuse
it to ask "which colour is the desk?".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pixelsmith.core.images import shrink_array

from .types import PaletteColor

K = 6
SIDE = 160  # the copy's longer side: ~15k pixels, plenty for 6 clusters, ~10 ms

# Reference colours for names (sRGB). Nearest in Lab, with chroma deciding grey vs colour.
_NAMED = {
    "white": (245, 245, 245),
    "light grey": (200, 200, 200),
    "grey": (128, 128, 128),
    "dark grey": (64, 64, 64),
    "black": (20, 20, 20),
    "beige": (225, 205, 170),
    "tan": (200, 160, 110),
    "brown": (130, 80, 45),
    "dark brown": (75, 45, 28),
    "red": (200, 35, 40),
    "orange": (240, 140, 30),
    "yellow": (240, 215, 50),
    "olive": (120, 120, 40),
    "green": (60, 150, 60),
    "dark green": (30, 80, 40),
    "teal": (30, 140, 140),
    "light blue": (140, 190, 230),
    "blue": (40, 90, 200),
    "navy": (25, 35, 90),
    "purple": (120, 60, 160),
    "lavender": (180, 160, 215),
    "pink": (235, 140, 180),
    "magenta": (210, 40, 160),
}
_GREYS = {"white", "light grey", "grey", "dark grey", "black"}


def _lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB (…×3) → float32 Lab with L in 0..100 and a, b in about -128..127."""
    arr = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(arr, cv2.COLOR_RGB2Lab).reshape(np.shape(rgb))


_NAMES = list(_NAMED)
_NAMED_LAB = _lab(np.array([_NAMED[n] for n in _NAMES], dtype=np.uint8))


def colour_name(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """A plain English name for an sRGB colour ("brown", "light grey", "navy", …)."""
    lab = _lab(np.array(rgb, dtype=np.uint8).reshape(1, 3))[0]
    chroma = float(np.hypot(lab[1], lab[2]))
    d = np.linalg.norm(_NAMED_LAB - lab, axis=1)
    grey = np.array([n in _GREYS for n in _NAMES])
    if chroma < 10:  # nearly neutral: name it by lightness among the greys
        d = np.where(grey, np.abs(_NAMED_LAB[:, 0] - lab[0]), np.inf)
    else:
        d = np.where(grey, d + 15, d)  # a tinted colour is a colour, unless very close to grey
    return _NAMES[int(np.argmin(d))]


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
    lab = _lab(small)
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
        hex_ = "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb_c))
        colours.append(
            PaletteColor(hex=hex_, name=colour_name(rgb_c), share=float(counts[idx] / counts.sum()))
        )
    return PaletteResult(
        colours=colours,
        lab=centres,
        labels=remap[labels].reshape(small.shape[:2]),
        small_rgb=small,
        small_lab=lab,
    )
