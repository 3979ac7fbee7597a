"""The desk's style, scored from its colours (photo and desk top) and its items.

Each style is a small rule over colour shares measured in Lab on the palette's small copy; the
score is 0..1 and the evidence says in words what was seen. Rules, not a trained model: no
labelled style set exists here, and a rule's evidence can be shown to the user as it is.
"""

from __future__ import annotations

import numpy as np

from pixelsmith.core.web.i18n import translate

from .palette import PaletteResult
from .types import DeskItem, StyleScore


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


EVIDENCE_PREFIX = "apps.desk.evidence."


def _ev(name: str, **params: object) -> dict[str, object]:
    """One piece of evidence as a message key and its values (pages show it in their
    language; `evidence` holds the English text)."""
    return {"key": EVIDENCE_PREFIX + name, "params": {k: str(v) for k, v in params.items()}}


def _texts(evidence: list[dict[str, object]]) -> tuple[list[str], list[dict[str, object]]]:
    return [evidence_text(e, "en") for e in evidence], evidence


def evidence_text(e: dict, lang: str) -> str:
    return translate(lang, e["key"], **e["params"])


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
    ev = [_ev("desk_warm_brown", pct=_pct(wood_desk))]
    if wood_all > 0.15:
        ev.append(_ev("photo_wood", pct=_pct(wood_all)))
    if "plant" in labels:
        ev.append(_ev("plant"))
    out.append(
        StyleScore(
            "wood_natural",
            _clip(1.2 * wood_desk + 0.5 * wood_all + 0.1 * ("plant" in labels)),
            *_texts(ev),
        )
    )

    w_all, w_desk = float(light_neutral.mean()), on_desk(white | light_neutral)
    few_colours = 1.0 - _clip(float(vivid.mean()) * 8)
    out.append(
        StyleScore(
            "minimal_white",
            # White walls are everywhere: the desk top weighs most, and a wood top rules it out.
            _clip((0.4 * w_all + 0.8 * w_desk) * few_colours * (1 - _clip(1.5 * wood_desk))),
            *_texts(
                [
                    _ev("photo_white", pct=_pct(w_all)),
                    _ev("desk_white", pct=_pct(w_desk)),
                    _ev("few_colours" if few_colours > 0.7 else "some_colours"),
                ]
            ),
        )
    )

    dark_share, neon_share = float(dark.mean()), float(neon.mean())
    ev = [_ev("photo_black", pct=_pct(dark_share))]
    if neon_share > 0.01:
        lit = "rgb_keyboard" if "keyboard" in labels else "neon"
        ev.append(_ev(lit, pct=_pct(neon_share)))
    out.append(
        StyleScore(
            "dark_gaming",
            _clip(1.1 * dark_share + 6 * neon_share) * (dark_share > 0.15 or neon_share > 0.03),
            *_texts(ev),
        )
    )

    vivid_hues = hue[vivid]
    hist = np.histogram(vivid_hues, bins=12, range=(0, 360))[0]
    n_hues = int((hist > max(8, 0.01 * len(lab))).sum())
    out.append(
        StyleScore(
            "colourful",
            _clip(float(vivid.mean()) * 4 + 0.12 * max(0, n_hues - 1)),
            *_texts([_ev("photo_vivid", pct=_pct(float(vivid.mean()))), _ev("hues", n=n_hues)]),
        )
    )

    grey_share, grey_desk = float(grey.mean()), on_desk(grey | dark)
    out.append(
        StyleScore(
            "industrial",
            _clip(0.8 * grey_share + 0.6 * grey_desk - 0.8 * wood_desk),
            *_texts(
                [_ev("photo_grey", pct=_pct(grey_share)), _ev("desk_grey", pct=_pct(grey_desk))]
            ),
        )
    )
    return sorted(out, key=lambda s: -s.score)
