"""The bundled multilingual sentence embeddings (USE multilingual v3, pure numpy), offline."""

from __future__ import annotations

import numpy as np
import pytest

from pixelsmith.core.models import registry
from pixelsmith.core.models.multilingual_embeddings import (
    CAPABILITY,
    DIM,
    NAME,
    MultilingualEmbeddingModel,
)


@pytest.fixture(scope="module")
def model() -> MultilingualEmbeddingModel:
    m = registry.get(CAPABILITY)
    assert isinstance(m, MultilingualEmbeddingModel)
    return m


def test_registered_as_a_bundled_cpu_model():
    row = registry.status_of(NAME)
    assert row["capability"] == CAPABILITY and row["bundled"] and row["device"] == "cpu"
    assert row["available"] is True, row["reason"]


def test_vectors_are_unit_norm_and_batching_is_consistent(model: MultilingualEmbeddingModel):
    texts = [f"a {c} paper backdrop for product photos" for c in ("white", "grey", "pink")]
    vecs = model.encode(texts)
    assert vecs.shape == (3, DIM) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert np.allclose(model.encode(texts[1:2])[0], vecs[1], atol=1e-4)
    assert model.encode([]).shape == (0, DIM)
    with pytest.raises(TypeError):
        model.encode("not a list")  # type: ignore[arg-type]


def test_korean_lands_next_to_its_english_translation(model: MultilingualEmbeddingModel):
    en = [
        "white marble tabletop, luxurious and bright",
        "warm wooden table in a cosy kitchen",
        "dark concrete wall, industrial and moody",
    ]
    ko = [
        "흰 대리석 상판, 고급스럽고 밝은 느낌",
        "아늑한 주방의 따뜻한 나무 테이블",
        "어두운 콘크리트 벽, 인더스트리얼하고 무게감 있는 분위기",
    ]
    sim = model.encode(ko) @ model.encode(en).T
    # each Korean sentence is closest to its own translation, by a clear margin
    assert list(sim.argmax(axis=1)) == [0, 1, 2]
    for i in range(3):
        others = np.delete(sim[i], i)
        assert sim[i, i] > 0.5 and sim[i, i] > others.max() + 0.1
