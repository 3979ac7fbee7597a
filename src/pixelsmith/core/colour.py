"""Colour in CIE Lab: conversions, plain colour names (English and Korean), weighted k-means.

Lab, not RGB, so that distances follow what people see (a dark brown and a dark grey are far
apart in Lab, close in RGB). Shared by the apps: Backdrop's product analysis and brief, Desk's
palette and its recommendation reasons.

Names are keys ("light_grey", "navy"); their words are the messages `colour.<name>` in the
core locales, which pipelines (colour_word) and pages (the "colour." client messages) share.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pixelsmith.core.web.i18n import translate

# Reference colours for names (sRGB). Nearest in Lab, with chroma deciding grey vs colour.
NAMED: dict[str, tuple[int, int, int]] = {
    "white": (245, 245, 245),
    "light_grey": (200, 200, 200),
    "grey": (128, 128, 128),
    "dark_grey": (64, 64, 64),
    "black": (20, 20, 20),
    "ivory": (250, 244, 226),
    "beige": (225, 205, 170),
    "tan": (200, 160, 110),
    "brown": (130, 80, 45),
    "dark_brown": (75, 45, 28),
    "peach": (250, 195, 165),
    "pale_pink": (245, 215, 222),
    "pale_yellow": (245, 235, 170),
    "khaki": (190, 182, 125),
    "sage": (170, 185, 150),
    "pale_blue": (205, 222, 240),
    "red": (200, 35, 40),
    "burgundy": (115, 25, 45),
    "orange": (240, 140, 30),
    "yellow": (240, 215, 50),
    "olive": (120, 120, 40),
    "mint": (170, 225, 195),
    "green": (60, 150, 60),
    "dark_green": (30, 80, 40),
    "teal": (30, 140, 140),
    "light_blue": (140, 190, 230),
    "blue": (40, 90, 200),
    "navy": (25, 35, 90),
    "purple": (120, 60, 160),
    "lavender": (180, 160, 215),
    "pink": (235, 140, 180),
    "magenta": (210, 40, 160),
}
GREYS = ("white", "light_grey", "grey", "dark_grey", "black")
NEUTRAL_CHROMA = 10.0  # below this C*ab a colour is named as a grey


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 sRGB (…×3) → float32 Lab, L in 0..100 and a, b in about -128..127."""
    arr = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(arr, cv2.COLOR_RGB2Lab).reshape(np.shape(rgb))


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """float Lab (…×3) → uint8 sRGB, clipped to the gamut."""
    arr = np.asarray(lab, dtype=np.float32).reshape(-1, 1, 3)
    rgb = cv2.cvtColor(arr, cv2.COLOR_Lab2RGB).reshape(np.shape(lab))
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)


def lab_to_lch(lab: np.ndarray) -> tuple[float, float, float]:
    """One Lab colour → (L, chroma, hue in degrees 0..360)."""
    L, a, b = (float(v) for v in np.asarray(lab).reshape(3))
    return L, float(np.hypot(a, b)), float(np.degrees(np.arctan2(b, a)) % 360.0)


def lch_to_lab(L: float, c: float, h: float) -> np.ndarray:
    r = np.radians(h)
    return np.array([L, c * np.cos(r), c * np.sin(r)], dtype=np.float32)


def to_hex(rgb: tuple[int, int, int] | np.ndarray) -> str:
    r, g, b = (int(v) for v in np.asarray(rgb).reshape(3))
    return f"#{r:02x}{g:02x}{b:02x}"


def from_hex(hex_: str) -> tuple[int, int, int]:
    h = hex_.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def hex_to_lab(colours: list[str]) -> np.ndarray:
    """'#rrggbb' colours → N×3 float32 Lab."""
    return rgb_to_lab(np.array([from_hex(c) for c in colours], np.uint8).reshape(-1, 3))


_NAMES = list(NAMED)
_NAMED_LAB = rgb_to_lab(np.array([NAMED[n] for n in _NAMES], dtype=np.uint8))
_IS_GREY = np.array([n in GREYS for n in _NAMES])


def colour_name(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """The name key of an sRGB colour ("brown", "light_grey", "navy", …)."""
    return colour_name_lab(rgb_to_lab(np.array(rgb, dtype=np.uint8).reshape(1, 3))[0])


def colour_name_lab(lab: np.ndarray) -> str:
    lab = np.asarray(lab, dtype=np.float32).reshape(3)
    chroma = float(np.hypot(lab[1], lab[2]))
    if chroma < NEUTRAL_CHROMA:  # nearly neutral: name it by lightness among the greys
        d = np.where(_IS_GREY, np.abs(_NAMED_LAB[:, 0] - lab[0]), np.inf)
    else:  # a tinted colour is a colour, unless very close to a grey
        d = np.linalg.norm(_NAMED_LAB - lab, axis=1)
        d = np.where(_IS_GREY, d + 15, d)
    return _NAMES[int(np.argmin(d))]


def colour_word(name: str, lang: str = "en") -> str:
    """The word for a name key in `lang` (message `colour.<name>`, as the pages show it)."""
    key = f"colour.{name}"
    word = translate(lang, key)
    return name.replace("_", " ") if word == key else word


@dataclass
class Cluster:
    rgb: tuple[int, int, int]  # median sRGB of the cluster's members (an actual colour)
    lab: np.ndarray  # its Lab
    share: float  # weighted share of the samples
    name: str


MERGE_DELTA_E = 10.0  # clusters closer than this are one colour to a person
MIN_SHARE = 0.04


def _merge_same_names(clusters: list[Cluster]) -> list[Cluster]:
    """Clusters a person would call by the same name are one colour (the largest one's)."""
    by_name: dict[str, Cluster] = {}
    for c in clusters:  # largest first
        if c.name in by_name:
            by_name[c.name].share += c.share
        else:
            by_name[c.name] = c
    return sorted(by_name.values(), key=lambda c: -c.share)


def dominant_colours(
    rgb: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    k: int = 5,
    max_samples: int = 6000,
    seed: int = 7,
) -> list[Cluster]:
    """The main colours of N sRGB samples (N×3 uint8), largest weighted share first.

    k-means in Lab, then clusters closer than MERGE_DELTA_E or of the same name merged and
    those under MIN_SHARE dropped (so a two-colour object gives two colours, not k).
    `weights` (N, e.g. alpha) weigh each sample's share. Deterministic: the same pixels give
    the same colours."""
    px = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8).reshape(-1, 3))
    w = np.ones(len(px), np.float64) if weights is None else np.asarray(weights, np.float64).ravel()
    if len(px) == 0 or w.sum() <= 0:
        return []
    if len(px) > max_samples:  # an even stride keeps the spatial mix
        idx = np.linspace(0, len(px) - 1, max_samples).astype(np.int64)
        px, w = px[idx], w[idx]
    lab = rgb_to_lab(px).astype(np.float32)
    k = max(1, min(k, len(np.unique(px, axis=0))))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(seed)
    _, labels, _ = cv2.kmeans(lab, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    labels = labels.ravel()
    groups = [np.nonzero(labels == i)[0] for i in range(k)]
    groups = [g for g in groups if g.size]
    # merge near-duplicates, biggest first
    groups.sort(key=lambda g: -w[g].sum())
    merged: list[np.ndarray] = []
    for g in groups:
        c = np.average(lab[g], axis=0, weights=w[g] + 1e-9)
        for i, m in enumerate(merged):
            cm = np.average(lab[m], axis=0, weights=w[m] + 1e-9)
            if np.linalg.norm(c - cm) < MERGE_DELTA_E:
                merged[i] = np.concatenate([m, g])
                break
        else:
            merged.append(g)
    total = w.sum()
    out = []
    for g in merged:
        share = float(w[g].sum() / total)
        if share < MIN_SHARE and out:
            continue
        med = np.median(px[g], axis=0).astype(np.uint8)
        med_lab = rgb_to_lab(med.reshape(1, 3))[0]
        out.append(Cluster(tuple(int(v) for v in med), med_lab, share, colour_name_lab(med_lab)))
    out.sort(key=lambda c: -c.share)
    out = _merge_same_names(out)
    kept = sum(c.share for c in out)
    for c in out:  # shares of what is reported
        c.share = c.share / kept
    return out
