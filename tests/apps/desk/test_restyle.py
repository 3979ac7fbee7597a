"""Restyling a render: core filters on the CPU; on a GPU, the engine's img2img with a style
preset and a style LoRA (tiny random-weight SD model and LoRA, as the engine's own tests)."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest
from render_scene import desk_photo

from pixelsmith.apps.desk.restyle import CPU_STYLES, gpu_unavailable, restyle_cpu, restyle_gpu
from pixelsmith.core.config import Settings
from pixelsmith.core.errors import ApiError, ModelUnavailable
from pixelsmith.core.generation import store

sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "generation"))

import tiny_models  # noqa: E402

W, H = 160, 120


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from pixelsmith.core.generation.engine import Engine

    root = tmp_path_factory.mktemp("desk-restyle")
    sd = tiny_models.build_sd(root / "sd")
    lora = tiny_models.tiny_lora(sd, root / "style-a.safetensors", seed=1)
    settings = Settings(
        data_dir=root / "data",
        models_dir=root / "models",
        device="cpu",
        gen_img2img_model="sd-turbo",
    )
    store.install_from_dir(settings, "sd-turbo", sd)
    store.loras_dir(settings).mkdir(parents=True, exist_ok=True)
    (store.loras_dir(settings) / lora.name).write_bytes(lora.read_bytes())
    return Engine(settings)


def test_every_cpu_style_changes_the_render_and_keeps_its_size():
    photo = desk_photo(W, H)
    assert {"oil", "cartoon", "pencil_gray", "watercolor", "paint"} <= set(CPU_STYLES)
    for style in CPU_STYLES:
        out = restyle_cpu(photo, style)
        assert out.shape == photo.shape and out.dtype == np.uint8, style
        assert (out != photo).any(axis=2).mean() > 0.3, style


def test_a_style_lora_changes_the_gpu_restyle_and_progress_is_reported(engine):
    photo = desk_photo(W, H)
    assert gpu_unavailable(engine) is None
    steps: list[tuple[int, int]] = []
    plain = restyle_gpu(photo, "oil", engine=engine, size=64, seed=3)
    styled = restyle_gpu(
        photo,
        "oil",
        lora="style-a.safetensors",
        engine=engine,
        size=64,
        seed=3,
        on_step=lambda s, t, _preview: steps.append((s, t)),
    )
    assert plain.shape == styled.shape == photo.shape
    assert steps and steps[-1][0] == steps[-1][1], steps
    assert not np.array_equal(plain, styled), "the LoRA made no difference"
    again = restyle_gpu(photo, "oil", lora="style-a.safetensors", engine=engine, size=64, seed=3)
    assert np.array_equal(styled, again), "same seed, same LoRA: not the same image"


def test_bad_styles_loras_and_missing_models_fail_before_any_work(engine, tmp_path):
    from pixelsmith.core.generation.engine import Engine

    photo = desk_photo(W, H)
    with pytest.raises(ApiError) as exc:
        restyle_gpu(photo, "sepia", engine=engine)
    assert exc.value.code == "unknown_style"
    with pytest.raises(ApiError):
        restyle_gpu(photo, "oil", lora="../etc/passwd", engine=engine)
    empty = Engine(Settings(data_dir=tmp_path / "d", models_dir=tmp_path / "none"))
    assert "pixelsmith models install" in (gpu_unavailable(empty) or "")
    with pytest.raises(ModelUnavailable):
        restyle_gpu(photo, "oil", engine=empty)
