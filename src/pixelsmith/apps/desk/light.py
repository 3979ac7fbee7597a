"""Colour and light match: nudge a cut-out toward the light of the spot it is placed in.

In CIE Lab (float, L 0..100):
- lightness: the cut-out's mean L moves LIGHT_PULL of the way to the mean L around the spot
  (at most MAX_L_SHIFT), and its spread of L scales by (scene std / cut-out std) ** CONTRAST_PULL
  (within CONTRAST_RANGE): a white lamp in a dim room gets dimmer, not grey;
- white balance: the photo's colour cast is the mean (a, b) of its near-neutral pixels (chroma
  under NEUTRAL_CHROMA); CAST_PULL of it is added to the cut-out (at most MAX_CAST), so a product
  shot under daylight takes on a warm room's tint.
Partial on purpose: the product must stay recognisable (its hue and pattern are kept).
Scene statistics come from a copy of the photo at most STATS_SIDE on its longer side.
"""

from __future__ import annotations

import cv2
import numpy as np

from pixelsmith.core.colour import lab_to_rgb, rgb_to_lab

from .types import Box

STATS_SIDE = 256
LIGHT_PULL = 0.35
MAX_L_SHIFT = 18.0
CONTRAST_PULL = 0.3
CONTRAST_RANGE = (0.8, 1.25)
NEUTRAL_CHROMA = 12.0
CAST_PULL = 0.5
MAX_CAST = 6.0
AROUND = 0.5  # the region "around the spot": its box grown by this share of its size per side


class SceneLight:
    """The photo's light, measured once per render."""

    def __init__(self, photo: np.ndarray) -> None:
        h, w = photo.shape[:2]
        self.factor = min(1.0, STATS_SIDE / max(h, w))
        small = cv2.resize(
            photo,
            (max(1, round(w * self.factor)), max(1, round(h * self.factor))),
            interpolation=cv2.INTER_AREA,
        )
        self.lab = rgb_to_lab(small)
        ab = self.lab[..., 1:].reshape(-1, 2)
        neutral = ab[np.hypot(ab[:, 0], ab[:, 1]) < NEUTRAL_CHROMA]
        # Too few neutral pixels to tell a cast from the scene's own colours: assume none.
        cast = neutral.mean(axis=0) if len(neutral) >= 0.01 * len(ab) else np.zeros(2)
        self.cast = np.clip(cast * CAST_PULL, -MAX_CAST, MAX_CAST).astype(np.float32)

    def around(self, box: Box) -> tuple[float, float]:
        """Mean and std of L in the photo around `box`."""
        gx, gy = box.w * AROUND, box.h * AROUND
        f = self.factor
        hh, ww = self.lab.shape[:2]
        x1, y1 = max(0, int((box.x - gx) * f)), max(0, int((box.y - gy) * f))
        x2 = min(ww, max(x1 + 1, int((box.x2 + gx) * f)))
        y2 = min(hh, max(y1 + 1, int((box.y2 + gy) * f)))
        L = self.lab[y1:y2, x1:x2, 0]
        return float(L.mean()), float(L.std())


def match(rgb: np.ndarray, alpha: np.ndarray, scene: SceneLight, box: Box) -> np.ndarray:
    """The cut-out's colours (uint8 RGB, straight) adjusted toward the light around `box`."""
    visible = alpha > 127
    if not visible.any():
        return rgb
    lab = rgb_to_lab(rgb)
    L = lab[..., 0]
    mu_f, sd_f = float(L[visible].mean()), float(L[visible].std())
    mu_s, sd_s = scene.around(box)
    ratio = (max(sd_s, 1.0) / max(sd_f, 1.0)) ** CONTRAST_PULL
    ratio = float(np.clip(ratio, *CONTRAST_RANGE))
    shift = float(np.clip(LIGHT_PULL * (mu_s - mu_f), -MAX_L_SHIFT, MAX_L_SHIFT))
    lab[..., 0] = np.clip((L - mu_f) * ratio + mu_f + shift, 0.0, 100.0)
    lab[..., 1:] += scene.cast
    return lab_to_rgb(lab)
