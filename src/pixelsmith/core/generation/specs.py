"""Model-registry entries for the catalogue, so GET /api/v1/models and `pixelsmith models`
show each diffusion model's status and, when missing, how to install it."""

from __future__ import annotations

import sys

from pixelsmith.core.models.registry import ModelSpec

from . import store
from .catalogue import CATALOGUE, ModelEntry, install_command
from .state import current_settings


def _spec(e: ModelEntry) -> ModelSpec:
    def check() -> str | None:
        return store.reason(current_settings(), e.name)

    def loader():  # noqa: ANN202
        from .engine import get_engine

        return get_engine().load(e.name)

    def pooled_load_seconds() -> float | None:
        engine = sys.modules.get(f"{__package__}.engine")
        if engine is None:  # never imported, so nothing loaded (and no torch import for a status)
            return None
        return engine.get_engine().load_seconds(e.name)

    source = e.repo_id + (f" + {e.adapter_repo_id}" if e.adapter_repo_id else "")
    return ModelSpec(
        name=e.name,
        capability=e.capabilities[0],
        title=e.title,
        description=f"{source}; {e.pipeline_class}; serves {', '.join(e.capabilities)}",
        packages=["diffusers", "transformers", "torch"],
        loader=loader,
        check=check,
        install_hint=f"run `{install_command(e.name)}` while online, or "
        f"`{install_command(e.name)} --from DIR` with a diffusers folder",
        device="gpu",
        pooled_load_seconds=pooled_load_seconds,
    )


def build_specs() -> list[ModelSpec]:
    return [_spec(e) for e in CATALOGUE.values()]
