"""POST /api/v1/generate/{kind}: submit a generation job (202), after every check that can fail
without loading a model: parameters (422), input images and mask size (422), and whether the
model is installed (503 with the install command)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel

from pixelsmith.core.errors import ApiError, ModelUnavailable, NotFound, check_json_input
from pixelsmith.core.jobs.kinds import get_kind
from pixelsmith.core.jobs.routes import JobOut
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services

from . import store
from .catalogue import CAPABILITIES, CATALOGUE, install_command
from .styles import STYLES

router = APIRouter(prefix="/api/v1/generate", tags=["generate"])

Capability = Literal["txt2img", "img2img", "inpaint", "sketch2img"]


class CapabilityStatus(BaseModel):
    capability: str
    model: str
    available: bool
    reason: str | None
    install_command: str


class GenerateInfo(BaseModel):
    capabilities: list[CapabilityStatus]
    styles: list[str]


def configured_model(services: Services, capability: str, requested: str | None) -> str:
    name = requested or getattr(services.settings, f"gen_{capability}_model")
    if name not in CATALOGUE or capability not in CATALOGUE[name].capabilities:
        raise ModelUnavailable(
            f"The configured model {name!r} cannot do {capability}; set "
            f"PIXELSMITH_GEN_{capability.upper()}_MODEL to one of "
            f"{', '.join(n for n, e in CATALOGUE.items() if capability in e.capabilities)}.",
            details={"capability": capability, "model": name},
        )
    return name


def require_installed(services: Services, name: str) -> None:
    reason = store.reason(services.settings, name)
    if reason is not None:
        raise ModelUnavailable(
            f"Model {name} is {reason}." if reason.startswith("not ") else f"{name}: {reason}.",
            details={"model": name, "reason": reason, "install_command": install_command(name)},
        )


def _size_of(services: Services, key: str, field: str) -> tuple[int, int]:
    from .jobs import image_size

    try:
        return image_size(services.storage.get(key))
    except NotFound:
        raise ApiError(
            f"{field} {key} is not a stored image; upload it first (POST /api/v1/images).",
            code="unknown_image",
            status_code=422,
            details={"field": field, "key": key},
        ) from None
    except Exception:
        raise ApiError(
            f"{field} {key} is not a readable image.",
            code="invalid_image",
            status_code=422,
            details={"field": field},
        ) from None


def submit_generation(
    services: Services, capability: str, params: dict[str, Any], *, owner_id: str | None = None
) -> dict:
    """Validate everything (no model loads), then submit gen.<capability>. For apps too."""
    kind = get_kind(f"gen.{capability}")
    check_json_input(params)  # a lone surrogate (JSON "\ud800") or deep nesting: a clear 422
    p = kind.validate(params)  # 422 on bad fields, unknown model or style
    for field in ("image_key", "mask_key"):
        if getattr(p, field, None) is not None:
            size = _size_of(services, getattr(p, field), field)
            if field == "image_key":
                image_size = size
            elif size != image_size:
                raise ApiError(
                    f"The mask is {size[0]}×{size[1]} but the image is "
                    f"{image_size[0]}×{image_size[1]}; they must be the same size.",
                    code="mask_size_mismatch",
                    status_code=422,
                    details={"image": list(image_size), "mask": list(size)},
                )
    name = configured_model(services, capability, p.model)
    require_installed(services, name)
    data = p.model_dump(mode="json")
    data["model"] = name
    return services.jobs.submit(kind.name, data, owner_id=owner_id)


@router.get("", response_model=GenerateInfo, summary="Which model serves each capability")
def info(services: Services = Depends(get_services)) -> dict:
    rows = []
    for cap in CAPABILITIES:
        name = getattr(services.settings, f"gen_{cap}_model")
        reason = store.reason(services.settings, name) if name in CATALOGUE else "unknown model"
        rows.append(
            {
                "capability": cap,
                "model": name,
                "available": reason is None,
                "reason": reason,
                "install_command": install_command(name),
            }
        )
    return {"capabilities": rows, "styles": sorted(STYLES)}


@router.post(
    "/{capability}",
    status_code=202,
    response_model=JobOut,
    summary="Generate an image (a gen.<capability> job)",
    responses={
        422: {"description": "Bad parameters, unknown model, bad input image or mask"},
        429: {"description": "Queue full (Retry-After)"},
        503: {"description": "The model is not installed: the message says how to install it"},
    },
)
def generate(
    capability: Capability,
    params: dict[str, Any] = Body(..., examples=[{"prompt": "a red bicycle", "steps": 4}]),
    services: Services = Depends(get_services),
) -> dict:
    return submit_generation(services, capability, params)
