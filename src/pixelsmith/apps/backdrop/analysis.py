"""Product analysis: what the cut-out product is and looks like (issue 12, item 2).

`analyze(matte)` reads only the product: its box is cropped out of the matte and brought to
ANALYSIS_SIDE on the longer side once, and every measure runs on that copy, so the cost does not
grow with the photo and thresholds mean the same at any photo size.

- category: the ImageNet classifier on the product over neutral grey (categories.py maps
  classes to categories);
- colours: weighted k-means in Lab over the product's pixels (core.colour), alpha as weight;
- brightness: mean L* of the product;
- materials, each 0..1: glossy / metal from specular highlights, fabric from fine texture,
  glass from the matte's "transparent" flag and its share of see-through alpha, matte otherwise;
- aspect and orientation from the matte's box.
"""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np

from pixelsmith.core.colour import dominant_colours, rgb_to_lab, to_hex
from pixelsmith.core.cutout import Matte

from .categories import category_of
from .types import Colour, ProductAnalysis

ANALYSIS_SIDE = 256  # the product's copy: enough for highlights and weave, a few ms per measure
CLASSIFIER_GREY = 127  # (x − 127) / 128 puts it at zero: the background adds nothing
TOP_LABELS = 5
SOLID = 250  # alpha at or above this is the product's solid inside


def analyze(matte: Matte, *, classifier: Any = None) -> ProductAnalysis:
    """Analyse a cut-out product. `classifier` is a core.models ClassifierModel (default: the
    registry's "classifier"); pass one to share it or to test."""
    started = time.perf_counter()
    rgb, alpha = _product_copy(matte)
    a = alpha.astype(np.float32) / 255.0
    inside = a > 0.5
    if not inside.any():
        raise ValueError("the matte has no product pixels")
    lab = rgb_to_lab(rgb)

    model = classifier if classifier is not None else _default_classifier()
    probs = model.probabilities(_on_grey(rgb, a))
    top = np.argsort(-probs)[:TOP_LABELS]
    labels = [(model.labels[i].split(",")[0].strip(), float(probs[i])) for i in top]

    colours = [
        Colour(hex=to_hex(c.rgb), name=c.name, share=round(c.share, 4))
        for c in dominant_colours(rgb[inside], a[inside])
    ]
    brightness = float(np.average(lab[..., 0][inside], weights=a[inside]))
    _, _, w, h = matte.box
    aspect = w / max(1, h)
    return ProductAnalysis(
        category=category_of(probs),
        labels=labels,
        colours=colours,
        brightness=brightness,
        materials=material_scores(lab, alpha, matte),
        aspect=aspect,
        orientation="tall" if aspect < 0.8 else "wide" if aspect > 1.25 else "square",
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _default_classifier() -> Any:
    from pixelsmith.core.models import get

    return get("classifier")


def _product_copy(matte: Matte) -> tuple[np.ndarray, np.ndarray]:
    """The product's box out of the matte, longer side brought to ANALYSIS_SIDE (area-averaged
    when larger; smaller products are enlarged so texture thresholds keep their meaning)."""
    x, y, w, h = (int(v) for v in matte.box)
    if w <= 0 or h <= 0:
        raise ValueError("the matte's box is empty")
    rgb = np.ascontiguousarray(matte.rgb[y : y + h, x : x + w, :3])
    alpha = np.ascontiguousarray(matte.alpha[y : y + h, x : x + w])
    f = ANALYSIS_SIDE / max(w, h)
    if abs(f - 1) > 1e-3:
        size = (max(1, round(w * f)), max(1, round(h * f)))
        interp = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
        rgb = cv2.resize(rgb, size, interpolation=interp)
        alpha = cv2.resize(alpha, size, interpolation=interp)
    return rgb, alpha


def _on_grey(rgb: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The product over neutral grey, padded to a square. Grey rather than the photo: the old
    background (a desk, a hand, a shop shelf) pulls the classifier toward the scene; rather than
    white: white is ImageNet's catalogue-shot cue and not neutral to the net's first layer,
    grey 127 is. Square so the classifier's 224² resize keeps the product's proportions."""
    h, w = a.shape
    side = max(h, w)
    out = np.full((side, side, 3), CLASSIFIER_GREY, np.float32)
    y0, x0 = (side - h) // 2, (side - w) // 2
    region = out[y0 : y0 + h, x0 : x0 + w]
    region[:] = rgb.astype(np.float32) * a[..., None] + region * (1 - a[..., None])
    return np.round(out).astype(np.uint8)


# --- materials ----------------------------------------------------------------------------

HIGHLIGHT_L = 80.0  # specular highlights are near white …
HIGHLIGHT_C = 14.0  # … nearly colourless (the light's colour, not the surface's) …
HIGHLIGHT_LIFT = 12.0  # … and brighter than their surroundings by this much L*
HIGHLIGHT_MAX_BLOB = 0.05  # a highlight is small: a blob over 5% of the product is a white part
GLOSS_FULL = 0.012  # highlight share of the product that counts as fully glossy
FINE_STEP = 2.5  # L* step of a pixel against its 1-px neighbourhood that counts as texture
FABRIC_LO, FABRIC_HI = 0.18, 0.55  # share of textured pixels: none → weave everywhere
SEE_THROUGH_LO, SEE_THROUGH_HI = 40, 215  # alpha between: the background shows through


def material_scores(lab: np.ndarray, alpha: np.ndarray, matte: Matte) -> dict[str, float]:
    """glossy, metal, glass, matte, fabric → 0..1 from the product copy's Lab and alpha."""
    L = lab[..., 0]
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    core = cv2.erode((alpha >= SOLID).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    n_core = int(core.sum())
    if n_core < 50:  # too thin to judge the surface (a wire, a strap)
        core = alpha >= SOLID
        n_core = max(1, int(core.sum()))

    # specular highlights: small, near-white, colourless blobs brighter than around them
    sigma = max(2.0, max(L.shape) / 12)  # wider than a highlight, so its surroundings count
    lift = L - cv2.GaussianBlur(L, (0, 0), sigma)
    spec = core & (L > HIGHLIGHT_L) & (chroma < HIGHLIGHT_C) & (lift > HIGHLIGHT_LIFT)
    spec_share = _small_blob_share(spec, n_core)
    gloss = float(np.clip(spec_share / GLOSS_FULL, 0, 1))

    # metal: highlights on a neutral body with a wide spread of dark and light (reflections);
    # without highlights a neutral, contrasty product is just black and grey parts
    body = core & ~spec
    body_chroma = float(np.median(chroma[body])) if body.any() else 0.0
    spread = float(np.percentile(L[core], 95) - np.percentile(L[core], 5))
    neutral = float(np.clip((20.0 - body_chroma) / 14.0, 0, 1))
    contrast = float(np.clip((spread - 25.0) / 35.0, 0, 1))
    metal = float(np.clip(gloss * neutral * contrast, 0, 1))

    # fabric: fine texture nearly everywhere on the surface, away from highlights
    fine = np.abs(L - cv2.blur(L, (3, 3)))
    textured = float((fine[body] > FINE_STEP).mean()) if body.any() else 0.0
    fabric = float(np.clip((textured - FABRIC_LO) / (FABRIC_HI - FABRIC_LO), 0, 1)) * (1 - gloss)

    # glass: the cut-out says so, or much of the product is see-through
    inside = alpha > SEE_THROUGH_LO
    see = float(((alpha > SEE_THROUGH_LO) & (alpha < SEE_THROUGH_HI)).sum() / max(1, inside.sum()))
    glass = float(np.clip((see - 0.08) / 0.25, 0, 1))
    if any(f.code == "transparent" for f in matte.flags):
        glass = max(glass, 0.85)

    glossy = gloss * (1 - 0.5 * metal)
    matte_score = float(np.clip(1 - max(gloss, metal, glass, fabric), 0, 1))
    return {
        "glossy": round(glossy, 4),
        "metal": round(metal, 4),
        "glass": round(glass, 4),
        "matte": round(matte_score, 4),
        "fabric": round(fabric, 4),
    }


def _small_blob_share(mask: np.ndarray, n_core: int) -> float:
    """Share of the product covered by blobs of `mask` smaller than HIGHLIGHT_MAX_BLOB each."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return 0.0
    areas = stats[1:, cv2.CC_STAT_AREA]
    small = areas[areas <= HIGHLIGHT_MAX_BLOB * n_core]
    return float(small.sum() / n_core)
