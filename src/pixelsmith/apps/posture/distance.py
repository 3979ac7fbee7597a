"""Screen distance in the live coach: the bundled face detector's box width → centimetres.

A pinhole camera sees a face of real width F at distance D as a fraction w = F / (2·D·tan(h/2))
of the frame's width, h being the camera's horizontal field of view. So

    D = F / (2 · w · tan(h / 2))

with two assumptions, both stated in the answer: the face box of MediaPipe's full-range face
detector spans about FACE_WIDTH_CM on an adult (cheek to cheek, the ears left out), and a
laptop or USB webcam sees about WEBCAM_HFOV_DEG across (typical ones are 55–70°). Either
assumption off by 15 % moves the estimate by about as much, so it is a guide ("about 50 cm"),
and the coach's too-close warning still compares the face's size with the user's own
calibration, which needs neither.

The detector costs ~13 ms on one core, so it runs at most every EVERY_S seconds, and the value
shown is the median of the last few readings (a face turned away for a moment reads far).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

FACE_WIDTH_CM = 14.0
WEBCAM_HFOV_DEG = 60.0
EVERY_S = 0.5
KEEP = 5  # readings in the median
MIN_FACE_WIDTH = 0.02  # of the frame: smaller boxes are too coarse to measure


def distance_cm(face_width: float, hfov_deg: float = WEBCAM_HFOV_DEG) -> float:
    """Distance to a face whose box is `face_width` of the frame's width (see the docstring)."""
    return FACE_WIDTH_CM / (2.0 * face_width * math.tan(math.radians(hfov_deg) / 2.0))


class DistanceMeter:
    """Screen distance for one stream, from `faces(frame)` (PersonModel.faces) now and then."""

    def __init__(self, faces: Callable[[np.ndarray], list[Any]] | None = None) -> None:
        self._faces = faces
        self._unavailable = False
        self._last_run: float | None = None
        self._widths: deque[float] = deque(maxlen=KEEP)

    def _detector(self) -> Callable[[np.ndarray], list[Any]] | None:
        if self._faces is None and not self._unavailable:
            from pixelsmith.core.errors import ModelUnavailable
            from pixelsmith.core.models import registry

            try:
                self._faces = registry.get("person").faces
            except ModelUnavailable:
                self._unavailable = True  # no face model: the answer says null
        return self._faces

    def update(self, frame_rgb: np.ndarray, now: float, person: bool) -> dict[str, Any] | None:
        """The estimate to send with this frame (None while no face has been measured)."""
        if not person:
            self._widths.clear()
            return None
        due = self._last_run is None or now - self._last_run >= EVERY_S
        detect = self._detector()
        if due and detect is not None:
            self._last_run = now
            found = detect(frame_rgb)
            if found and found[0].box[2] >= MIN_FACE_WIDTH:
                self._widths.append(float(found[0].box[2]))
        if not self._widths:
            return None
        width = statistics.median(self._widths)
        return {
            "cm": round(distance_cm(width), 1),
            "face_width": round(width, 4),
            "assumed_face_width_cm": FACE_WIDTH_CM,
            "assumed_hfov_deg": WEBCAM_HFOV_DEG,
        }

    def reset(self) -> None:
        self._widths.clear()
        self._last_run = None
