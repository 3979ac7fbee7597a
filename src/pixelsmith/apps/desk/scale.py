"""The scene's scale on the desk plane: pixels per centimetre, from items of known width.

Each detected item in KNOWN_WIDTH_CM gives px/cm = its box width / its real width, at the row of
its box's bottom (where it stands on the desk). Two such items at rows far enough apart give a
per-row slope (perspective: rows nearer the camera, lower in the photo, are bigger); otherwise
the slope is 0. With no such item the photo is taken to span DEFAULT_SPAN_CM of desk across
(a desk shot from the chair shows about 120 cm of a 140 cm desk).
"""

from __future__ import annotations

from .types import KNOWN_WIDTH_CM, DeskItem, DeskScale

DEFAULT_SPAN_CM = 120.0
MIN_ROW_GAP = 0.1  # of the photo's height between two items for a slope
MIN_SCORE = 0.5  # only confident items set the scale


def estimate_scale(items: list[DeskItem], width: int, height: int) -> DeskScale:
    refs = []
    for it in items:
        cm = KNOWN_WIDTH_CM.get(it.label)
        if cm and it.score >= MIN_SCORE and it.box.w < 0.95 * width:
            refs.append((it.box.y2, it.box.w / cm, it.label))
    if not refs:
        return DeskScale(
            px_per_cm=width / DEFAULT_SPAN_CM, at_y=int(height * 0.75), source="default"
        )
    # The most reliable reference first: keyboards (standard, flat on the desk), then by order.
    order = {"keyboard": 0, "laptop": 1, "mouse": 2, "mug": 3, "monitor": 4}
    refs.sort(key=lambda r: order.get(r[2], 9))
    y0, ppc0, label0 = refs[0]
    per_row = 0.0
    for y, ppc, _ in refs[1:]:
        if abs(y - y0) >= MIN_ROW_GAP * height:
            slope = (ppc - ppc0) / (y - y0)
            if slope > 0:  # a slope the wrong way means a bad box, not a strange camera
                per_row = slope
                break
    return DeskScale(
        px_per_cm=round(ppc0, 3), at_y=int(y0), per_row=round(per_row, 5), source=label0
    )
