"""The engine's device, precision and memory options (issue 6, item 4), on the tiny SD model.

CUDA and MPS are not on this machine: device auto-selection is checked by making torch report
them, and what each option does to a loaded pipeline is checked on the CPU.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from diffusers.models.attention_processor import SlicedAttnProcessor

from pixelsmith.core.config import Settings
from pixelsmith.core.generation import engine as engine_module
from pixelsmith.core.generation.engine import Engine, Request, pick_device, pick_dtype

BASE = {
    "capability": "txt2img",
    "prompt": "a red bicycle",
    "negative_prompt": "",
    "width": 64,
    "height": 64,
    "steps": 2,
    "guidance": 0.0,
    "seed": 3,
}


@pytest.fixture
def make_engine(tmp_path, models_dir):
    """A separate engine (its own pipeline pool) per option set, on the shared tiny models."""

    def make(**options) -> Engine:
        return Engine(Settings(data_dir=tmp_path / "data", models_dir=models_dir, **options))

    return make


def _pixels(engine: Engine) -> np.ndarray:
    return np.asarray(engine.generate("sd-turbo", Request(**BASE)), dtype=np.int16)


@pytest.mark.parametrize(
    ("cuda", "mps", "want"), [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")]
)
def test_auto_device_prefers_cuda_then_mps(monkeypatch, cuda, mps, want):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert pick_device("auto") == want
    assert pick_device("cpu") == "cpu"  # an explicit choice is kept


def test_half_precision_on_a_gpu_full_on_the_cpu():
    assert pick_dtype("cuda") == torch.float16 and pick_dtype("mps") == torch.float16
    assert pick_dtype("cpu") == torch.float32
    assert pick_dtype("cuda", "bfloat16") == torch.bfloat16
    assert pick_dtype("cpu", "float32") == torch.float32


def test_bfloat16_setting_loads_and_runs_in_bfloat16(make_engine):
    engine = make_engine(gen_dtype="bfloat16")
    loaded = engine.load("sd-turbo")
    assert loaded.base.unet.dtype == torch.bfloat16
    assert loaded.base.text_encoder.dtype == torch.bfloat16
    image = engine.generate("sd-turbo", Request(**BASE))
    assert image.size == (64, 64)
    full = _pixels(make_engine())
    # Same model, same seed: bf16 rounds, so close to the fp32 image but not equal to it.
    diff = np.abs(np.asarray(image, dtype=np.int16) - full)
    assert diff.mean() < 20


def test_attention_slicing_changes_the_processors_not_the_image(make_engine):
    plain, sliced = make_engine(), make_engine(gen_attention_slicing=True)
    processors = sliced.load("sd-turbo").base.unet.attn_processors.values()
    assert processors and all(isinstance(p, SlicedAttnProcessor) for p in processors)
    assert not any(
        isinstance(p, SlicedAttnProcessor)
        for p in plain.load("sd-turbo").base.unet.attn_processors.values()
    )
    assert np.abs(_pixels(plain) - _pixels(sliced)).max() <= 1


def test_compile_is_opt_in_and_gives_the_same_image(make_engine, monkeypatch):
    # Dynamo traces the real UNet; the "eager" backend skips codegen (no C compiler needed).
    monkeypatch.setattr(engine_module, "COMPILE_OPTIONS", {"backend": "eager"})
    plain, compiled = make_engine(), make_engine(gen_compile=True)
    assert plain.load("sd-turbo").base.unet._compiled_call_impl is None
    unet = compiled.load("sd-turbo").base.unet
    assert unet._compiled_call_impl is not None
    assert type(unet).__name__ == "UNet2DConditionModel"  # compiled in place: LoRA still loads
    assert np.array_equal(_pixels(plain), _pixels(compiled))


def test_cpu_offload_without_cuda_says_so_and_runs_on_the_cpu(make_engine, caplog):
    engine = make_engine(gen_cpu_offload=True, device="cpu")
    with caplog.at_level(logging.WARNING, logger="pixelsmith.generation"):
        loaded = engine.load("sd-turbo")
    assert loaded.device == "cpu" and loaded.base.device.type == "cpu"
    assert "gen_cpu_offload needs CUDA" in caplog.text
    assert engine.generate("sd-turbo", Request(**BASE)).size == (64, 64)
