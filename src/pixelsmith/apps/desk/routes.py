"""Desk Makeover: the /desk page and /api/v1/desk routes (docs/api.md, "Desk Makeover").

The gate and the analysis answer inline: an upload's decode, gate, working photo and analysis
are one call to the server's worker process (core.cpu.run_isolated), where their models stay
loaded; renders are jobs. Every photo and render is
the caller's: the service answers 404 for anyone else's.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.cpu import run_isolated
from pixelsmith.core.images import read_upload_bytes
from pixelsmith.core.services import Services
from pixelsmith.core.web.deps import get_services
from pixelsmith.core.web.i18n import negotiate
from pixelsmith.core.web.identity import Identity, current_identity
from pixelsmith.core.web.pages import render

from . import APP
from .service import (
    MAX_ITEMS,
    DeskService,
    gate_upload,
    localize_photo,
    localize_render,
    prepare_photo,
)

router = APIRouter()
api = APIRouter(prefix="/api/v1/desk", tags=["desk"])
PRIVATE = {"Cache-Control": "private, no-store"}


def desk_service(services: Services = Depends(get_services)) -> DeskService:
    return DeskService(services)


@router.get("/desk", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, identity: Identity = Depends(current_identity)) -> HTMLResponse:
    return identity.apply(render(request, "desk/index.html", app=APP))


def _limits(services: Services) -> tuple[int, int, int]:
    lim = services.settings.upload_limits()
    return lim["max_bytes"], lim["max_pixels"], lim["max_side"]


@api.post(
    "/gate",
    summary="Is this a desk setup? Reasons (not_a_desk, person, too_small) in your language",
    responses={413: {}, 422: {"description": "Not an image"}},
)
async def gate(
    request: Request,
    file: UploadFile = File(..., description="A photo of the desk (JPEG, PNG or WebP)"),
    services: Services = Depends(get_services),
) -> dict:
    limits = _limits(services)
    data = await read_upload_bytes(file, max_bytes=limits[0])
    result = await run_isolated(gate_upload, data, negotiate(request).lang, limits)
    return result.to_dict()


@api.post(
    "/photos",
    status_code=201,
    summary="Upload a desk photo: gate, store the working photo, analyse it",
    responses={413: {}, 422: {"description": "Not an image, or the gate refused it"}},
)
async def create_photo(
    request: Request,
    file: UploadFile = File(..., description="A photo of the desk (JPEG, PNG or WebP)"),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> dict:
    limits = _limits(services)
    data = await read_upload_bytes(file, max_bytes=limits[0])
    prepared = await run_isolated(prepare_photo, data, negotiate(request).lang, limits)
    del data
    out = await run_in_threadpool(desk.create_photo, identity.user_id, prepared)
    localize_photo(out["photo"], negotiate(request).lang)
    return out


@api.get("/photos", summary="Your desk photos, newest first")
def list_photos(
    request: Request,
    limit: int = Query(50, ge=1, le=200),
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> list[dict]:
    lang = negotiate(request).lang
    return [localize_photo(p, lang) for p in desk.list_photos(identity.user_id, limit)]


@api.get("/photos/{photo_id}", summary="A desk photo and its analysis (null until done)")
def get_photo(
    request: Request,
    photo_id: str,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> dict:
    return localize_photo(desk.get_photo(identity.user_id, photo_id), negotiate(request).lang)


@api.get("/photos/{photo_id}/image", response_class=Response, summary="The working photo")
def photo_image(
    photo_id: str,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> Response:
    return Response(
        desk.photo_image(identity.user_id, photo_id), media_type="image/png", headers=PRIVATE
    )


@api.get(
    "/photos/{photo_id}/recommendations",
    summary="Catalog items the desk lacks that fit its style and palette, each with a reason",
    responses={409: {"description": "not_analyzed: the analysis job has not succeeded yet"}},
)
def recommendations(
    request: Request,
    photo_id: str,
    limit: int = Query(8, ge=1, le=40),
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> dict:
    lang = negotiate(request).lang
    return {"items": desk.recommendations(identity.user_id, photo_id, lang, limit)}


class RenderIn(BaseModel):
    product_ids: list[int] = Field(..., min_length=1, max_length=MAX_ITEMS)
    style: (
        Literal[
            "oil",
            "cartoon",
            "pencil_gray",
            "pencil_color",
            "watercolor",
            "stylization",
            "emboss",
            "paint",
        ]
        | None
    ) = None
    engine: Literal["auto", "cpu", "gpu"] = "auto"
    gpu_style: str | None = Field(
        None, max_length=40, description="An engine style preset painted over the render (GPU)"
    )
    lora: str | None = Field(None, max_length=200, description="A style LoRA in models/loras/")
    lora_scale: float = Field(1.0, ge=0.0, le=2.0)
    seed: int = Field(0, ge=0, le=2**31 - 1)


@api.post(
    "/photos/{photo_id}/renders",
    status_code=202,
    summary="Place the chosen items in the photo (a job: desk.render, or desk.render_gpu)",
    responses={
        409: {"description": "not_analyzed"},
        422: {"description": "unknown_item or bad parameters"},
        503: {"description": "model_unavailable (engine gpu without an inpainting model)"},
    },
)
def submit_render(
    photo_id: str,
    body: RenderIn,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> dict:
    return desk.submit_render(
        identity.user_id,
        photo_id,
        body.product_ids,
        style=body.style,
        engine=body.engine,
        seed=body.seed,
    )


@api.get("/renders/{render_id}", summary="A render: its image, numbered items and hotspots")
def get_render(
    request: Request,
    render_id: str,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> dict:
    return localize_render(desk.get_render(identity.user_id, render_id), negotiate(request).lang)


@api.get("/renders/{render_id}/image", response_class=Response, summary="The render (PNG)")
def render_image(
    render_id: str,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> Response:
    return Response(
        desk.render_image(identity.user_id, render_id), media_type="image/png", headers=PRIVATE
    )


@api.get(
    "/renders/{render_id}/items/{n}/mask",
    response_class=Response,
    summary="Item n's placement mask (PNG, white = the item): what its hotspot was made from",
)
def render_mask(
    render_id: str,
    n: int,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> Response:
    return Response(
        desk.render_mask(identity.user_id, render_id, n), media_type="image/png", headers=PRIVATE
    )


@api.delete(
    "/photos/{photo_id}",
    status_code=204,
    response_class=Response,
    summary="Delete the photo, its analysis, its renders and everything they stored",
)
def delete_photo(
    photo_id: str,
    identity: Identity = Depends(current_identity),
    desk: DeskService = Depends(desk_service),
) -> Response:
    desk.delete_photo(identity.user_id, photo_id)
    return Response(status_code=204)


@api.get("/products", summary="The desk catalog (items with a cut-out and a real size)")
def products(
    category: str | None = Query(None, max_length=40),
    desk: DeskService = Depends(desk_service),
) -> list[dict]:
    return desk.products(category)


router.include_router(api)
