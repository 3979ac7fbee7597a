"""Backdrop Studio: the /backdrop page and /api/v1/backdrop routes (docs/api.md, "Backdrop
Studio").

An upload's decode, cut-out, analysis and brief are one call to the server's worker process
(core.cpu.run_isolated), where the models stay loaded (about a second); so is a brush edit of
the mask. Renders, batches and generated backgrounds are jobs. Every product and run is the
caller's: the service answers 404 for anyone else's.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
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
    DEFAULT_BATCH_K,
    MAX_BATCH_K,
    MAX_BATCH_PHOTOS,
    MAX_RENDER_ASSETS,
    MAX_SUGGESTIONS,
    BackdropService,
    batch_inputs,
    check_count,
    cutout_png,
    decode_background,
    localize_product,
    prepare_product,
    remask_product,
)
from .types import ASSET_KINDS

router = APIRouter()
api = APIRouter(prefix="/api/v1/backdrop", tags=["backdrop"])
PRIVATE = {"Cache-Control": "private, no-store"}
ASSET_CACHE = {"Cache-Control": "private, max-age=3600"}


def backdrop_service(services: Services = Depends(get_services)) -> BackdropService:
    return BackdropService(services)


@router.get("/backdrop", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, identity: Identity = Depends(current_identity)) -> HTMLResponse:
    return identity.apply(render(request, "backdrop/index.html", app=APP))


def _limits(services: Services) -> tuple[int, int, int]:
    lim = services.settings.upload_limits()
    return lim["max_bytes"], lim["max_pixels"], lim["max_side"]


# ---- cut-out and products ------------------------------------------------------------------------


@api.post(
    "/cutout",
    response_class=Response,
    summary="The product cut out of a photo, as an RGBA PNG (the alpha is the matte)",
    responses={
        200: {"content": {"image/png": {}}},
        413: {},
        422: {"description": "Not an image, or no_object"},
    },
)
async def cutout(
    file: UploadFile = File(..., description="A product photo (JPEG, PNG or WebP)"),
    crop: bool = Query(False, description="Crop to the product's box"),
    services: Services = Depends(get_services),
) -> Response:
    limits = _limits(services)
    data = await read_upload_bytes(file, max_bytes=limits[0])
    png = await run_isolated(cutout_png, data, limits, crop)
    return Response(png, media_type="image/png", headers=PRIVATE)


@api.post(
    "/products",
    status_code=201,
    summary="Upload a product photo: cut-out, analysis and studio brief, answered inline",
    responses={413: {}, 422: {"description": "Not an image, or no_object"}},
)
async def create_product(
    request: Request,
    file: UploadFile = File(..., description="A product photo (JPEG, PNG or WebP)"),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    limits = _limits(services)
    data = await read_upload_bytes(file, max_bytes=limits[0])
    prepared = await run_isolated(prepare_product, data, limits)
    del data
    out = await run_in_threadpool(
        backdrop.create_product, identity.user_id, prepared, file.filename or ""
    )
    lang = negotiate(request).lang
    return localize_product(_with_lang(out, lang), lang)


def _with_lang(product: dict, lang: str) -> dict:
    text = product["brief"].get("text")
    if isinstance(text, dict):
        product["brief"]["text"] = text.get(lang) or text.get("en", "")
    return product


@api.get("/products", summary="Your products, newest first")
def list_products(
    request: Request,
    limit: int = Query(50, ge=1, le=200),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> list[dict]:
    lang = negotiate(request).lang
    return [
        localize_product(_with_lang(p, lang), lang)
        for p in backdrop.list_products(identity.user_id, limit)
    ]


@api.get("/products/{product_id}", summary="A product: matte, analysis, brief and URLs")
def get_product(
    request: Request,
    product_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    lang = negotiate(request).lang
    return localize_product(
        _with_lang(backdrop.get_product(identity.user_id, product_id), lang), lang
    )


def _blob_route(which: str, summary: str) -> None:
    @api.get(
        f"/products/{{product_id}}/{which}",
        response_class=Response,
        summary=summary,
        name=f"product_{which}",
    )
    def blob(
        product_id: str,
        identity: Identity = Depends(current_identity),
        backdrop: BackdropService = Depends(backdrop_service),
    ) -> Response:
        data = backdrop.product_blob(identity.user_id, product_id, which)
        return Response(data, media_type="image/png", headers=PRIVATE)


_blob_route("photo", "The working photo (PNG, ≤ 2048 px)")
_blob_route("cutout", "The cut-out: decontaminated RGB + the matte's alpha (RGBA PNG, photo-sized)")


@api.get(
    "/products/{product_id}/mask",
    response_class=Response,
    summary="The matte's alpha (PNG, white = product), what the brush starts from",
)
def get_mask(
    product_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    data = backdrop.product_blob(identity.user_id, product_id, "mask")
    return Response(data, media_type="image/png", headers=PRIVATE)


@api.put(
    "/products/{product_id}/mask",
    summary="Replace the mask (a brush edit): refined at the edge, new analysis and brief",
    responses={
        404: {},
        422: {"description": "empty_mask, mask_size_mismatch, not an image, no_object"},
    },
)
async def put_mask(
    request: Request,
    product_id: str,
    file: UploadFile = File(..., description="PNG mask of the photo's size; white = product"),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    limits = _limits(services)
    data = await read_upload_bytes(file, max_bytes=limits[0])
    photo, size = await run_in_threadpool(backdrop.mask_inputs, identity.user_id, product_id)
    prepared = await run_isolated(remask_product, photo, data, size, limits)
    out = await run_in_threadpool(backdrop.update_mask, identity.user_id, product_id, prepared)
    lang = negotiate(request).lang
    return localize_product(_with_lang(out, lang), lang)


@api.delete(
    "/products/{product_id}",
    status_code=204,
    response_class=Response,
    summary="Delete the product, its renders, their jobs and everything they stored",
)
def delete_product(
    product_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    backdrop.delete_product(identity.user_id, product_id)
    return Response(status_code=204)


@api.get(
    "/products/{product_id}/suggestions",
    summary="The top-k backgrounds for the product's brief, each with its score and parts",
)
def suggestions(
    request: Request,
    product_id: str,
    k: int = Query(8, ge=1, le=MAX_SUGGESTIONS),
    kind: list[Literal[ASSET_KINDS]] | None = Query(None, description="Only these kinds"),  # type: ignore[valid-type]
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    lang = negotiate(request).lang
    items = backdrop.suggestions(identity.user_id, product_id, k=k, kinds=kind, lang=lang)
    return {"items": items}


# ---- backgrounds and presets ---------------------------------------------------------------------


@api.get("/assets", summary="The background library: starter set, your imports and generations")
def list_assets(
    request: Request,
    kind: Literal[ASSET_KINDS] | None = Query(None),  # type: ignore[valid-type]
    source: Literal["starter", "import", "generated"] | None = Query(None),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> list[dict]:
    return backdrop.assets(identity.user_id, kind=kind, source=source, lang=negotiate(request).lang)


@api.post(
    "/assets",
    status_code=201,
    summary="Add your own background (auto-described); it is yours only",
    responses={413: {}, 422: {"description": "Not an image"}},
)
async def add_asset(
    request: Request,
    file: UploadFile = File(..., description="A background image (JPEG, PNG or WebP)"),
    name: str | None = Form(None, max_length=120),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    limits = _limits(services)
    data = await read_upload_bytes(file, max_bytes=limits[0])
    rgb = await run_isolated(decode_background, data, limits)
    del data
    return await run_in_threadpool(
        lambda: backdrop.add_asset(identity.user_id, rgb, name=name, lang=negotiate(request).lang)
    )


@api.get("/assets/{asset_id}", summary="One background")
def get_asset(
    request: Request,
    asset_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    return backdrop.asset(identity.user_id, asset_id, negotiate(request).lang)


@api.get("/assets/{asset_id}/thumbnail", response_class=Response, summary="Thumbnail (JPEG)")
def asset_thumbnail(
    asset_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    data = backdrop.asset_blob(identity.user_id, asset_id, thumbnail=True)
    return Response(data, media_type=_media(data), headers=ASSET_CACHE)


@api.get("/assets/{asset_id}/image", response_class=Response, summary="Full-size image")
def asset_image(
    asset_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    data = backdrop.asset_blob(identity.user_id, asset_id, thumbnail=False)
    return Response(data, media_type=_media(data), headers=ASSET_CACHE)


def _media(data: bytes) -> str:
    return "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"


@api.delete(
    "/assets/{asset_id}",
    status_code=204,
    response_class=Response,
    summary="Delete one of your backgrounds (starter ones: 403)",
)
def delete_asset(
    asset_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    backdrop.delete_asset(identity.user_id, asset_id)
    return Response(status_code=204)


@api.get("/presets", summary="Output formats and their marketplace rules")
def presets() -> list[dict]:
    return BackdropService.presets()


# ---- renders, batches, generated backgrounds (jobs) ---------------------------------------------


class LightingIn(BaseModel):
    model_config = {"extra": "forbid"}

    style: Literal["soft", "hard", "rim", "high_key", "low_key"] = "soft"
    azimuth_deg: float = Field(135.0, ge=0, le=360)
    elevation_deg: float = Field(50.0, ge=0, le=90)
    shadow_strength: float = Field(0.55, ge=0, le=1)
    reflection: bool = False


class RenderIn(BaseModel):
    product_id: str = Field(..., min_length=1, max_length=32)
    asset_ids: list[str] = Field(..., min_length=1, max_length=MAX_RENDER_ASSETS)
    preset: str | None = Field(None, max_length=40)
    lighting: LightingIn | None = None  # default: the product brief's
    autofix: bool = True


@api.post(
    "/renders",
    status_code=202,
    summary="Composite the product on the chosen backgrounds (a job: backdrop.render)",
    responses={
        404: {"description": "Unknown product"},
        422: {"description": "unknown_asset, unknown_preset, bad parameters"},
        429: {},
    },
)
def submit_render(
    body: RenderIn,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    return backdrop.submit_render(
        identity.user_id,
        body.product_id,
        body.asset_ids,
        preset=body.preset,
        lighting=body.lighting.model_dump() if body.lighting else None,
        autofix=body.autofix,
    )


@api.post(
    "/batches",
    status_code=202,
    summary=f"Many product photos (≤ {MAX_BATCH_PHOTOS}) or one zip → renders zip (backdrop.batch)",
    responses={
        413: {"description": "batch_too_many_files, batch_too_large, file_too_large"},
        422: {"description": "batch_empty, batch_no_images, bad_zip, zip_bomb, unknown_preset"},
        429: {},
    },
)
async def submit_batch(
    files: list[UploadFile] = File(..., description="Photos (JPEG, PNG, WebP) or one .zip"),
    k: int = Form(DEFAULT_BATCH_K, ge=1, le=MAX_BATCH_K),
    preset: str | None = Form(None, max_length=40),
    services: Services = Depends(get_services),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    max_bytes = _limits(services)[0]
    check_count(len(files))  # before reading any: 413 batch_too_many_files
    got = [(f.filename or "photo", await read_upload_bytes(f, max_bytes=max_bytes)) for f in files]
    inputs = await run_in_threadpool(batch_inputs, got, max_bytes)
    del got
    return await run_in_threadpool(
        lambda: backdrop.submit_batch(identity.user_id, inputs, k=k, preset=preset or None)
    )


class GenerateIn(BaseModel):
    product_id: str = Field(..., min_length=1, max_length=32)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    steps: int = Field(4, ge=1, le=50)
    width: int = Field(1024, ge=64, le=2048, multiple_of=8)
    height: int = Field(1024, ge=64, le=2048, multiple_of=8)


@api.post(
    "/generate",
    status_code=202,
    summary="Paint a new background from the product's brief (GPU: backdrop.generate_background)",
    responses={404: {}, 503: {"description": "model_unavailable: no txt2img model installed"}},
)
def generate(
    body: GenerateIn,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    return backdrop.submit_generate(
        identity.user_id,
        body.product_id,
        seed=body.seed,
        steps=body.steps,
        size=(body.width, body.height),
    )


@api.get("/runs", summary="Your renders, batches and generations, newest first")
def list_runs(
    kind: Literal["render", "batch", "generate"] | None = Query(None),
    limit: int = Query(50, ge=1, le=200),
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> list[dict]:
    return backdrop.list_runs(identity.user_id, kind=kind, limit=limit)


@api.get("/runs/{run_id}", summary="A run: status, progress and, when done, its renders")
def get_run(
    request: Request,
    run_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> dict:
    return backdrop.get_run(identity.user_id, run_id, negotiate(request).lang)


@api.get(
    "/runs/{run_id}/files/{name:path}",
    response_class=Response,
    summary="A finished run's file: render-01.jpg …, renders.zip, contact-sheet.jpg",
    responses={409: {"description": "not_finished"}},
)
def run_file(
    run_id: str,
    name: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    data, ctype = backdrop.run_file(identity.user_id, run_id, name)
    headers = dict(PRIVATE)
    if ctype == "application/zip":
        headers["Content-Disposition"] = f'attachment; filename="backdrop-{run_id[:8]}.zip"'
    return Response(data, media_type=ctype, headers=headers)


@api.delete(
    "/runs/{run_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a run, its job and its files",
)
def delete_run(
    run_id: str,
    identity: Identity = Depends(current_identity),
    backdrop: BackdropService = Depends(backdrop_service),
) -> Response:
    backdrop.delete_run(identity.user_id, run_id)
    return Response(status_code=204)


router.include_router(api)
