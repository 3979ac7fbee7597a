"""Shadows an inserted item casts on the desk photo, as darkness masks (uint8, 0 = untouched).

The drawing lives in core/compose.py (shared with Backdrop Studio); this module holds the desk's
look: a soft contact ellipse under the item's foot, squashed by the desk's foreshortening at
its base row, and a faint drop shadow from its alpha nudged down and to the right (the default
light, from the upper left), so the item does not look cut out against the wall or desk behind.
"""

from __future__ import annotations

import numpy as np

from pixelsmith.core import compose

from .types import Box

CONTACT_STRENGTH = 0.6
DROP_STRENGTH = 0.2
DESK_LIGHT = compose.Light()  # upper left, 50° up


def cast(
    alpha: np.ndarray, origin: tuple[int, int], foreshortening: float, image_size: tuple[int, int]
) -> tuple[Box, np.ndarray] | None:
    """Darkness (uint8) of the item whose alpha canvas sits at `origin` (x, y) in the photo,
    cropped to its box in the photo; None when it darkens nothing. `foreshortening` is how
    much the desk's depth is squashed at the item's base row (placement.PlaneView)."""
    rows = compose.solid_rows(alpha)
    if not len(rows):
        return None
    item_h = int(rows[-1] - rows[0] + 1)
    drop = compose.drop_offset(DESK_LIGHT, alpha.shape[1], item_h)
    found = compose.shadows(
        alpha,
        origin,
        image_size,
        foreshortening=foreshortening,
        drop=drop,
        contact_strength=CONTACT_STRENGTH,
        drop_strength=DROP_STRENGTH,
    )
    if found is None:
        return None
    (x, y, w, h), darkness = found
    return Box(x, y, w, h), darkness
