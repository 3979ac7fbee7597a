"""Posture features from pose landmarks, and how far they are from good: pure functions.

Input is anything shaped like `core.models.pose.PoseResult` (33 landmarks normalised to the
image, `width`, `height`, `lm = result["left_ear"]`). Everything is computed in pixels so
that angles are true angles on the image; MediaPipe's `z` (depth, in x's scale) is turned into
pixels with the image width.

The features:

- ``view``: "front" (a webcam on the screen) or "side" (a profile photo): side when the shoulders
  look narrow against the neck length, or when the nose lies outside the span of the two ears
  (the head turned about 45° or more from the camera). The second cue keeps side views taken
  from above (the shoulders drawn apart vertically, the neck foreshortened) and three-quarter
  views side views. (MediaPipe's shoulder depth was tried as a third cue and dropped: a photo
  of a person facing the camera read 41–45°, real side views from 51°, too close to call.)
- ``facing``: +1 when the face points image-right, -1 left: the face points (nose, eyes, mouth)
  against the ears, and where those are level (the head bent down) the knees against the hips.
- ``neck_inclination_deg``: the shoulder → ear line against the vertical, in the sagittal plane
  (0° = ear straight above the shoulder, more = head ahead). Side view: measured on the image.
  Front view: estimated from MediaPipe's depth (ears nearer the camera than the shoulders), so
  it is noisier and mostly useful against the user's own baseline.
- ``head_forward``: how far the ear is ahead of the shoulder. Side view: in head lengths
  (ear → nose). Front view: depth difference in shoulder widths.
- ``head_height``: how high the ears sit above the shoulders (front: in shoulder widths; side:
  in head lengths). "Head drop" is the fall of this value below the baseline.
- ``shoulder_tilt_deg``: the shoulder line against the horizontal (front view only).
- ``trunk_inclination_deg``: the hip → shoulder line against the vertical (side view, hips in
  sight): + when the shoulders are ahead of the hips (hunched over), - when behind (reclined).
- ``face_width`` / ``shoulder_width``: fractions of the image width. Against the baseline they
  say how much nearer the screen the user sits (a face 30 % wider is about 23 % nearer).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, Protocol

View = Literal["front", "side"]

VISIBILITY_MIN = 0.5  # landmarks below this are not trusted
SIDE_VIEW_RATIO = 0.7  # shoulder width / neck length below this = a profile view
# The nose this far (in ear spans) beyond the nearer ear = the head is turned ≥ ~45°: in a
# head-on view the nose sits between the ears, past 45° of yaw it leaves their span.
NOSE_OUTSIDE_EARS = 0.0

# The landmarks the live overlay draws (upper body): names in PoseResult order.
OVERLAY_LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_hip", "right_hip",
)  # fmt: skip


class _Mark(Protocol):
    x: float
    y: float
    z: float
    visibility: float


class Landmarks(Protocol):
    width: int
    height: int

    def __getitem__(self, name: str) -> _Mark: ...


@dataclass(frozen=True)
class Features:
    view: View
    neck_inclination_deg: float | None
    head_forward: float | None
    head_height: float | None
    shoulder_tilt_deg: float | None
    face_width: float | None
    shoulder_width: float | None
    visibility: float  # the lowest visibility among the landmarks used
    trunk_inclination_deg: float | None = None
    facing: int | None = None  # side view: +1 face to image-right, -1 to the left

    NUMERIC = (
        "neck_inclination_deg",
        "head_forward",
        "head_height",
        "shoulder_tilt_deg",
        "face_width",
        "shoulder_width",
        "trunk_inclination_deg",
    )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in self.NUMERIC:
            if out[key] is not None:
                out[key] = round(out[key], 4)
        out["visibility"] = round(self.visibility, 3)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Features:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


# ---- geometry ----------------------------------------------------------------------------------


def _px(lms: Landmarks, name: str) -> tuple[float, float, float, float]:
    lm = lms[name]
    return lm.x * lms.width, lm.y * lms.height, lm.z * lms.width, lm.visibility


def _mid(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float, float]:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2, min(a[3], b[3]))


def _dist(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


FACE_POINTS = ("nose", "left_eye", "right_eye", "mouth_left", "mouth_right")


def _nose_outside_ears(lms: Landmarks) -> bool:
    le, re, nose = _px(lms, "left_ear"), _px(lms, "right_ear"), _px(lms, "nose")
    lo, hi = min(le[0], re[0]), max(le[0], re[0])
    margin = NOSE_OUTSIDE_EARS * (hi - lo)
    return nose[0] < lo - margin or nose[0] > hi + margin


def detect_view(lms: Landmarks, *, three_quarter: bool = True) -> View:
    """Profile ("side") when the shoulders overlap against the neck; with `three_quarter`, also
    when the head is turned so far that the nose leaves the ears' span (three-quarter views,
    views from above).

    The live coach passes three_quarter=False: its webcam faces the user, so a turned head there
    is a glance at another screen, not a side view.
    """
    ls, rs = _px(lms, "left_shoulder"), _px(lms, "right_shoulder")
    ears = _mid(_px(lms, "left_ear"), _px(lms, "right_ear"))
    shoulders = _mid(ls, rs)
    neck = max(_dist(ears, shoulders), 1e-6)
    if abs(ls[0] - rs[0]) / neck < SIDE_VIEW_RATIO:
        return "side"
    return "side" if three_quarter and _nose_outside_ears(lms) else "front"


def facing_of(lms: Landmarks) -> int:
    """+1 when the person faces image-right, -1 left (see the module docstring)."""
    ears_x = (_px(lms, "left_ear")[0] + _px(lms, "right_ear")[0]) / 2
    seen = [n for n in FACE_POINTS if lms[n].visibility >= VISIBILITY_MIN] or ["nose"]
    face_x = sum(_px(lms, n)[0] for n in seen) / len(seen)
    head = max(_dist(_px(lms, "left_ear"), _px(lms, "nose")), 1e-6)
    lead = face_x - ears_x
    if abs(lead) < 0.15 * head:  # face level with the ears (bent down): try the legs
        knees = [lms[f"{s}_knee"] for s in ("left", "right")]
        if max(k.visibility for k in knees) >= VISIBILITY_MIN:
            knee_x = sum(_px(lms, f"{s}_knee")[0] for s in ("left", "right")) / 2
            hip_x = sum(_px(lms, f"{s}_hip")[0] for s in ("left", "right")) / 2
            if abs(knee_x - hip_x) > 0.3 * head:  # sitting: the thighs point the way
                return 1 if knee_x > hip_x else -1
    return 1 if lead >= 0 else -1


def side_of(lms: Landmarks) -> str:
    """ "left" or "right": the side whose ear and shoulder the camera sees better."""
    return max(
        ("left", "right"),
        key=lambda s: lms[f"{s}_ear"].visibility + lms[f"{s}_shoulder"].visibility,
    )


def trunk_inclination(lms: Landmarks, facing: int) -> float | None:
    """Hip → shoulder line against the vertical, + shoulders ahead (see the docstring)."""
    hips = [_px(lms, f"{s}_hip") for s in ("left", "right")]
    if (hips[0][3] + hips[1][3]) / 2 < VISIBILITY_MIN:
        return None
    hip = _mid(*hips)
    if not (0 <= hip[0] <= lms.width and 0 <= hip[1] <= lms.height):
        return None  # hips guessed beyond the frame's edge: no trunk line to trust
    shoulder = _mid(_px(lms, "left_shoulder"), _px(lms, "right_shoulder"))
    rise = hip[1] - shoulder[1]
    if rise <= 0:  # shoulders at or below the hips: lying down, not a trunk to judge
        return None
    return math.degrees(math.atan2((shoulder[0] - hip[0]) * facing, rise))


def _side_features(lms: Landmarks) -> Features:
    side = side_of(lms)
    ear, shoulder, nose = _px(lms, f"{side}_ear"), _px(lms, f"{side}_shoulder"), _px(lms, "nose")
    facing = facing_of(lms)
    forward_px = (ear[0] - shoulder[0]) * facing  # ear ahead of the shoulder, in pixels
    rise_px = shoulder[1] - ear[1]  # ear above the shoulder (image y grows downwards)
    head_len = max(_dist(ear, nose), 1e-6)
    return Features(
        view="side",
        neck_inclination_deg=math.degrees(math.atan2(forward_px, rise_px)),
        head_forward=forward_px / head_len,
        head_height=rise_px / head_len,
        shoulder_tilt_deg=None,
        face_width=head_len / lms.width,
        shoulder_width=None,
        visibility=min(ear[3], shoulder[3], nose[3]),
        trunk_inclination_deg=trunk_inclination(lms, facing),
        facing=facing,
    )


def _front_features(lms: Landmarks) -> Features:
    le, re = _px(lms, "left_ear"), _px(lms, "right_ear")
    ls, rs = _px(lms, "left_shoulder"), _px(lms, "right_shoulder")
    ears, shoulders = _mid(le, re), _mid(ls, rs)
    shoulder_w = max(_dist(ls, rs), 1e-6)
    rise_px = shoulders[1] - ears[1]
    depth_px = shoulders[2] - ears[2]  # > 0: ears nearer the camera than the shoulders
    # The person's left shoulder is on the image's right in an unmirrored frame; the sign says
    # which shoulder is lower (+: the person's left), the size is what matters for posture.
    tilt = math.degrees(math.atan2(ls[1] - rs[1], abs(ls[0] - rs[0])))
    return Features(
        view="front",
        neck_inclination_deg=math.degrees(math.atan2(depth_px, rise_px)),
        head_forward=depth_px / shoulder_w,
        head_height=rise_px / shoulder_w,
        shoulder_tilt_deg=tilt,
        face_width=_dist(le, re) / lms.width,
        shoulder_width=shoulder_w / lms.width,
        visibility=min(le[3], re[3], ls[3], rs[3]),
    )


def extract(lms: Landmarks, *, three_quarter: bool = True) -> Features:
    """The posture features of one pose (see the module docstring; `three_quarter`: as in
    detect_view)."""
    side = detect_view(lms, three_quarter=three_quarter) == "side"
    return _side_features(lms) if side else _front_features(lms)


def overlay_points(lms: Landmarks) -> list[list[float]]:
    """[x, y, visibility] (normalised, 3 decimals) of OVERLAY_LANDMARKS, for the live overlay."""
    out = []
    for name in OVERLAY_LANDMARKS:
        lm = lms[name]
        out.append([round(lm.x, 3), round(lm.y, 3), round(lm.visibility, 2)])
    return out


# ---- baseline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The user's own upright posture: the median of each feature over the calibration."""

    view: View
    features: Features
    frames: int

    def to_dict(self) -> dict[str, Any]:
        return {"view": self.view, "frames": self.frames, "features": self.features.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Baseline:
        return cls(
            view=data["view"], features=Features.from_dict(data["features"]), frames=data["frames"]
        )


def _median(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return statistics.median(vals) if vals else None


def make_baseline(samples: list[Features]) -> Baseline | None:
    """Median features of the samples of the majority view; None without samples."""
    if not samples:
        return None
    views = [s.view for s in samples]
    view: View = max(("front", "side"), key=views.count)
    chosen = [s for s in samples if s.view == view]
    merged = {key: _median(getattr(s, key) for s in chosen) for key in Features.NUMERIC}
    features = Features(view=view, visibility=min(s.visibility for s in chosen), **merged)  # type: ignore[arg-type]
    return Baseline(view=view, features=features, frames=len(chosen))


# ---- assessment ----------------------------------------------------------------------------------

# How much change from the baseline counts as fully "bad" (score 1.0) for each reason.
BAD_AGAINST_BASELINE = {
    "neck_inclination": 15.0,  # degrees more than the baseline
    "head_forward": 0.25,  # front: shoulder widths; side: head lengths, more than the baseline
    "head_drop": 0.20,  # ears fell by 20 % of their baseline height above the shoulders
    "too_close": 0.30,  # face (or shoulders) 30 % wider than at calibration
    "shoulder_tilt": 10.0,  # degrees of change in the shoulder line
}
# Without a baseline only absolute measures can be judged.
# Side view: the shoulder → ear line against the vertical. 40° off vertical is a CVA of 50° with
# C7 approximated by the shoulder landmark (the cut-off photo.py uses); 25° or less is upright.
SIDE_NECK_GOOD_DEG = 25.0
SIDE_NECK_BAD_DEG = 40.0
FRONT_TILT_BAD_DEG = 15.0  # uncalibrated: a camera may sit a little askew
# Slouch, side view with the hips in sight: the trunk's lean off the vertical. Forward: ISO
# 11226 (static working postures) accepts up to 20° without support; at 45° we call it bad.
# Back: a slumped sit (pelvis rolled back, shoulders behind the hips) shows as a recline; 5°
# is within an upright sit's sway, 10° is a slump.
TRUNK_FORWARD_GOOD_DEG = 20.0
TRUNK_FORWARD_BAD_DEG = 45.0
TRUNK_RECLINED_GOOD_DEG = 5.0
TRUNK_RECLINED_BAD_DEG = 10.0
TRUNK_BAD = 1.0  # share at which the slouch alone makes the verdict bad


def trunk_share(trunk_deg: float | None) -> float:
    """How far a trunk inclination is from good: 0 upright, ≥ 1 bad (either way)."""
    if trunk_deg is None:
        return 0.0
    if trunk_deg >= 0:
        span = TRUNK_FORWARD_BAD_DEG - TRUNK_FORWARD_GOOD_DEG
        return max((trunk_deg - TRUNK_FORWARD_GOOD_DEG) / span, 0.0)
    span = TRUNK_RECLINED_BAD_DEG - TRUNK_RECLINED_GOOD_DEG
    return max((-trunk_deg - TRUNK_RECLINED_GOOD_DEG) / span, 0.0)


@dataclass(frozen=True)
class Assessment:
    score: float  # 0 = as upright as the baseline; ≥ 1 = bad
    deviations: dict[str, float]  # reason → its share of "bad" (score contribution)
    reasons: list[str]  # the reasons at or above WARN_SHARE, worst first
    against_baseline: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "deviations": {k: round(v, 3) for k, v in self.deviations.items()},
            "reasons": self.reasons,
            "against_baseline": self.against_baseline,
        }


WARN_SHARE = 0.6


def _delta(value: float | None, base: float | None) -> float | None:
    if value is None or base is None:
        return None
    return value - base


def assess(features: Features, baseline: Baseline | None = None) -> Assessment:
    """How far `features` are from good: against the baseline when it is of the same view."""
    dev: dict[str, float] = {}
    use_baseline = baseline is not None and baseline.view == features.view
    if use_baseline:
        base = baseline.features  # type: ignore[union-attr]
        incl = _delta(features.neck_inclination_deg, base.neck_inclination_deg)
        if incl is not None:
            dev["neck_inclination"] = incl / BAD_AGAINST_BASELINE["neck_inclination"]
        fwd = _delta(features.head_forward, base.head_forward)
        if fwd is not None:
            dev["head_forward"] = fwd / BAD_AGAINST_BASELINE["head_forward"]
        if features.head_height is not None and base.head_height:
            drop = (base.head_height - features.head_height) / abs(base.head_height)
            dev["head_drop"] = drop / BAD_AGAINST_BASELINE["head_drop"]
        size, base_size = features.face_width, base.face_width
        if not (size and base_size):
            size, base_size = features.shoulder_width, base.shoulder_width
        if size and base_size:
            dev["too_close"] = (size / base_size - 1.0) / BAD_AGAINST_BASELINE["too_close"]
        tilt = _delta(features.shoulder_tilt_deg, base.shoulder_tilt_deg)
        if tilt is not None:
            dev["shoulder_tilt"] = abs(tilt) / BAD_AGAINST_BASELINE["shoulder_tilt"]
    if features.view == "side" and features.neck_inclination_deg is not None:
        absolute = (features.neck_inclination_deg - SIDE_NECK_GOOD_DEG) / (
            SIDE_NECK_BAD_DEG - SIDE_NECK_GOOD_DEG
        )
        dev["neck_inclination"] = max(dev.get("neck_inclination", 0.0), absolute)
    if features.view == "side" and features.trunk_inclination_deg is not None:
        dev["slouch"] = trunk_share(features.trunk_inclination_deg)
    if not use_baseline and features.shoulder_tilt_deg is not None:
        dev["shoulder_tilt"] = abs(features.shoulder_tilt_deg) / FRONT_TILT_BAD_DEG
    dev = {k: max(v, 0.0) for k, v in dev.items()}
    score = max(dev.values(), default=0.0)
    reasons = sorted((k for k, v in dev.items() if v >= WARN_SHARE), key=lambda k: -dev[k])
    return Assessment(score=score, deviations=dev, reasons=reasons, against_baseline=use_baseline)
