"""Is someone in the photo? MediaPipe 0.10.14 face detection, person mask and hands (CPU).

Three legacy `solutions` graphs whose `.tflite` files are inside the wheel, each built on first
use and shared under its own lock (a graph is not safe to call from two threads at once):

- faces: the full-range detector (model_selection=1), which finds the small, far, turned faces
  of people sitting at a desk that the short-range one misses; ~13 ms on one core.
- person mask: selfie segmentation, landscape model (model_selection=1). The general model marks
  laptops and desk lamps as "person" on empty desks; the landscape one leaves them at 0; ~10 ms.
- hands: palm detection + hand landmarks (model_complexity=0, the lite pair); ~27 ms with no hand
  in sight, more per hand found. Finds hands on a keyboard when no face or body is in view.

Inputs are small RGB images (a few hundred pixels a side): the models run at 128-256 px anyway.
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, as_rgb_u8, check_installed

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "mediapipe-person"
PACKAGES = ["mediapipe", "google.protobuf", "absl", "attr", "flatbuffers"]
WEIGHTS = [
    ("mediapipe", "modules/face_detection/face_detection_full_range_sparse.tflite"),
    ("mediapipe", "modules/selfie_segmentation/selfie_segmentation_landscape.tflite"),
    ("mediapipe", "modules/palm_detection/palm_detection_lite.tflite"),
    ("mediapipe", "modules/hand_landmark/hand_landmark_lite.tflite"),
]


@dataclass(frozen=True)
class Face:
    score: float
    box: tuple[float, float, float, float]  # x, y, w, h normalised to [0, 1]


class _Graph:
    """One MediaPipe graph, built on first use, called under a lock."""

    def __init__(self, build: Any) -> None:
        self._build = build
        self._graph: Any = None
        self._lock = threading.Lock()

    def process(self, img: np.ndarray) -> Any:
        with self._lock:
            if self._graph is None:
                self._graph = self._build()
            return self._graph.process(img)

    def close(self) -> None:
        with self._lock:
            graph, self._graph = self._graph, None
        if graph is not None:
            graph.close()


def _face_graph() -> Any:
    from mediapipe.python.solutions import face_detection

    return face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.3)


def _mask_graph() -> Any:
    from mediapipe.python.solutions import selfie_segmentation

    return selfie_segmentation.SelfieSegmentation(model_selection=1)


def _hands_graph() -> Any:
    from mediapipe.python.solutions import hands

    return hands.Hands(
        static_image_mode=True, max_num_hands=2, model_complexity=0, min_detection_confidence=0.3
    )


class PersonModel:
    def __init__(self) -> None:
        self._faces = _Graph(_face_graph)
        self._mask = _Graph(_mask_graph)
        self._hands = _Graph(_hands_graph)

    def faces(self, image_rgb: np.ndarray) -> list[Face]:
        """Faces found (score ≥ 0.3), best first."""
        results = self._faces.process(as_rgb_u8(image_rgb))
        found = []
        for det in results.detections or []:
            b = det.location_data.relative_bounding_box
            found.append(Face(float(det.score[0]), (b.xmin, b.ymin, b.width, b.height)))
        return sorted(found, key=lambda f: -f.score)

    def person_mask(self, image_rgb: np.ndarray) -> np.ndarray:
        """Per-pixel person probability (float32, the image's height × width)."""
        results = self._mask.process(as_rgb_u8(image_rgb))
        return np.asarray(results.segmentation_mask, dtype=np.float32)

    def hands(self, image_rgb: np.ndarray) -> list[float]:
        """Handedness scores of the hands found (score ≥ 0.3), best first."""
        results = self._hands.process(as_rgb_u8(image_rgb))
        scores = [float(h.classification[0].score) for h in results.multi_handedness or []]
        return sorted(scores, reverse=True)

    def close(self) -> None:
        for graph in (self._faces, self._mask, self._hands):
            graph.close()


def load() -> PersonModel:
    os.environ.setdefault("GLOG_minloglevel", "2")
    warnings.filterwarnings(
        "ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated", category=UserWarning
    )
    return PersonModel()


def check() -> str | None:
    return check_installed(PACKAGES, WEIGHTS)


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="person",
        title="MediaPipe face detection, person mask and hands",
        description=(
            "Is someone in the photo: full-range face detection (~13 ms), a person mask "
            "(~10 ms) and hand detection (~27 ms) on CPU."
        ),
        packages=["mediapipe==0.10.14", "protobuf<5", "absl-py", "attrs", "flatbuffers"],
        loader=load,
        check=check,
        install_hint=f"pip install mediapipe==0.10.14 --no-deps plus its needs; {LOCK_HINT}",
        device="cpu",
        bundled=True,
    )
