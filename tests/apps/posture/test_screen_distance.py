"""Screen distance in the live coach: the pinhole estimate, its throttling, and a real frame
through the real face detector and a real stream session."""

from __future__ import annotations

import math

import frames
import pytest

from pixelsmith.apps.posture.distance import (
    EVERY_S,
    FACE_WIDTH_CM,
    WEBCAM_HFOV_DEG,
    DistanceMeter,
    distance_cm,
)
from pixelsmith.core.models.person import Face

pytestmark = pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning")


def test_pinhole_estimate():
    # A 14 cm face at 50 cm fills 14 / (2·50·tan 30°) of a 60° frame.
    width = FACE_WIDTH_CM / (2 * 50 * math.tan(math.radians(WEBCAM_HFOV_DEG / 2)))
    assert distance_cm(width) == pytest.approx(50.0)
    assert distance_cm(width / 2) == pytest.approx(100.0)  # half the size: twice as far


def test_detector_runs_at_most_every_half_second_and_reports_the_median():
    calls: list[float] = []
    widths = iter([0.20, 0.21, 0.90, 0.19])  # one wild reading (a hand near the face)

    def faces(_frame):
        calls.append(1)
        return [Face(0.9, (0.4, 0.3, next(widths), 0.3))]

    meter = DistanceMeter(faces)
    frame = frames.upright()
    t = 0.0
    for _ in range(4):
        for k in range(5):  # five frames within EVERY_S: one detection
            out = meter.update(frame, t + k * EVERY_S / 5, person=True)
        t += EVERY_S
    assert len(calls) == 4
    assert out["face_width"] == pytest.approx(0.205)  # the median of four: the wild one left out
    assert out["cm"] == pytest.approx(distance_cm(0.205), abs=0.1)
    assert out["assumed_face_width_cm"] == FACE_WIDTH_CM
    assert out["assumed_hfov_deg"] == WEBCAM_HFOV_DEG
    assert meter.update(frame, t, person=False) is None  # nobody: nothing to measure


def test_a_real_frame_through_a_stream_session():
    from pixelsmith.apps.posture.stream import StreamSession
    from pixelsmith.core.models import registry

    with registry.get("pose").new_tracker() as tracker:
        session = StreamSession(tracker)
        state = session.process(frames.upright())[0]
    distance = state["screen_distance"]
    assert state["person"] and distance is not None
    # The astronaut's face box is about a fifth of the 640 px frame: roughly 50–80 cm.
    assert 0.1 < distance["face_width"] < 0.4
    assert 25 < distance["cm"] < 120
