"""Constructed landmark sets: a PoseResult built from pixel positions, for the pure features."""

from __future__ import annotations

import math

import numpy as np

from pixelsmith.core.models.pose import LANDMARK_NAMES, Landmark, PoseResult

W, H = 640, 480


def pose(points: dict[str, tuple[float, ...]], width: int = W, height: int = H) -> PoseResult:
    """`points`: name → (x_px, y_px[, z_px[, visibility]]); the rest sit invisible at the centre."""
    marks = []
    for name in LANDMARK_NAMES:
        if name in points:
            x, y, *rest = points[name]
            z = rest[0] if rest else 0.0
            vis = rest[1] if len(rest) > 1 else 0.99
            marks.append(Landmark(x / width, y / height, z / width, vis))
        else:
            marks.append(Landmark(0.5, 0.5, 0.0, 0.05))
    return PoseResult(landmarks=marks, width=width, height=height)


def front(
    *,
    ear_rise: float = 110.0,
    shoulder_w: float = 200.0,
    ear_w: float = 90.0,
    depth: float = 0.0,
    tilt_px: float = 0.0,
    cx: float = 320.0,
    shoulder_y: float = 330.0,
) -> PoseResult:
    """A person facing the camera. Unmirrored: their left shoulder is on the image's right.

    `ear_rise`: ears above the shoulder line; `depth`: how much nearer the camera the ears are
    than the shoulders (pixels, as MediaPipe's z × width); `tilt_px`: their left shoulder lower.
    """
    ear_y = shoulder_y - ear_rise
    return pose(
        {
            "left_shoulder": (cx + shoulder_w / 2, shoulder_y + tilt_px / 2, 0.0),
            "right_shoulder": (cx - shoulder_w / 2, shoulder_y - tilt_px / 2, 0.0),
            "left_ear": (cx + ear_w / 2, ear_y, -depth),
            "right_ear": (cx - ear_w / 2, ear_y, -depth),
            "nose": (cx, ear_y + 10, -depth - 40),
            "left_eye": (cx + 18, ear_y - 8, -depth - 30),
            "right_eye": (cx - 18, ear_y - 8, -depth - 30),
        }
    )


def side(*, inclination_deg: float, neck: float = 120.0, facing: int = 1) -> PoseResult:
    """A profile facing image-right (facing=1) or left (-1); the ear `inclination_deg` ahead of
    the vertical through the shoulder, `neck` px from it."""
    import math

    sx, sy = 300.0, 330.0
    a = math.radians(inclination_deg)
    ex, ey = sx + facing * neck * math.sin(a), sy - neck * math.cos(a)
    return pose(
        {
            "left_shoulder": (sx, sy, 0.0, 0.99),
            "right_shoulder": (sx + 6 * facing, sy + 2, 30.0, 0.4),
            "left_ear": (ex, ey, 0.0, 0.99),
            "right_ear": (ex + 4 * facing, ey, 30.0, 0.3),
            "nose": (ex + facing * 70, ey + 12, -20.0, 0.99),
        }
    )


def profile(
    *,
    cva_deg: float,
    facing: int = 1,
    neck: float = 100.0,
    trunk_deg: float = 0.0,
    width: int = W,
    height: int = H,
    hips: bool = True,
) -> tuple[PoseResult, np.ndarray, tuple[float, float]]:
    """A drawn side view with a known craniovertebral angle: (pose, person mask, true C7).

    C7 sits on the back contour of the mask, `C7_HEIGHT` of the way from the shoulder landmark
    up to the ear (where `c7.from_mask` looks for it); the tragus (both ear landmarks) is
    `cva_deg` above the horizontal through C7, towards the face. The shoulder landmark is 0.4
    neck lengths in front of C7, the hips (when drawn) lie `trunk_deg` behind the vertical
    through the shoulders (+ = shoulders ahead of the hips). The mask is the back contour (a
    line through C7 along the trunk) filled 1.5 neck lengths towards the face, and a head disc.
    """
    from pixelsmith.apps.posture.c7 import C7_HEIGHT

    # C7 → ear: `neck` long vertically (rise), forward by rise / tan(cva).
    rise_c7 = neck * (1 - C7_HEIGHT)
    forward = rise_c7 / math.tan(math.radians(cva_deg))
    c7x = width / 2 - facing * forward / 2
    c7y = height * 0.45
    ex, ey = c7x + facing * forward, c7y - rise_c7
    sx, sy = c7x + facing * 0.4 * neck, ey + neck
    t = math.tan(math.radians(trunk_deg))
    hy = sy + 2.2 * neck
    hx = sx - facing * t * (hy - sy)
    nose = (ex + facing * 0.7 * neck * 0.6, ey + 0.1 * neck)
    points: dict[str, tuple[float, ...]] = {
        "left_ear": (ex, ey, 0.0, 0.99),
        "right_ear": (ex, ey, 30.0, 0.6),
        "left_shoulder": (sx, sy, 0.0, 0.99),
        "right_shoulder": (sx, sy, 30.0, 0.6),
        "nose": (*nose, -20.0, 0.99),
        "left_eye": (nose[0] - facing * 0.15 * neck, ey - 0.1 * neck, -15.0, 0.99),
        "mouth_left": (nose[0] - facing * 0.1 * neck, ey + 0.3 * neck, -15.0, 0.99),
    }
    if hips:
        points["left_hip"] = (hx, hy, 0.0, 0.95)
        points["right_hip"] = (hx, hy, 30.0, 0.8)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    back_x = c7x - facing * t * (yy - c7y)  # the back contour runs along the trunk
    ahead = (xx - back_x) * facing
    mask = ((ahead >= 0) & (ahead <= 1.5 * neck) & (yy >= ey)).astype(np.float32)
    head_c = (ex + facing * 0.15 * neck, ey - 0.1 * neck)
    mask[(xx - head_c[0]) ** 2 + (yy - head_c[1]) ** 2 <= (0.55 * neck) ** 2] = 1.0
    return pose(points, width, height), mask, (c7x, c7y)
