"""Where C7 is on a side view: the back contour of the neck, from the person mask.

The craniovertebral angle is drawn from the spinous process of C7, the bump at the back of the
base of the neck. Pose models have no such landmark; their shoulder sits at the shoulder joint,
below and in front of C7, which read the angle 15–35° higher (more upright) on the 20 real side
views of the benchmark. Here C7 is put on the
back contour of the person mask (MediaPipe selfie segmentation, bundled in the wheel):

- height: C7_HEIGHT of the way from the shoulder landmark up to the ear. The spinous process of
  C7 sits a few centimetres above the shoulder joint's centre (about the acromion's height).
- place: the back edge of the mask on that row, found by walking from the neck's middle (the
  ear → shoulder line) away from the face. Gaps up to GAP_FRACTION of the neck length are
  stepped over (a drawn plumb line, a thin strand of hair's shadow).

When the walk fails (no mask, the person merges with a chair or wall behind, or the edge lies
more than MAX_BACK behind the shoulder) the shoulders' midpoint is moved by the fixed correction
SHOULDER_TO_C7, measured as the median of the mask estimates on 20 real side views
(benchmarks/bench_posture.py prints it again on each run: "C7 behind the shoulder landmark").
Long hair hanging over the neck is not told from the neck: its edge is taken for the contour,
which puts C7 too far back and reads the angle a few degrees low. On a rounded upper back
(seated, shoulders forward) the row at C7_HEIGHT can lie below the base of the neck, on the
back's slope: C7 is then put lower and farther back than the spinous process.

Tried and not shipped: C7 at the corner of the back contour below the nape (the contour point
farthest towards the face from the line between the nape and the contour at shoulder height,
when it lies 5 % of the rise or more off that line). On the 20 real side views it righted
good_01 (42.6° → 44.2°) and good_09 (41.9° → 51.1°) and wronged bad_06 (43.2° → 45.6°) and
good_08 (44.4° → 42.6°): 17 of 20 either way. good_04 stays at about 28°: seen from above and
leaning 20° forward, its ear lies well ahead of the base of its neck.
Also tried, none better than 17 of 20: the person mask made again on a square crop around the
neck (3 rises wide) for a finer contour, 13 or 15 of 20 (the crop loses the body's context);
the tragus put at a fixed share of the head's length on the silhouette (from the back of the
head to the nose) in place of the ear landmark, 14–16 of 20 at shares 0.45–0.63 (the ear
landmark sits at 0.60–0.69 of it on good and bad photos alike); MediaPipe Holistic, whose
face mesh runs on a crop placed by the pose, finds a face on 9 of the 20 side views, not on
good_01 or good_09; long hair over the neck told from the neck by colour (hair at the crown
against skin on the cheek) finds no hair on good_09, whose neck row lies on her shirt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

C7_HEIGHT = 0.2  # of the shoulder → ear rise, above the shoulder landmark
GAP_FRACTION = 0.08  # gaps in the mask this long (of the neck length) are stepped over
MAX_BACK = 1.2  # of the neck length behind the shoulder: farther is hair or a chair, not C7
MASK_MIN = 0.5
# Fallback: C7 from the shoulders' midpoint, in shoulder → ear rises (back, up): back is the
# median offset of the mask estimates on the 20 real side views of the benchmark (0.548).
SHOULDER_TO_C7 = (0.55, C7_HEIGHT)


@dataclass(frozen=True)
class C7:
    x: float
    y: float
    source: str  # "mask": the neck's back contour; "shoulder": the fixed correction


def from_shoulder(ear: tuple[float, float], shoulder: tuple[float, float], facing: float) -> C7:
    """C7 by the fixed correction of the shoulder landmark (see the module docstring)."""
    neck = max(shoulder[1] - ear[1], 1.0)
    back, up = SHOULDER_TO_C7
    return C7(shoulder[0] - facing * back * neck, shoulder[1] - up * neck, "shoulder")


def from_mask(
    mask: np.ndarray | None,
    ear: tuple[float, float],
    shoulder: tuple[float, float],
    facing: float,
) -> C7:
    """C7 on the back contour of `mask` (person probability, the image's size), in pixels.

    `ear` and `shoulder` are the side's landmarks in pixels; `facing` is +1 when the face points
    image-right, -1 when it points left. Falls back to `from_shoulder` when the contour is not
    usable.
    """
    fallback = from_shoulder(ear, shoulder, facing)
    rise = shoulder[1] - ear[1]
    if mask is None or rise <= 2.0:
        return fallback
    h, w = mask.shape[:2]
    y = shoulder[1] - C7_HEIGHT * rise
    row_i = round(y)
    if not 0 <= row_i < h:
        return fallback
    row = mask[row_i] >= MASK_MIN
    # Start inside the neck: on the ear → shoulder line at this height.
    t = (y - ear[1]) / rise
    x = ear[0] + t * (shoulder[0] - ear[0])
    xi = round(x)
    if not 0 <= xi < w or not row[xi]:
        return fallback
    step = -1 if facing > 0 else 1  # away from the face
    gap_max = max(2, round(GAP_FRACTION * rise))
    limit = (MAX_BACK * rise) + abs(x - shoulder[0])
    edge, gap, i = xi, 0, xi
    while 0 <= i + step < w and abs(i + step - xi) <= limit:
        i += step
        if row[i]:
            edge, gap = i, 0
        else:
            gap += 1
            if gap > gap_max:
                break
    if gap == 0:
        # The mask runs on to the border or past a plausible distance (a chair, a wall behind,
        # hair): this is no neck contour.
        return fallback
    if (shoulder[0] - edge) * facing > MAX_BACK * rise:
        return fallback
    return C7(float(edge), float(y), "mask")
