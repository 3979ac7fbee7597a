"""Pose: MediaPipe 0.10.14 legacy `solutions.pose`, model_complexity=1 (BlazePose full).

Only the complexity-1 landmark model is inside the wheel; complexity 0/2 would try to download
and fail offline, so they are never used. One static-image graph is shared under a lock; each
live stream gets its own video-mode tracker (`new_tracker()`), never a new graph per frame;
closed trackers' graphs are reset and reused by later streams.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelsmith.core import memory

from ._common import LOCK_HINT, as_rgb_u8, check_installed

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "mediapipe-pose"
MODEL_COMPLEXITY = 1  # the only bundled one; never change
# Reset video graphs kept for the next stream (the rest are closed).
KEEP_IDLE = 2
PACKAGES = ["mediapipe", "cv2", "google.protobuf", "absl", "attr", "flatbuffers", "matplotlib"]
WEIGHTS = [
    ("mediapipe", "modules/pose_landmark/pose_landmark_full.tflite"),
    ("mediapipe", "modules/pose_detection/pose_detection.tflite"),
    ("mediapipe", "modules/pose_landmark/pose_landmark_cpu.binarypb"),
]

LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
LANDMARK_INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}


@dataclass(frozen=True)
class Landmark:
    # x, y normalised to [0, 1] by image width/height (may fall slightly outside); z is depth
    # relative to the hips in roughly x's scale (smaller = nearer the camera).
    x: float
    y: float
    z: float
    visibility: float


@dataclass(frozen=True)
class PoseResult:
    landmarks: list[Landmark]  # 33, in LANDMARK_NAMES order
    width: int
    height: int
    # Metric 3-D landmarks (metres, origin between the hips); visibility as above.
    world_landmarks: list[Landmark] | None = None

    def __getitem__(self, name: str) -> Landmark:
        return self.landmarks[LANDMARK_INDEX[name]]

    def pixel(self, name: str) -> tuple[float, float]:
        lm = self[name]
        return lm.x * self.width, lm.y * self.height

    def as_array(self) -> np.ndarray:
        """33x4 float32 array of (x, y, z, visibility)."""
        return np.array(
            [(lm.x, lm.y, lm.z, lm.visibility) for lm in self.landmarks], dtype=np.float32
        )


def _convert(results: Any, width: int, height: int) -> PoseResult | None:
    if not results.pose_landmarks:
        return None
    marks = [
        Landmark(float(lm.x), float(lm.y), float(lm.z), float(lm.visibility))
        for lm in results.pose_landmarks.landmark
    ]
    world = None
    if results.pose_world_landmarks:
        world = [
            Landmark(float(lm.x), float(lm.y), float(lm.z), float(lm.visibility))
            for lm in results.pose_world_landmarks.landmark
        ]
    return PoseResult(landmarks=marks, width=width, height=height, world_landmarks=world)


def _new_graph(
    static_image_mode: bool,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
) -> Any:
    from mediapipe.python.solutions import pose as mp_pose

    return mp_pose.Pose(
        static_image_mode=static_image_mode,
        model_complexity=MODEL_COMPLEXITY,
        enable_segmentation=False,
        min_detection_confidence=min_detection_confidence,
        min_tracking_confidence=min_tracking_confidence,
    )


class PoseTracker:
    """Video-mode pose for one live stream (landmarks smoothed across frames).

    Frames must come in order from one source. Safe to call from several threads (a lock
    serialises them), but one tracker per stream: never share it between connections.
    """

    def __init__(self, graph: Any, release: Callable[[Any], None] | None = None) -> None:
        self._graph = graph
        self._lock = threading.Lock()
        self._release = release  # hands the graph back to the model's pool on close

    def process(self, frame_rgb: np.ndarray) -> PoseResult | None:
        img = as_rgb_u8(frame_rgb)
        h, w = img.shape[:2]
        with self._lock:
            if self._graph is None:
                raise RuntimeError("pose tracker is closed")
            results = self._graph.process(img)
        return _convert(results, w, h)

    detect = process

    def reset(self) -> None:
        with self._lock:
            if self._graph is not None:
                self._graph.reset()

    @property
    def closed(self) -> bool:
        return self._graph is None

    def close(self) -> None:
        with self._lock:
            graph, self._graph = self._graph, None
        if graph is None:
            return
        if self._release is not None:
            self._release(graph)
        else:
            graph.close()

    def __enter__(self) -> PoseTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PoseModel:
    """Still-image pose, and the video trackers of live streams.

    A tracker's graph costs 60-110 MB, and a closed MediaPipe graph does not give all of it
    back, so graphs of closed trackers are reset and kept (up to KEEP_IDLE) for the next
    stream instead of a new graph per connection: memory follows the number of streams open
    at once, never the number ever opened.
    """

    def __init__(self) -> None:
        self._graph = _new_graph(static_image_mode=True)
        self._lock = threading.Lock()
        self._idle: list[tuple[tuple[float, float], Any]] = []
        self.graphs_created = 0  # video graphs made so far (tests check the pool works)

    def detect(self, image_rgb: np.ndarray) -> PoseResult | None:
        """33 landmarks of the most prominent person in one still RGB image, or None."""
        img = as_rgb_u8(image_rgb)
        h, w = img.shape[:2]
        with self._lock:
            if self._graph is None:
                raise RuntimeError("pose model is closed")
            results = self._graph.process(img)
        return _convert(results, w, h)

    def new_tracker(
        self, *, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5
    ) -> PoseTracker:
        """A video-mode tracker for one stream, with no memory of any earlier stream; close it
        (or use `with`) when done."""
        key = (min_detection_confidence, min_tracking_confidence)
        with self._lock:
            index = next((i for i, (k, _) in enumerate(self._idle) if k == key), None)
            graph = self._idle.pop(index)[1] if index is not None else None
        if graph is None:
            graph = _new_graph(False, *key)
            with self._lock:
                self.graphs_created += 1
        return PoseTracker(graph, release=lambda g: self._release(key, g))

    def _release(self, key: tuple[float, float], graph: Any) -> None:
        try:
            graph.reset()  # the next stream starts from detection, not this one's track
        except Exception:
            graph.close()
            return
        with self._lock:
            if self._graph is not None and len(self._idle) < KEEP_IDLE:
                self._idle.append((key, graph))
                return
        graph.close()
        memory.trim()

    def close(self) -> None:
        with self._lock:
            graph, self._graph = self._graph, None
            idle, self._idle = self._idle, []
        for g in [graph, *(g for _, g in idle)]:
            if g is not None:
                g.close()


def load() -> PoseModel:
    os.environ.setdefault("GLOG_minloglevel", "2")  # quieten mediapipe's C++ INFO lines
    # mediapipe 0.10.14 calls a protobuf 4 API that warns on every new graph's first frame.
    warnings.filterwarnings(
        "ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated", category=UserWarning
    )
    return PoseModel()


def check() -> str | None:
    reason = check_installed(PACKAGES, WEIGHTS)
    if reason:
        return reason
    try:
        from importlib.metadata import version

        major = int(version("protobuf").split(".")[0])
    except Exception:
        return None
    if major >= 5:
        return f"mediapipe 0.10.14 needs protobuf 4.x, found {version('protobuf')}"
    return None


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="pose",
        title="MediaPipe Pose (BlazePose full)",
        description=(
            "33 body landmarks (x, y, z, visibility) of the most prominent person; still images "
            "and per-stream video tracking. About 45 ms per image on CPU."
        ),
        packages=["mediapipe==0.10.14", "protobuf<5", "absl-py", "attrs", "flatbuffers"],
        loader=load,
        check=check,
        install_hint=(
            "pip install mediapipe==0.10.14 --no-deps plus absl-py attrs flatbuffers matplotlib "
            f"'protobuf<5' (its own OpenCV dependency must not be installed); {LOCK_HINT}"
        ),
        device="cpu",
        bundled=True,
    )
