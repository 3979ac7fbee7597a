"""The GPU render path on a tiny random-weight SDXL inpainting model (CPU, 2 steps, 64 px): the
real engine, pipeline and blending code; only the weights are tiny."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest
from render_scene import desk_analysis, desk_photo, items

from pixelsmith.apps.desk.inpaint import inpaint, inpaint_model, inpaint_unavailable
from pixelsmith.apps.desk.render import composite
from pixelsmith.core.config import Settings
from pixelsmith.core.errors import ModelUnavailable
from pixelsmith.core.generation import store

sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "generation"))

import tiny_models  # noqa: E402

W, H = 256, 192


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from pixelsmith.core.generation.engine import Engine

    root = tmp_path_factory.mktemp("desk-inpaint")
    folder = tiny_models.build_sdxl_inpaint(root / "tiny-sdxl-inpaint")
    settings = Settings(data_dir=root / "data", models_dir=root / "models", device="cpu")
    store.install_from_dir(settings, "sdxl-inpaint", folder)
    return Engine(settings)


@pytest.fixture
def scene():
    return desk_photo(W, H), desk_analysis(W, H, per_row=0.012)


def test_an_installed_model_is_found_and_a_missing_one_explained(engine, tmp_path):
    from pixelsmith.core.generation.engine import Engine

    assert inpaint_model(engine) == "sdxl-inpaint"
    assert inpaint_unavailable(engine) is None
    empty = Engine(Settings(data_dir=tmp_path / "d", models_dir=tmp_path / "none"))
    reason = inpaint_unavailable(empty)
    assert reason and "pixelsmith models install sdxl-inpaint" in reason
    assert inpaint_unavailable(engine, "sd-turbo") == "sd-turbo cannot inpaint"
    photo, analysis = desk_photo(W, H), desk_analysis(W, H)
    with pytest.raises(ModelUnavailable):
        inpaint(photo, analysis, items(), engine=empty)


def test_masks_are_repainted_and_everything_else_is_kept(engine, scene):
    photo, analysis = scene
    cpu = composite(photo, analysis, items(), seed=1)
    steps: list[tuple[int, int]] = []
    previews: list[bytes] = []

    def on_step(step, total, preview):
        steps.append((step, total))
        previews.append(preview())

    result = inpaint(
        photo, analysis, items(), seed=1, engine=engine, steps=2, size=64, on_step=on_step, cpu=cpu
    )
    assert result.path == "inpaint" and result.image.shape == photo.shape
    assert result.to_dict()["model"] == "sdxl-inpaint"
    placed = result.placed
    assert len(placed) == 3
    h, w = photo.shape[:2]
    painted = np.zeros((h, w), bool)
    for gpu_p, cpu_p in zip(placed, cpu.placed, strict=True):
        mask = gpu_p.full_mask(h, w)
        assert (mask >= cpu_p.full_mask(h, w)).all()  # the grown mask holds the item
        assert mask.sum() > cpu_p.full_mask(h, w).sum()
        assert gpu_p.hotspot == cpu_p.hotspot and gpu_p.shadow_box == cpu_p.shadow_box
        painted |= mask
    # Outside the repainted masks: the CPU composite, bit for bit …
    assert np.array_equal(result.image[~painted], cpu.image[~painted])
    # … and outside the masks and the shadows, the photo itself.
    union = result.changed()
    assert np.array_equal(result.image[~union], photo[~union])
    # Inside, the model's pixels replaced the pasted cut-outs.
    assert np.any(result.image[painted] != cpu.image[painted], axis=1).mean() > 0.5
    # Progress over all items, in order, with JPEG previews.
    assert steps == [(1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6)]
    assert all(p[:2] == b"\xff\xd8" for p in previews)


def test_same_seed_same_render(engine, scene):
    photo, analysis = scene
    a = inpaint(photo, analysis, items()[:1], seed=4, engine=engine, steps=1, size=64)
    b = inpaint(photo, analysis, items()[:1], seed=4, engine=engine, steps=1, size=64)
    assert np.array_equal(a.image, b.image)


def test_cancel_stops_between_steps(engine, scene):
    from pixelsmith.core.generation.engine import Canceled

    photo, analysis = scene
    seen: list[int] = []
    with pytest.raises(Canceled):
        inpaint(
            photo,
            analysis,
            items(),
            engine=engine,
            steps=3,
            size=64,
            on_step=lambda step, total, preview: seen.append(step),
            is_canceled=lambda: len(seen) >= 1,
        )
    assert seen == [1]  # canceled after the first step of the first item
