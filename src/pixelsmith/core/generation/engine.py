"""The pipeline pool and one generation call.

- One loaded pipeline per model per process (the img2img/txt2img variants of a model share its
  weights through `from_pipe`), built lazily on first use.
- One call at a time per model: a lock per loaded model. diffusers pipelines, their schedulers
  and fast tokenizers are not safe to share between concurrent calls.
- A fresh scheduler per request (`scheduler.from_config`), so no step index survives a call.
- Device auto (cuda > mps > cpu), fp16 on GPU, opt-in attention slicing, CPU offload and
  torch.compile (settings `gen_*`).
- Per-step callback with a cheap latent → RGB preview; cooperative cancel through
  `callback_on_step_end` + `pipe._interrupt`, or by raising from the legacy `callback` of
  StableDiffusionXLAdapterPipeline (it has no interrupt).
- A request's LoRA is loaded for that call only and unloaded afterwards (in `finally`).
"""

from __future__ import annotations

import io
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from pixelsmith.core.config import Settings
from pixelsmith.core.errors import ModelUnavailable

from . import store
from .catalogue import ModelEntry, entry, install_command
from .state import current_settings

log = logging.getLogger("pixelsmith.generation")

PREVIEW_SIDE = 256
# torch.compile options for gen_compile (the tests swap in the "eager" backend: no C compiler).
COMPILE_OPTIONS: dict[str, Any] = {}

# Linear latent → RGB projections (rows: latent channels), the usual cheap preview factors.
_LATENT_RGB = {
    "sd": (
        np.array(
            [
                [0.298, 0.207, 0.208],
                [0.187, 0.286, 0.173],
                [-0.158, 0.189, 0.264],
                [-0.184, -0.271, -0.473],
            ],
            dtype=np.float32,
        ),
        np.zeros(3, dtype=np.float32),
    ),
    "sdxl": (
        np.array(
            [
                [0.3651, 0.4232, 0.4341],
                [-0.2533, -0.0042, 0.1068],
                [0.1076, 0.1111, -0.0362],
                [-0.3165, -0.2492, -0.2188],
            ],
            dtype=np.float32,
        ),
        np.array([0.1084, -0.0175, -0.0011], dtype=np.float32),
    ),
}


class Canceled(Exception):
    """The request was canceled between steps."""


def pick_device(setting: str = "auto") -> str:
    if setting != "auto":
        return setting
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: str, setting: str = "auto") -> torch.dtype:
    """Half precision on a GPU by default, full precision on the CPU (where fp16 is slow)."""
    if setting != "auto":
        return getattr(torch, setting)
    return torch.float16 if device in ("cuda", "mps") else torch.float32


def latents_preview(latents: torch.Tensor, family: str, side: int = PREVIEW_SIDE) -> bytes:
    """A small JPEG from the latents by a linear projection (no VAE decode)."""
    lat = latents[0].detach().float().cpu().numpy()  # C, h, w
    weights, bias = _LATENT_RGB.get(family, _LATENT_RGB["sd"])
    c = min(lat.shape[0], weights.shape[0])
    rgb = np.einsum("chw,ck->hwk", lat[:c], weights[:c]) + bias
    rgb = ((rgb + 1.0) * 127.5).clip(0, 255).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB")
    scale = side / max(img.size)
    img = img.resize(
        (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
        Image.Resampling.BILINEAR,
    )
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    return buf.getvalue()


@dataclass
class LoadedModel:
    """One model's pipeline(s) in this process, and the lock that serialises calls on it."""

    entry: ModelEntry
    base: Any  # the pipeline the folder loads as
    device: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    variants: dict[str, Any] = field(default_factory=dict)
    load_seconds: float = 0.0

    def pipe_for(self, capability: str) -> Any:
        """The pipeline for `capability`, sharing the base pipeline's modules."""
        if capability in ("inpaint", "sketch2img") or capability not in ("txt2img", "img2img"):
            return self.base
        pipe = self.variants.get(capability)
        if pipe is None:
            from diffusers import AutoPipelineForImage2Image, AutoPipelineForText2Image

            auto = (
                AutoPipelineForText2Image if capability == "txt2img" else AutoPipelineForImage2Image
            )
            pipe = auto.from_pipe(self.base)
            pipe.set_progress_bar_config(disable=True)
            self.variants[capability] = pipe
        return pipe


@dataclass
class Request:
    """One generation call, already validated (see params.py)."""

    capability: str
    prompt: str
    negative_prompt: str
    width: int
    height: int
    steps: int
    guidance: float
    seed: int
    image: Image.Image | None = None
    mask: Image.Image | None = None
    strength: float = 1.0
    adapter_scale: float = 0.9
    lora: str | None = None
    lora_scale: float = 1.0


StepCallback = Callable[[int, int, Callable[[], bytes]], None]


class Engine:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self._pool: dict[tuple, LoadedModel] = {}
        self._guard = threading.Lock()
        self._load_locks: dict[tuple, threading.Lock] = {}

    @property
    def settings(self) -> Settings:
        return self._settings or current_settings()

    # ---- which model, and is it there ---------------------------------------------------
    def model_for(self, capability: str, requested: str | None) -> str:
        return requested or getattr(self.settings, f"gen_{capability}_model")

    def reason(self, name: str) -> str | None:
        return store.reason(self.settings, name)

    def require(self, name: str) -> store.Located:
        located = store.locate(self.settings, name)
        if located is None:
            reason = store.reason(self.settings, name) or "not installed"
            raise ModelUnavailable(
                f"Model {name} is {reason}." if reason.startswith("not") else f"{name}: {reason}",
                details={"model": name, "reason": reason, "install_command": install_command(name)},
            )
        return located

    # ---- the pool ---------------------------------------------------------------------------
    def load(self, name: str) -> LoadedModel:
        located = self.require(name)
        key = (name, str(located.pipeline_dir), str(located.adapter_dir))
        loaded = self._pool.get(key)
        if loaded is not None:
            return loaded
        with self._guard:
            lock = self._load_locks.setdefault(key, threading.Lock())
        with lock:  # concurrent first calls load once
            loaded = self._pool.get(key)
            if loaded is None:
                loaded = self._build(entry(name), located)
                self._pool[key] = loaded
        return loaded

    def is_loaded(self, name: str) -> bool:
        return self.load_seconds(name) is not None

    def load_seconds(self, name: str) -> float | None:
        """How long `name` took to load in this process; None while it is not loaded."""
        for key, loaded in list(self._pool.items()):
            if key[0] == name:
                return loaded.load_seconds
        return None

    def unload_all(self) -> None:
        with self._guard:
            self._pool.clear()

    def _build(self, e: ModelEntry, located: store.Located) -> LoadedModel:
        import diffusers

        started = time.perf_counter()
        device = pick_device(self.settings.device)
        dtype = pick_dtype(device, self.settings.gen_dtype)
        kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True}
        if dtype == torch.float16 and any(located.pipeline_dir.glob("unet/*.fp16.safetensors")):
            kwargs["variant"] = "fp16"
        cls = getattr(diffusers, e.pipeline_class)
        try:
            if e.adapter_repo_id:
                adapter_kwargs = {"dtype": dtype, "local_files_only": True}
                adapter = diffusers.T2IAdapter.from_pretrained(
                    located.adapter_dir, **adapter_kwargs
                )
                pipe = cls.from_pretrained(located.pipeline_dir, adapter=adapter, **kwargs)
            else:
                pipe = cls.from_pretrained(located.pipeline_dir, **kwargs)
        except Exception as exc:
            log.exception("loading %s failed", e.name)
            raise ModelUnavailable(
                f"Model {e.name} could not be loaded from {located.pipeline_dir}: "
                f"{type(exc).__name__}: {exc}",
                details={"model": e.name, "reason": f"loading failed: {exc}"},
            ) from exc
        s = self.settings
        if s.gen_cpu_offload and device == "cuda":
            pipe.enable_model_cpu_offload()  # moves each model to the GPU only while it runs
        else:
            if s.gen_cpu_offload:
                log.warning("gen_cpu_offload needs CUDA; %s runs on %s as is", e.name, device)
            pipe.to(device)
        if s.gen_attention_slicing:
            pipe.enable_attention_slicing()
        if s.gen_compile:
            # In place, so the UNet keeps its class: LoRA loading and from_pipe see it as is.
            # The first call compiles (minutes); the lock keeps that to one call at a time.
            pipe.unet.compile(**COMPILE_OPTIONS)
        pipe.set_progress_bar_config(disable=True)
        loaded = LoadedModel(e, pipe, device)
        loaded.load_seconds = time.perf_counter() - started
        log.info("loaded %s on %s in %.2fs", e.name, device, loaded.load_seconds)
        return loaded

    # ---- one call -------------------------------------------------------------------------
    def generate(
        self,
        name: str,
        req: Request,
        *,
        on_step: StepCallback | None = None,
        is_canceled: Callable[[], bool] = lambda: False,
    ) -> Image.Image:
        """Run one request on model `name`; raises Canceled if canceled between steps."""
        loaded = self.load(name)
        with loaded.lock:
            pipe = loaded.pipe_for(req.capability)
            # A fresh scheduler: step counters and sigmas never carry over between calls.
            pipe.scheduler = loaded.base.scheduler.from_config(loaded.base.scheduler.config)
            try:
                if req.lora:
                    self._load_lora(pipe, req)
                return self._call(loaded, pipe, req, on_step, is_canceled)
            finally:
                if req.lora:  # also after a failed load: nothing half-loaded may stay
                    pipe.unload_lora_weights()

    def _load_lora(self, pipe: Any, req: Request) -> str:
        path = store.lora_path(self.settings, req.lora or "")
        adapter_name = f"req_{uuid.uuid4().hex[:8]}"
        pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=adapter_name)
        pipe.set_adapters([adapter_name], adapter_weights=[req.lora_scale])
        return adapter_name

    def _call(self, loaded, pipe, req: Request, on_step, is_canceled) -> Image.Image:  # noqa: ANN001
        family = loaded.entry.family
        generator = torch.Generator(device="cpu").manual_seed(req.seed)
        kwargs: dict[str, Any] = {
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt or None,
            "num_inference_steps": req.steps,
            "guidance_scale": req.guidance,
            "generator": generator,
            "output_type": "pil",
        }
        if req.capability in ("txt2img", "sketch2img", "inpaint"):
            kwargs.update(width=req.width, height=req.height)
        if req.capability == "img2img":
            kwargs.update(image=req.image, strength=req.strength)
        elif req.capability == "inpaint":
            kwargs.update(image=req.image, mask_image=req.mask, strength=req.strength)
        elif req.capability == "sketch2img":
            kwargs.update(image=req.image, adapter_conditioning_scale=req.adapter_scale)

        def report(step: int, total: int, latents: torch.Tensor) -> None:
            if on_step is not None:
                on_step(step, total, lambda: latents_preview(latents, family))

        if req.capability == "sketch2img":
            # StableDiffusionXLAdapterPipeline: only the legacy callback, no interrupt.
            def legacy(step: int, t: Any, latents: torch.Tensor) -> None:
                report(step + 1, req.steps, latents)
                if is_canceled():
                    raise Canceled()

            result = pipe(**kwargs, callback=legacy, callback_steps=1)
        else:

            def on_step_end(p: Any, i: int, t: Any, tensors: dict) -> dict:
                total = getattr(p, "_num_timesteps", None) or req.steps
                report(i + 1, total, tensors["latents"])
                if is_canceled():
                    p._interrupt = True
                return {}

            result = pipe(
                **kwargs,
                callback_on_step_end=on_step_end,
                callback_on_step_end_tensor_inputs=["latents"],
            )
            if getattr(pipe, "_interrupt", False):
                raise Canceled()
        return result.images[0]


_engine: Engine | None = None
_engine_guard = threading.Lock()


def get_engine() -> Engine:
    """The process's engine (its pool is keyed by model folder, so settings may change)."""
    global _engine
    with _engine_guard:
        if _engine is None:
            _engine = Engine()
        return _engine
