"""The desk's style, scored from its colours (photo and desk top) and its items.

Each style is a small rule over colour shares measured in Lab on the palette's small copy; the
score is 0..1 and the evidence says in words what was seen. Rules, not a trained model: no
labelled style set exists here, and a rule's evidence can be shown to the user as it is.
"""

from __future__ import annotations

import numpy as np

from .palette import PaletteResult
from .types import DeskItem, StyleScore


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def score_styles(pal: PaletteResult, desk: np.ndarray, items: list[DeskItem]) -> list[StyleScore]:
    """Scores for every style in STYLES, best first. `desk` is the desk-top mask (small copy)."""
    lab = pal.small_lab.reshape(-1, 3)
    L, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    chroma = np.hypot(a, b)
    hue = (np.degrees(np.arctan2(b, a)) + 360) % 360
    warm_brown = (hue > 35) & (hue < 85) & (chroma > 12) & (L > 20) & (L < 80)
    white = (L > 75) & (chroma < 12)
    light_neutral = (L > 55) & (chroma < 12)
    dark = L < 25
    grey = (L >= 25) & (L <= 65) & (chroma < 10)
    vivid = (chroma > 45) & (L > 35)
    neon = (chroma > 55) & (L > 45)

    d = desk.reshape(-1)
    desk_share = float(d.mean())
    on_desk = (lambda m: float(m[d].mean())) if desk_share > 0.02 else (lambda m: float(m.mean()))
    labels = {i.label for i in items}

    out: list[StyleScore] = []

    # The desk mask can land on a desk mat; the lower part of the photo is where the desk is.
    h = pal.small_lab.shape[0]
    lower = warm_brown.reshape(h, -1)[int(h * 0.55) :]
    wood_desk, wood_all = max(on_desk(warm_brown), float(lower.mean())), float(warm_brown.mean())
    ev = [f"{_pct(wood_desk)} of the desk area is warm brown"]
    if wood_all > 0.15:
        ev.append(f"{_pct(wood_all)} of the photo is wood-toned")
    if "plant" in labels:
        ev.append("a plant")
    out.append(
        StyleScore(
            "wood_natural", _clip(1.2 * wood_desk + 0.5 * wood_all + 0.1 * ("plant" in labels)), ev
        )
    )

    w_all, w_desk = float(light_neutral.mean()), on_desk(white | light_neutral)
    few_colours = 1.0 - _clip(float(vivid.mean()) * 8)
    out.append(
        StyleScore(
            "minimal_white",
            # White walls are everywhere: the desk top weighs most, and a wood top rules it out.
            _clip((0.4 * w_all + 0.8 * w_desk) * few_colours * (1 - _clip(1.5 * wood_desk))),
            [
                f"{_pct(w_all)} of the photo is white or light grey",
                f"{_pct(w_desk)} of the desk top is white or light grey",
                "few strong colours" if few_colours > 0.7 else "some strong colours",
            ],
        )
    )

    dark_share, neon_share = float(dark.mean()), float(neon.mean())
    ev = [f"{_pct(dark_share)} of the photo is near black"]
    if neon_share > 0.01:
        lit = "RGB-lit keyboard" if "keyboard" in labels else "bright neon accents"
        ev.append(f"{lit} ({_pct(neon_share)} of the photo)")
    out.append(
        StyleScore(
            "dark_gaming",
            _clip(1.1 * dark_share + 6 * neon_share) * (dark_share > 0.15 or neon_share > 0.03),
            ev,
        )
    )

    vivid_hues = hue[vivid]
    hist = np.histogram(vivid_hues, bins=12, range=(0, 360))[0]
    n_hues = int((hist > max(8, 0.01 * len(lab))).sum())
    out.append(
        StyleScore(
            "colourful",
            _clip(float(vivid.mean()) * 4 + 0.12 * max(0, n_hues - 1)),
            [
                f"{_pct(float(vivid.mean()))} of the photo in strong colours",
                f"{n_hues} distinct hues",
            ],
        )
    )

    grey_share, grey_desk = float(grey.mean()), on_desk(grey | dark)
    out.append(
        StyleScore(
            "industrial",
            _clip(0.8 * grey_share + 0.6 * grey_desk - 0.8 * wood_desk),
            [
                f"{_pct(grey_share)} of the photo is mid grey (metal, concrete)",
                f"{_pct(grey_desk)} of the desk top is grey or black",
            ],
        )
    )
    return sorted(out, key=lambda s: -s.score)
