"""Side views on constructed landmarks and masks (no model): the angle towards the face, the C7
estimate on the neck's back contour, three-quarter and high-camera views, trunk inclination."""

from __future__ import annotations

import math

import numpy as np
import pytest
from landmarks import pose, profile

from pixelsmith.apps.posture import c7
from pixelsmith.apps.posture.features import detect_view, extract, trunk_share
from pixelsmith.apps.posture.photo import analyze_landmarks


@pytest.mark.parametrize("cva", [27.0, 44.0, 52.0, 65.0])
def test_facing_left_or_right_gives_the_same_angle(cva):
    pose_r, mask_r, _ = profile(cva_deg=cva, facing=1)
    pose_l, mask_l, _ = profile(cva_deg=cva, facing=-1)
    right = analyze_landmarks(pose_r, mask=mask_r)
    left = analyze_landmarks(pose_l, mask=mask_l)
    assert (right["facing"], left["facing"]) == ("right", "left")
    assert right["cva_deg"] == pytest.approx(cva, abs=0.5)
    assert left["cva_deg"] == pytest.approx(right["cva_deg"], abs=0.3)
    assert left["verdict"] == right["verdict"]


def test_mirrored_photo_gives_the_same_angle():
    p, mask, _ = profile(cva_deg=41.0, facing=1)
    flipped = pose(
        {
            name: ((1 - lm.x) * p.width, lm.y * p.height, lm.z * p.width, lm.visibility)
            for name, lm in zip(_names(), p.landmarks, strict=True)
            if lm.visibility > 0.1
        }
    )
    a = analyze_landmarks(p, mask=mask)["cva_deg"]
    b = analyze_landmarks(flipped, mask=mask[:, ::-1].copy())["cva_deg"]
    assert b == pytest.approx(a, abs=0.3)


def test_an_answer_read_on_the_mirror_image_is_put_back_on_the_photo():
    from pixelsmith.apps.posture.photo import _unmirror

    p, mask, _ = profile(cva_deg=41.0, facing=1)
    flipped = pose(
        {
            name: ((1 - lm.x) * p.width, lm.y * p.height, lm.z * p.width, lm.visibility)
            for name, lm in zip(_names(), p.landmarks, strict=True)
            if lm.visibility > 0.1
        }
    )
    direct = analyze_landmarks(p, mask=mask)
    back = _unmirror(analyze_landmarks(flipped, mask=mask[:, ::-1].copy()))
    assert back["facing"] == direct["facing"] == "right"
    assert back["c7"]["x"] == pytest.approx(direct["c7"]["x"], abs=0.003)
    assert back["features"]["facing"] == 1
    ears = [(a[0], b[0]) for a, b in zip(back["landmarks"], direct["landmarks"], strict=True)]
    assert all(a == pytest.approx(b, abs=0.002) for a, b in ears)


def _names() -> tuple[str, ...]:
    from pixelsmith.core.models.pose import LANDMARK_NAMES

    return LANDMARK_NAMES


def test_head_far_forward_facing_left_is_27_not_its_supplement():
    # The case: read from the wrong horizontal this head read 153°.
    p, mask, _ = profile(cva_deg=27.0, facing=-1, trunk_deg=10)
    result = analyze_landmarks(p, mask=mask)
    assert result["cva_deg"] == pytest.approx(27.0, abs=0.5)
    assert result["verdict"] == "bad" and "forward_head" in result["reasons"]


def test_a_nose_landmark_behind_the_ears_does_not_turn_the_angle_into_its_supplement():
    p, _, _ = profile(cva_deg=30.0, facing=1, trunk_deg=15)
    pts = {n: (lm.x * p.width, lm.y * p.height, 0.0, lm.visibility)
           for n, lm in zip(_names(), p.landmarks, strict=True) if lm.visibility > 0.1}  # fmt: skip
    ear_x = pts["left_ear"][0]
    for name in ("nose", "left_eye", "mouth_left"):  # mislabelled behind the ears
        x, y, z, v = pts[name]
        pts[name] = (2 * ear_x - x, y, z, v)
    fooled = pose(pts)
    assert extract(fooled).facing == -1  # the face cue is fooled...
    result = analyze_landmarks(fooled)  # (no mask: C7 by the shoulder correction)
    truth = analyze_landmarks(p)
    assert result["cva_deg"] < 90  # ...but the angle is not read from the wrong horizontal
    assert result["cva_deg"] == pytest.approx(truth["cva_deg"], abs=0.1)
    assert result["facing"] == "right"
    assert result["trunk_inclination_deg"] == pytest.approx(15.0, abs=0.1)


def test_facing_comes_from_the_knees_when_the_face_is_level_with_the_ears():
    # Head bent down: nose straight below the ears; the thighs point the way (to the left).
    pts = {
        "left_ear": (300, 200), "right_ear": (302, 200), "nose": (301, 240),
        "left_shoulder": (330, 300), "right_shoulder": (333, 302),
        "left_hip": (360, 480), "right_hip": (362, 480),
        "left_knee": (220, 490), "right_knee": (225, 492),
    }  # fmt: skip
    f = extract(pose(pts, 640, 640))
    assert f.view == "side" and f.facing == -1
    assert f.neck_inclination_deg > 0  # the ear is ahead of the shoulder, towards the face


def _turned_head(yaw_deg: float, *, shoulder_dx: float, shoulder_dy: float = 0.0) -> dict:
    """Ears and nose of a head turned `yaw_deg` away from the camera (towards image-left)."""
    r, cx, ey = 40.0, 320.0, 200.0
    c = math.cos(math.radians(yaw_deg))
    s = math.sin(math.radians(yaw_deg))
    return {
        "left_ear": (cx + r * c, ey), "right_ear": (cx - r * c, ey),
        "nose": (cx - 1.1 * r * s, ey + 15),
        "left_shoulder": (cx + shoulder_dx / 2, 320 - shoulder_dy / 2),
        "right_shoulder": (cx - shoulder_dx / 2, 320 + shoulder_dy / 2),
    }  # fmt: skip


def test_three_quarter_and_high_camera_views_are_side_views():
    # Turned 50°: the shoulders still look wide (120 px against a 120 px neck).
    assert detect_view(pose(_turned_head(50, shoulder_dx=120))) == "side"
    # From above: the far shoulder drawn up and apart, the neck foreshortened.
    assert detect_view(pose(_turned_head(80, shoulder_dx=110, shoulder_dy=40))) == "side"
    # A webcam view, head on or turned 30° to a second screen, stays a front view.
    assert detect_view(pose(_turned_head(0, shoulder_dx=220))) == "front"
    assert detect_view(pose(_turned_head(30, shoulder_dx=220))) == "front"


def test_live_coach_takes_a_turned_head_for_a_glance_not_a_side_view():
    glance = pose(_turned_head(60, shoulder_dx=220))  # a webcam user looking at another screen
    assert detect_view(glance) == "side"  # as a photo: a three-quarter view
    assert detect_view(glance, three_quarter=False) == "front"
    assert extract(glance, three_quarter=False).view == "front"


def test_three_quarter_view_angle_uses_both_sides_midpoints():
    p, mask, _ = profile(cva_deg=45.0, facing=1)
    marks = {n: lm for n, lm in zip(_names(), p.landmarks, strict=True) if lm.visibility > 0.1}
    # Turned a little: the far ear and shoulder drawn apart by the same amount either way.
    pts = {n: (lm.x * p.width, lm.y * p.height, 0.0, lm.visibility) for n, lm in marks.items()}
    for side, dx in (("left", 25.0), ("right", -25.0)):
        for part in ("ear", "shoulder"):
            x, y, z, v = pts[f"{side}_{part}"]
            pts[f"{side}_{part}"] = (x + dx, y, z, 0.99)
    result = analyze_landmarks(pose(pts), mask=mask)
    assert result["view"] == "side"
    assert result["cva_deg"] == pytest.approx(45.0, abs=0.5)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("trunk", [-15.0, 0.0, 12.0, 50.0])
def test_trunk_inclination_either_way_round(trunk, facing):
    f = extract(profile(cva_deg=55.0, facing=facing, trunk_deg=trunk)[0])
    assert f.trunk_inclination_deg == pytest.approx(trunk, abs=0.01)


def test_no_trunk_without_hips():
    f = extract(profile(cva_deg=55.0, hips=False)[0])
    assert f.trunk_inclination_deg is None
    assert trunk_share(None) == 0.0


@pytest.mark.parametrize(
    ("trunk", "verdict", "reasons"),
    [(0.0, "good", []), (-15.0, "bad", ["slouch"]), (50.0, "bad", ["slouch"]), (30.0, "good", [])],
)
def test_slouch_feeds_the_verdict_and_says_so(trunk, verdict, reasons):
    p, mask, _ = profile(cva_deg=56.0, trunk_deg=trunk)
    result = analyze_landmarks(p, mask=mask)
    assert result["cva_deg"] == pytest.approx(56.0, abs=0.5)
    assert result["verdict"] == verdict and result["reasons"] == reasons
    assert result["trunk_inclination_deg"] == pytest.approx(trunk, abs=0.1)


def test_both_reasons_when_head_and_trunk_are_bad():
    p, mask, _ = profile(cva_deg=35.0, trunk_deg=-20.0)
    assert analyze_landmarks(p, mask=mask)["reasons"] == ["forward_head", "slouch"]


# ---- C7 on a synthetic person mask --------------------------------------------------------------


def test_c7_on_the_back_contour_of_a_synthetic_mask():
    p, mask, (tx, ty) = profile(cva_deg=48.0, facing=1, trunk_deg=-10)
    ear, shoulder = p.pixel("left_ear"), p.pixel("left_shoulder")
    got = c7.from_mask(mask, ear, shoulder, 1)
    assert got.source == "mask"
    assert got.x == pytest.approx(tx, abs=1.0) and got.y == pytest.approx(ty, abs=0.5)


def test_c7_steps_over_a_drawn_plumb_line():
    p, mask, (tx, _) = profile(cva_deg=48.0, facing=-1)
    line = round(tx) - 20  # a thin dark line crossing the neck, 20 px ahead of its back
    mask[:, line : line + 2] = 0.0
    got = c7.from_mask(mask, p.pixel("left_ear"), p.pixel("left_shoulder"), -1)
    assert got.source == "mask" and got.x == pytest.approx(tx, abs=1.0)


def test_c7_falls_back_when_the_mask_runs_on_behind():
    p, mask, _ = profile(cva_deg=48.0, facing=1)
    mask[:, :] = np.maximum(mask, (np.arange(mask.shape[1]) < 320).astype(np.float32))  # a chair
    ear, shoulder = p.pixel("left_ear"), p.pixel("left_shoulder")
    got = c7.from_mask(mask, ear, shoulder, 1)
    assert got.source == "shoulder"
    assert got == c7.from_shoulder(ear, shoulder, 1)
    assert c7.from_mask(None, ear, shoulder, 1).source == "shoulder"
    # The correction puts C7 behind (away from the face) and above the shoulder landmark.
    assert got.x < shoulder[0] and got.y < shoulder[1]


def test_no_trunk_when_the_hips_are_guessed_below_the_frame():
    p, _, _ = profile(cva_deg=55.0, trunk_deg=-15.0, height=300)  # hips drawn below y = 300
    assert p.pixel("left_hip")[1] > 300
    assert extract(p).trunk_inclination_deg is None
