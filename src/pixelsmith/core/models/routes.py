"""`/api/v1/models`: what models exist, whether each is available, and if not why and how to
get it. Status only: these routes never load a model."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from .registry import ModelRegistry, default_registry

router = APIRouter(prefix="/api/v1/models", tags=["models"])


class ModelStatus(BaseModel):
    name: str = Field(examples=["rapidocr-ppocrv4"])
    capability: str = Field(examples=["ocr"])
    title: str
    description: str
    available: bool
    loaded: bool = Field(description="Loaded in this server process.")
    reason: str | None = Field(description="Why it is unavailable; null when available.")
    install_hint: str = Field(description="What to do to make it available.")
    bundled: bool = Field(description="Ships with the base install (offline, CPU).")
    device: str
    packages: list[str] = []
    load_seconds: float | None = Field(
        default=None, description="How long loading took in this process, once loaded."
    )


class ModelList(BaseModel):
    models: list[ModelStatus]


def get_registry() -> ModelRegistry:
    """Dependency; tests and embedders may override it (app.dependency_overrides)."""
    return default_registry()


@router.get("", response_model=ModelList, summary="List models and their availability")
def list_models(reg: ModelRegistry = Depends(get_registry)) -> ModelList:
    return ModelList(models=[ModelStatus(**s) for s in reg.status()])


@router.get(
    "/{name}",
    response_model=ModelStatus,
    summary="One model's availability",
    responses={404: {"description": "No model of that name"}},
)
def get_model(name: str, reg: ModelRegistry = Depends(get_registry)) -> ModelStatus:
    return ModelStatus(**reg.status_of(name))  # NotFound (404) if unknown
