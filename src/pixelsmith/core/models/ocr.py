"""OCR: RapidOCR (rapidocr-onnxruntime 1.4.4, PP-OCRv4 det/rec ONNX files inside its wheel)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, as_rgb_u8, check_installed

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "rapidocr-ppocrv4"
PACKAGES = ["rapidocr_onnxruntime", "onnxruntime", "cv2", "pyclipper", "shapely", "yaml"]
WEIGHTS = [
    ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_det_infer.onnx"),
    ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_rec_infer.onnx"),
    ("rapidocr_onnxruntime", "models/ch_ppocr_mobile_v2.0_cls_infer.onnx"),
]
# Faster and more accurate than the defaults (limit_type "min", 736) on photos.
DET_LIMIT_TYPE = "max"
DET_LIMIT_SIDE_LEN = 960


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float
    # Four corners (x, y) in input pixels, clockwise from top-left.
    box: list[tuple[float, float]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """Axis-aligned (x0, y0, x1, y1) around `box`."""
        xs = [p[0] for p in self.box]
        ys = [p[1] for p in self.box]
        return min(xs), min(ys), max(xs), max(ys)


def _to_bgr(image: np.ndarray, bgr: bool) -> np.ndarray:
    rgb_or_bgr = as_rgb_u8(image)
    return rgb_or_bgr if bgr else np.ascontiguousarray(rgb_or_bgr[:, :, ::-1])


class OcrModel:
    """Text detection + recognition. Images are RGB unless `bgr=True` (as from cv2.imread)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        # RapidOCR.__call__ mutates detector/score state per call; serialise calls.
        self._lock = threading.Lock()

    def read(self, image: np.ndarray, *, bgr: bool = False) -> list[OcrLine]:
        """All text lines, top-to-bottom then left-to-right."""
        img = _to_bgr(image, bgr)
        with self._lock:
            result, _elapsed = self._engine(img)
        lines = []
        for box, text, score in result or []:
            points = [(float(x), float(y)) for x, y in box]
            lines.append(OcrLine(text=str(text), confidence=float(score), box=points))
        return lines

    def recognize_line(self, crop: np.ndarray, *, bgr: bool = False) -> tuple[str, float]:
        """Recognition only, on an image that already holds one line of text."""
        img = _to_bgr(crop, bgr)
        with self._lock:
            result, _elapsed = self._engine(img, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, score = result[0][0], result[0][1]
        return str(text), float(score)

    def close(self) -> None:
        self._engine = None


def load() -> OcrModel:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(det_limit_type=DET_LIMIT_TYPE, det_limit_side_len=DET_LIMIT_SIDE_LEN)
    return OcrModel(engine)


def check() -> str | None:
    return check_installed(PACKAGES, WEIGHTS)


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="ocr",
        title="RapidOCR PP-OCRv4 (ONNX)",
        description=(
            "Text detection and recognition (PP-OCRv4 mobile, Chinese+English charset) on "
            "onnxruntime; recognition alone on a cropped line is about 20 ms on CPU."
        ),
        packages=["rapidocr-onnxruntime==1.4.4", "onnxruntime", "pyclipper", "shapely"],
        loader=load,
        check=check,
        install_hint=(
            "pip install rapidocr-onnxruntime==1.4.4 --no-deps plus onnxruntime, pyclipper, "
            f"shapely, pyyaml; {LOCK_HINT}"
        ),
        device="cpu",
        bundled=True,
    )
