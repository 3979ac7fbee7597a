"""Restyling a render: the core photo filters on the CPU, or a style preset with its LoRA
through the generation engine's img2img on a GPU.

CPU styles are `core.filters` names (oil, cartoon, pencil_gray, watercolor, paint, …). GPU
styles are the engine's presets (`core.generation.styles`: oil, watercolor, anime, toon, 3d,
…) with the preset's LoRA or one the caller names from the models' loras/ folder; the whole
render is repainted at a moderate strength, so the desk, the items and their places stay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from pixelsmith.core import filters

if TYPE_CHECKING:
    from pixelsmith.core.generation.engine import Engine, StepCallback

CAPABILITY = "img2img"
# Enough to repaint the surface in the style, little enough to keep what is where.
GPU_STRENGTH = 0.5
SUBJECT = "a tidy home-office desk setup, the same desk, monitor and objects"
CPU_STYLES = tuple(n for n in filters.filter_names() if n != "original")


def restyle_cpu(rgb: np.ndarray, style: str) -> np.ndarray:
    """The render in a painted, drawn or cartoon look (core.filters, default parameters)."""
    return filters.apply_filter(rgb, style, filters.validate_params(style, None))


def gpu_unavailable(engine: Engine | None = None, model: str | None = None) -> str | None:
    """None when an img2img model is installed, else why not and what to run (no loading)."""
    from pixelsmith.core.generation import state, store
    from pixelsmith.core.generation.catalogue import entry

    settings = engine.settings if engine is not None else state.current_settings()
    name = model or settings.gen_img2img_model
    if CAPABILITY not in entry(name).capabilities:
        return f"{name} cannot repaint an image (img2img)"
    return store.reason(settings, name)


def restyle_gpu(
    rgb: np.ndarray,
    style: str,
    *,
    lora: str | None = None,
    lora_scale: float = 1.0,
    strength: float = GPU_STRENGTH,
    seed: int = 0,
    engine: Engine | None = None,
    model: str | None = None,
    size: int | None = None,
    on_step: StepCallback | None = None,
    is_canceled: Callable[[], bool] = lambda: False,
) -> np.ndarray:
    """The render repainted in a style preset (and its or the named LoRA) by img2img.

    `size` is the longer side the model paints at (default: the model's own); the result is
    scaled back to the render's size. ModelUnavailable without an img2img model; an unknown
    style or LoRA is a 422 before any work."""
    from pixelsmith.core.generation import store
    from pixelsmith.core.generation.catalogue import entry
    from pixelsmith.core.generation.engine import Request, get_engine
    from pixelsmith.core.generation.styles import apply_style, get_style

    engine = engine or get_engine()
    preset = get_style(style)
    lora = lora or preset.lora
    if lora:
        store.lora_path(engine.settings, lora)  # a bad name fails here, not mid-job
    name = model or engine.model_for(CAPABILITY, None)
    engine.require(name)
    e = entry(name)
    h, w = rgb.shape[:2]
    side = size or e.default_size
    scale = side / max(w, h)
    width, height = (max(8, round(w * scale / 8) * 8), max(8, round(h * scale / 8) * 8))
    prompt, negative = apply_style(preset, SUBJECT, "blurry, distorted, extra objects, text")
    req = Request(
        capability=CAPABILITY,
        prompt=prompt,
        negative_prompt=negative,
        width=width,
        height=height,
        # Turbo models run steps × strength steps: keep at least one.
        steps=max(e.default_steps, int(np.ceil(1 / strength))),
        guidance=e.default_guidance,
        seed=seed,
        image=Image.fromarray(rgb).resize((width, height), Image.Resampling.LANCZOS),
        strength=strength,
        lora=lora,
        lora_scale=lora_scale if lora else 1.0,
    )
    painted = engine.generate(name, req, on_step=on_step, is_canceled=is_canceled)
    return np.asarray(painted.convert("RGB").resize((w, h), Image.Resampling.LANCZOS))
