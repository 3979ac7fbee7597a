"""Constructed landmark sets: a PoseResult built from pixel positions, for the pure features."""

from __future__ import annotations

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
