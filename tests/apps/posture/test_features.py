"""The posture features and the assessment, on constructed landmark sets (no model)."""

from __future__ import annotations

import math

import pytest
from landmarks import front, side

from pixelsmith.apps.posture.features import (
    Features,
    assess,
    detect_view,
    extract,
    make_baseline,
)


def test_front_view_features_measure_what_they_say():
    f = extract(front(ear_rise=110, shoulder_w=200, ear_w=90, depth=0))
    assert f.view == "front"
    assert f.head_height == pytest.approx(110 / 200)
    assert f.shoulder_width == pytest.approx(200 / 640)
    assert f.face_width == pytest.approx(90 / 640)
    assert f.shoulder_tilt_deg == pytest.approx(0.0)
    assert f.neck_inclination_deg == pytest.approx(0.0)
    assert f.head_forward == pytest.approx(0.0)


def test_front_view_depth_gives_neck_inclination_and_head_forward():
    f = extract(front(ear_rise=100, shoulder_w=200, depth=100))
    assert f.neck_inclination_deg == pytest.approx(45.0)
    assert f.head_forward == pytest.approx(0.5)


def test_shoulder_tilt_sign_and_size():
    f = extract(front(shoulder_w=200, tilt_px=200 * math.tan(math.radians(10))))
    assert f.shoulder_tilt_deg == pytest.approx(10.0, abs=0.01)  # their left shoulder lower
    g = extract(front(shoulder_w=200, tilt_px=-200 * math.tan(math.radians(10))))
    assert g.shoulder_tilt_deg == pytest.approx(-10.0, abs=0.01)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("deg", [0.0, 20.0, 45.0])
def test_side_view_neck_inclination_either_way_round(deg, facing):
    p = side(inclination_deg=deg, facing=facing)
    assert detect_view(p) == "side"
    f = extract(p)
    assert f.view == "side"
    assert f.neck_inclination_deg == pytest.approx(deg, abs=0.01)
    assert f.shoulder_tilt_deg is None


def test_head_behind_shoulder_is_negative_forward():
    f = extract(side(inclination_deg=-10))
    assert f.neck_inclination_deg == pytest.approx(-10, abs=0.01)
    assert f.head_forward < 0


def test_distance_invariance_of_ratios():
    near = extract(front(ear_rise=132, shoulder_w=240, ear_w=108))  # same person, 20 % nearer
    far = extract(front(ear_rise=110, shoulder_w=200, ear_w=90))
    assert near.head_height == pytest.approx(far.head_height)
    assert near.face_width / far.face_width == pytest.approx(1.2)


def test_upright_against_own_baseline_scores_zero():
    base = make_baseline([extract(front()) for _ in range(5)])
    a = assess(extract(front()), base)
    assert a.score == pytest.approx(0.0, abs=1e-9)
    assert a.reasons == []
    assert a.against_baseline


def test_head_drop_against_baseline():
    base = make_baseline([extract(front(ear_rise=110))])
    a = assess(extract(front(ear_rise=110 * 0.8)), base)  # ears 20 % lower: fully bad
    assert a.deviations["head_drop"] == pytest.approx(1.0)
    assert a.score >= 1.0 and a.reasons[0] == "head_drop"
    mild = assess(extract(front(ear_rise=110 * 0.92)), base)
    assert 0.3 < mild.score < 0.6 and mild.reasons == []


def test_screen_distance_against_baseline():
    base = make_baseline([extract(front(ear_w=90, shoulder_w=200, ear_rise=110))])
    closer = extract(front(ear_w=90 * 1.3, shoulder_w=200 * 1.3, ear_rise=110 * 1.3))
    a = assess(closer, base)
    assert a.deviations["too_close"] == pytest.approx(1.0)
    assert a.deviations["head_drop"] == pytest.approx(0.0, abs=1e-9)  # ratios stay put
    farther = assess(extract(front(ear_w=80, shoulder_w=180, ear_rise=99)), base)
    assert farther.deviations["too_close"] == 0.0  # moving away is never bad


def test_shoulder_width_stands_in_when_ears_are_not_measured():
    base_f = extract(front())
    base = make_baseline([Features(**{**base_f.__dict__, "face_width": None})])
    closer = extract(front(shoulder_w=260, ear_w=117, ear_rise=143))
    assert assess(closer, base).deviations["too_close"] == pytest.approx(1.0)


def test_forward_and_inclination_against_baseline():
    base = make_baseline([extract(front(depth=20))])
    a = assess(extract(front(depth=20 + 50)), base)  # ears 0.25 shoulder widths nearer
    assert a.deviations["head_forward"] == pytest.approx(1.0)
    assert "neck_inclination" in a.deviations


def test_side_view_absolute_without_baseline():
    assert assess(extract(side(inclination_deg=15))).score == 0.0
    assert assess(extract(side(inclination_deg=40))).score == pytest.approx(1.0)
    warn = assess(extract(side(inclination_deg=34)))
    assert 0.6 <= warn.score < 1.0 and warn.reasons == ["neck_inclination"]


def test_baseline_of_another_view_is_not_used():
    base = make_baseline([extract(front())])
    a = assess(extract(side(inclination_deg=10)), base)
    assert not a.against_baseline


def test_make_baseline_takes_medians_of_the_majority_view():
    samples = [extract(front(ear_rise=r)) for r in (100, 110, 120, 250)]
    samples.append(extract(side(inclination_deg=30)))
    base = make_baseline(samples)
    assert base.view == "front" and base.frames == 4
    assert base.features.head_height == pytest.approx(115 / 200)  # median, outlier ignored
    assert make_baseline([]) is None


def test_features_round_trip():
    f = extract(front(depth=30))
    g = Features.from_dict(f.to_dict())
    assert g.view == f.view
    assert g.head_height == pytest.approx(f.head_height, abs=1e-4)
