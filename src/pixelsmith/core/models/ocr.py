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

    @property
    def charset(self) -> list[str]:
        """Recognizer output classes: index 0 is the CTC blank, the last one is a space."""
        return list(self._engine.text_rec.postprocess_op.character)

    def detect(self, image: np.ndarray, *, bgr: bool = False) -> list[np.ndarray]:
        """Detection only: text-line quads (4×2 float32, clockwise from top-left), unsorted.

        The image goes to the detector as it is (no min-side/letterbox preprocessing), so
        callers that pad or rescale get boxes in their own pixel frame.
        """
        img = _to_bgr(image, bgr)
        with self._lock:
            boxes, _elapsed = self._engine.text_det(img)
        if boxes is None:
            return []
        return [np.asarray(b, dtype=np.float32).reshape(4, 2) for b in boxes]

    def rec_probs(
        self, crops: list[np.ndarray], *, bgr: bool = False, min_width: int = 0
    ) -> list[np.ndarray]:
        """Recognition only, in one batched call: per crop the CTC class probabilities.

        Each crop (one text line) is resized to the model's height keeping its aspect ratio
        and right-padded to the widest; each result is a (frames, classes) float32 array
        over `charset`, trimmed to the frames that cover the crop itself.
        """
        if not crops:
            return []
        import cv2

        rec = self._engine.text_rec
        _c, height, _w = rec.rec_image_shape
        widths = []
        resized = []
        for crop in crops:
            img = _to_bgr(crop, bgr)
            h, w = img.shape[:2]
            rw = max(8, int(np.ceil(height * w / max(h, 1))))
            resized.append(cv2.resize(img, (rw, height), interpolation=cv2.INTER_LINEAR))
            widths.append(rw)
        pad_w = max(max(widths), min_width)
        pad_w = int(np.ceil(pad_w / 8) * 8)
        batch = np.zeros((len(crops), 3, height, pad_w), np.float32)
        for i, img in enumerate(resized):
            x = img.astype(np.float32).transpose(2, 0, 1) * (2 / 255.0) - 1.0
            batch[i, :, :, : widths[i]] = x
        with self._lock:
            preds = rec.session(batch)[0]
        frames = preds.shape[1]
        out = []
        for i, w in enumerate(widths):
            keep = min(frames, int(np.ceil(frames * w / pad_w)) + 1)
            out.append(np.ascontiguousarray(preds[i, :keep], dtype=np.float32))
        return out

    def close(self) -> None:
        self._engine = None


def load(*, threads: int | None = None) -> OcrModel:
    """The engine; `threads` caps onnxruntime's intra-op threads (e.g. 1 for benchmarks)."""
    from rapidocr_onnxruntime import RapidOCR

    kwargs: dict[str, Any] = {}
    if threads:
        kwargs = {"intra_op_num_threads": int(threads), "inter_op_num_threads": 1}
    engine = RapidOCR(
        det_limit_type=DET_LIMIT_TYPE, det_limit_side_len=DET_LIMIT_SIDE_LEN, **kwargs
    )
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
