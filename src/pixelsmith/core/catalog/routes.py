"""REST API of the catalog: /api/v1/products."""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from pixelsmith.core.catalog.importer import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    import_bytes,
    import_zip,
)
from pixelsmith.core.catalog.item_images import ItemImages, item_images_from_settings
from pixelsmith.core.catalog.lookup import lookup_product
from pixelsmith.core.catalog.providers import ShoppingProvider, create_provider
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.config import get_settings
from pixelsmith.core.cpu import run_cpu
from pixelsmith.core.errors import ApiError, PayloadTooLarge

MAX_ZIP_IMPORT_BYTES = 200 * 1024 * 1024  # a catalog file and its item images

router = APIRouter(prefix="/api/v1", tags=["catalog"])


# -- dependencies -------------------------------------------------------------------------
# Services may carry `catalog` and `shopping`; without them the catalog is built on the
# services' database and the provider from its settings (once per app).


def get_catalog(request: Request) -> CatalogService:
    services = request.app.state.services
    catalog = getattr(services, "catalog", None)
    if catalog is not None:
        return catalog
    return CatalogService(services.db, getattr(services, "storage", None))


def get_shopping_provider(request: Request) -> ShoppingProvider | None:
    services = request.app.state.services
    if hasattr(services, "shopping"):
        return services.shopping
    state = request.app.state
    if not hasattr(state, "shopping_provider"):
        state.shopping_provider = create_provider(services.settings)
    return state.shopping_provider


# -- models ---------------------------------------------------------------------------------


class ProductOut(BaseModel):
    id: int
    brand: str
    code: str = Field(examples=["CW2288-111"])
    code_norm: str = Field(examples=["CW2288111"])
    name: str
    category: str
    price: int | None = Field(description="In the currency's minor unit (KRW: won)")
    currency: str = Field(examples=["KRW"])
    price_text: str | None = Field(examples=["₩139,000"])
    image_url: str
    shop_url: str
    mall: str
    external_id: str
    tags: list[str]
    colours: list[str]
    styles: list[str] = Field(description="Desk styles, e.g. wood_natural, dark_gaming")
    width_cm: float | None = Field(description="Real width of what the cut-out shows")
    height_cm: float | None = Field(description="Real height of what the cut-out shows")
    cutout_key: str = Field(description="Blob key of the transparent PNG cut-out, or ''")
    cutout_url: str = Field(examples=["/api/v1/blobs/<key>.png"])
    item_prompt: str = Field(description="What GPU inpainting paints for this item")
    source: Literal["import", "naver", "demo"]
    is_demo: bool
    demo_notice: str | None
    created_at: str | None
    updated_at: str | None
    match: Literal["exact", "prefix", "close", "search"] | None = Field(
        None, description="For code look-ups: how the code matched"
    )


class ProviderErrorOut(BaseModel):
    code: str
    message: str


class OfferOut(BaseModel):
    title: str
    link: str
    image: str
    lprice: int | None
    hprice: int | None
    mall_name: str
    product_id: str
    brand: str
    maker: str
    categories: list[str]


class ProductsOut(BaseModel):
    items: list[ProductOut]
    limit: int
    code: str | None = Field(None, description="The code looked up (code=)")
    code_norm: str | None = None
    q: str | None = Field(None, description="The search text (q=)")
    source: Literal["local", "naver", "none"] = Field(description="Where items[0] came from")
    provider: str | None = None
    provider_enabled: bool
    message: str | None = Field(None, description="For the user, e.g. 'Online lookup is off…'")
    provider_error: ProviderErrorOut | None = None
    offers: list[OfferOut] = Field(default_factory=list)


class RowErrorOut(BaseModel):
    row: int
    message: str


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    rows: int
    errors: list[RowErrorOut]
    error_count: int


# -- routes ---------------------------------------------------------------------------------


@router.get(
    "/products",
    response_model=ProductsOut,
    summary="Look up a product by code (local catalog, then Naver Shopping) or search by text",
    responses={422: {"description": "Neither or both of code and q, or an empty code"}},
)
def products(
    code: str | None = Query(None, max_length=64, description="Product code, e.g. CW2288-111"),
    q: str | None = Query(None, max_length=200, description="Words in name, brand, tags"),
    limit: int = Query(20, ge=1, le=100),
    catalog: CatalogService = Depends(get_catalog),
    provider: ShoppingProvider | None = Depends(get_shopping_provider),
) -> dict:
    code = code.strip() if code else None
    q = q.strip() if q else None
    enabled = bool(provider is not None and provider.enabled)
    if code and q:
        raise ApiError(
            "Give either code= (look up a product code) or q= (search), not both.",
            code="invalid_request",
            status_code=422,
        )
    if code:
        return _lookup(code, limit, catalog, provider)
    if q:
        items = catalog.search(q, limit=limit)
        return {
            "items": items,
            "limit": limit,
            "q": q,
            "source": "local" if items else "none",
            "provider": provider.name if provider is not None else None,
            "provider_enabled": enabled,
        }
    raise ApiError(
        "Give code= to look up a product code (e.g. ?code=CW2288-111) or q= to search by name, "
        "brand or tag (e.g. ?q=air force).",
        code="invalid_request",
        status_code=422,
    )


def _lookup(
    code: str, limit: int, catalog: CatalogService, provider: ShoppingProvider | None
) -> dict:
    result = lookup_product(code, catalog=catalog, provider=provider, limit=limit).to_dict()
    result["items"] = result.pop("products")
    result["limit"] = limit
    return result


@router.get(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="One product",
    responses={404: {"description": "No such product"}},
)
def product(
    product_id: int = Path(..., ge=1, le=2**31 - 1),
    catalog: CatalogService = Depends(get_catalog),
) -> dict:
    return catalog.get(product_id)


@router.post(
    "/products/import",
    response_model=ImportOut,
    summary="Import products from a CSV or JSON file, or a .zip of one with item images",
    responses={
        413: {"description": "File too large"},
        422: {"description": "Not CSV/JSON, not UTF-8, missing columns, or no valid row"},
    },
)
async def import_products(
    request: Request,
    file: UploadFile = File(
        ..., description="A .csv (UTF-8) or .json file, or a .zip of one with its images"
    ),
    fetch_images: bool = Query(
        False,
        description="Fetch rows' http(s) image_url and store cut-outs of them (desk items)",
    ),
    catalog: CatalogService = Depends(get_catalog),
) -> dict:
    name = file.filename or ""
    head = await file.read(4)
    await file.seek(0)
    # by name; by magic bytes only without a suffix (an .xlsx is a zip too, and is refused)
    suffix = PurePath(name).suffix.lower()
    is_zip = suffix == ".zip" or (not suffix and head == b"PK\x03\x04")
    images = _item_images(request, catalog, fetch_images) if is_zip or fetch_images else None
    if is_zip:
        size = file.size if file.size is not None else _spooled_size(file)
        if size > MAX_ZIP_IMPORT_BYTES:
            raise PayloadTooLarge(
                f"The zip is larger than {MAX_ZIP_IMPORT_BYTES // (1024 * 1024)} MB; split it.",
            )
        # the upload is already spooled to a temporary file: read the zip in place
        report = await run_cpu(import_zip, file.file, catalog, images=images)
    else:
        chunks: list[bytes] = []
        size = 0
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_IMPORT_BYTES:
                raise PayloadTooLarge(
                    f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it.",
                )
            chunks.append(chunk)
        data = b"".join(chunks)
        if images is None:
            report = await run_in_threadpool(import_bytes, data, name, catalog)
        else:  # cut-outs: CPU work, one per core at a time
            report = await run_cpu(import_bytes, data, name, catalog, images=images)
    if report.rows and report.error_count == report.rows:
        raise ImportFileError(
            f"No product could be imported: all {report.rows} row(s) have errors "
            f"(first: row {report.errors[0]['row']}: {report.errors[0]['message']}).",
            code="import_no_valid_rows",
            details=report.to_dict(),
        )
    return report.to_dict()


def _item_images(request: Request, catalog: CatalogService, fetch: bool) -> ItemImages:
    services = getattr(request.app.state, "services", None)
    settings = services.settings if services is not None else get_settings()
    storage = catalog.storage or getattr(services, "storage", None)
    if storage is None:
        raise ApiError(
            "Importing item images needs blob storage, and this server has none configured.",
            code="storage_unavailable",
            status_code=503,
        )
    return item_images_from_settings(settings, storage, fetch_urls=fetch)


def _spooled_size(file: UploadFile) -> int:
    f = file.file
    f.seek(0, 2)
    size = f.tell()
    f.seek(0)
    return size
