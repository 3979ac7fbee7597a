"""Model registry: capability → backend, each loaded lazily exactly once per process.

A `ModelSpec` says what a backend needs (`check`, cheap: never loads weights) and how to build
it (`loader`, slow). `ModelRegistry.get("ocr")` returns the loaded instance, building it on
first use under a per-spec lock, so concurrent first calls load once. Wrappers returned by the
loaders hold their own lock around inference: the runtimes underneath (mediapipe graphs,
onnxruntime sessions with mutable post-processing state, torch modules) are not all safe to
call concurrently.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pixelsmith.core.errors import ModelUnavailable, NotFound

log = logging.getLogger(__name__)

CAPABILITIES = (
    "ocr",
    "pose",
    "person",
    "classifier",
    "embeddings",
    "embeddings_ml",
    "upscale",
    "salient",
    "nsfw",
    "txt2img",
    "img2img",
    "inpaint",
    "sketch2img",
)


@dataclass(kw_only=True)
class ModelSpec:
    name: str
    capability: str
    title: str
    description: str = ""
    packages: list[str] = field(default_factory=list)
    loader: Callable[[], Any]
    # Cheap availability check (no weights loaded): None when available, else the reason.
    check: Callable[[], str | None] = lambda: None
    install_hint: str = ""
    device: str = "cpu"
    bundled: bool = False
    # For models kept in their own pool (diffusion pipelines live in the generation engine):
    # how long loading took in this process, or None while not loaded.
    pooled_load_seconds: Callable[[], float | None] | None = None


class ModelRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, ModelSpec] = {}
        self._instances: dict[str, Any] = {}
        self._load_seconds: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # ---- registration -------------------------------------------------------------------
    def register(self, spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
        with self._guard:
            if spec.name in self._specs and not replace:
                raise ValueError(f"model {spec.name!r} is already registered")
            self._specs[spec.name] = spec
            self._locks.setdefault(spec.name, threading.Lock())
        return spec

    def specs(self) -> list[ModelSpec]:
        return list(self._specs.values())

    def spec(self, name: str) -> ModelSpec:
        """The spec registered under `name`; NotFound (404) otherwise."""
        try:
            return self._specs[name]
        except KeyError:
            raise NotFound(
                f"no model named {name!r}",
                details={"name": name, "known": sorted(self._specs)},
            ) from None

    # ---- availability ---------------------------------------------------------------------
    def reason(self, name: str) -> str | None:
        """Why `name` is unavailable (None when it is). Never loads weights."""
        spec = self.spec(name)
        if name in self._instances:
            return None
        try:
            return spec.check()
        except Exception as exc:  # a broken check must not break status pages
            return f"availability check failed: {exc}"

    def is_available(self, capability_or_name: str) -> bool:
        try:
            spec = self._resolve(capability_or_name, require_available=True)
        except ModelUnavailable:
            return False
        return self.reason(spec.name) is None

    def is_loaded(self, name: str) -> bool:
        return self._loaded_seconds(self.spec(name)) is not None

    def _loaded_seconds(self, spec: ModelSpec) -> float | None:
        """How long loading took in this process; None while not loaded."""
        if spec.pooled_load_seconds is not None:
            return spec.pooled_load_seconds()
        if spec.name not in self._instances:
            return None
        return self._load_seconds.get(spec.name, 0.0)

    def status_of(self, name: str) -> dict[str, Any]:
        spec = self.spec(name)
        reason = self.reason(name)
        load_seconds = self._loaded_seconds(spec)
        return {
            "name": spec.name,
            "capability": spec.capability,
            "title": spec.title,
            "description": spec.description,
            "available": reason is None,
            "loaded": load_seconds is not None,
            "reason": reason,
            "install_hint": spec.install_hint,
            "bundled": spec.bundled,
            "device": spec.device,
            "packages": list(spec.packages),
            "load_seconds": load_seconds,
        }

    def status(self) -> list[dict[str, Any]]:
        return [self.status_of(name) for name in list(self._specs)]

    # ---- loading --------------------------------------------------------------------------
    def _resolve(self, key: str, *, require_available: bool) -> ModelSpec:
        if key in self._specs:
            return self._specs[key]
        candidates = [s for s in self._specs.values() if s.capability == key]
        if not candidates:
            raise ModelUnavailable(
                f"no model registered for {key!r}",
                details={
                    "requested": key,
                    "capabilities": sorted({s.capability for s in self._specs.values()}),
                    "models": sorted(self._specs),
                },
            )
        if not require_available:
            return candidates[0]
        # First loaded, else first available, in registration order.
        for spec in candidates:
            if spec.name in self._instances:
                return spec
        reasons = {}
        for spec in candidates:
            reason = self.reason(spec.name)
            if reason is None:
                return spec
            reasons[spec.name] = reason
        first = candidates[0]
        raise ModelUnavailable(
            f"no available model for {key!r}: {reasons[first.name]}",
            details={
                "requested": key,
                "model": first.name,
                "reason": reasons[first.name],
                "install_hint": first.install_hint,
                "candidates": [
                    {"model": s.name, "reason": reasons[s.name], "install_hint": s.install_hint}
                    for s in candidates
                ],
            },
        )

    def get(self, capability_or_name: str) -> Any:
        """The loaded instance for a model name or a capability (first available backend).

        Loads it on first use, once per process even under concurrent first calls.
        Raises ModelUnavailable (503) with the reason and install hint when it cannot.
        """
        spec = self._resolve(capability_or_name, require_available=True)
        instance = self._instances.get(spec.name)
        if instance is not None:
            return instance
        with self._locks[spec.name]:
            instance = self._instances.get(spec.name)
            if instance is not None:
                return instance
            details = {
                "requested": capability_or_name,
                "model": spec.name,
                "install_hint": spec.install_hint,
            }
            reason = self.reason(spec.name)
            if reason is not None:
                raise ModelUnavailable(
                    f"model {spec.name!r} is unavailable: {reason}",
                    details={**details, "reason": reason},
                )
            started = time.perf_counter()
            try:
                instance = spec.loader()
            except Exception as exc:
                reason = f"loading failed: {type(exc).__name__}: {exc}"
                log.exception("model %s failed to load", spec.name)
                raise ModelUnavailable(
                    f"model {spec.name!r} is unavailable: {reason}",
                    details={**details, "reason": reason},
                ) from exc
            if instance is None:
                raise ModelUnavailable(
                    f"model {spec.name!r} is unavailable: its loader returned nothing",
                    details={**details, "reason": "loader returned None"},
                )
            elapsed = time.perf_counter() - started
            self._load_seconds[spec.name] = elapsed
            self._instances[spec.name] = instance
            log.info("loaded model %s in %.2fs", spec.name, elapsed)
            return instance

    def unload(self, name: str) -> bool:
        """Drop the loaded instance (closing it if it has close()). True if one was loaded."""
        self.spec(name)
        with self._locks[name]:
            instance = self._instances.pop(name, None)
            self._load_seconds.pop(name, None)
        if instance is None:
            return False
        close = getattr(instance, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                log.exception("closing model %s failed", name)
        return True


def _bundled_specs() -> list[ModelSpec]:
    # Imported here, not at the top: those modules import ModelSpec from this one.
    from . import (
        classifier,
        embeddings,
        multilingual_embeddings,
        ocr,
        person,
        pose,
        realesrgan,
        u2net,
    )

    return [
        ocr.build_spec(),
        pose.build_spec(),
        person.build_spec(),
        classifier.build_spec(),
        embeddings.build_spec(),
        multilingual_embeddings.build_spec(),
        realesrgan.build_spec(),
        u2net.build_spec(),
    ]


def _build_default() -> ModelRegistry:
    reg = ModelRegistry()
    for spec in _bundled_specs():
        reg.register(spec)
    from . import nsfw  # open-nsfw (bundled) and nudenet (opt-in extra)

    for spec in nsfw.build_specs():
        reg.register(spec)
    # Installable diffusion models (core/generation): status and install hints only here.
    from pixelsmith.core.generation.specs import build_specs

    for spec in build_specs():
        reg.register(spec)
    return reg


registry: ModelRegistry = _build_default()


def default_registry() -> ModelRegistry:
    return registry


def get(capability_or_name: str) -> Any:
    """`registry.get(...)` on the default registry."""
    return registry.get(capability_or_name)
