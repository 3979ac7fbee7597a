"""Product lookup by code: the local catalog first, then the online provider.

1. An exact match in the catalog (imported or demo rows) answers at once: `source="local"`.
2. Otherwise, with a provider enabled, the provider is searched with the code. The cheapest
   offer whose title carries the code (else the cheapest offer) becomes a product card, stored
   in the catalog with `source="naver"` so the next look-up is local for `NAVER_MAX_AGE`.
3. Provider failures never fail the lookup: the local results (maybe empty) come back with
   `provider_error` set to a clear message. Without a provider, `message` says how to turn
   online lookup on.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pixelsmith.core.catalog.models import normalize_code
from pixelsmith.core.catalog.providers import ProviderItem, ShoppingProvider
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.errors import ApiError

log = logging.getLogger("pixelsmith.catalog.lookup")

PROVIDER_OFF_MESSAGE = (
    "Online lookup is off: set PIXELSMITH_NAVER_CLIENT_ID and PIXELSMITH_NAVER_CLIENT_SECRET "
    "to search Naver Shopping."
)
NAVER_MAX_AGE = timedelta(hours=24)  # a stored Naver card is re-checked online after this
MAX_OFFERS = 5


@dataclass
class LookupResult:
    code: str
    code_norm: str
    source: Literal["local", "naver", "none"]  # where products[0] came from
    products: list[dict[str, Any]]  # product dicts (CatalogService), best first, with `match`
    provider_enabled: bool
    provider: str | None = None  # the provider's name when one is configured
    message: str | None = None  # for the user: online lookup off, nothing found, …
    provider_error: dict[str, str] | None = None  # {"code", "message"} when the provider failed
    offers: list[dict[str, Any]] = field(default_factory=list)  # provider items, cheapest first

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def lookup_product(
    code: str,
    *,
    catalog: CatalogService,
    provider: ShoppingProvider | None = None,
    limit: int = 10,
) -> LookupResult:
    norm = normalize_code(code)
    if not norm:
        raise ApiError(
            "The product code has no letters or digits.", code="invalid_code", status_code=422
        )
    code = " ".join(code.split())
    enabled = bool(provider is not None and provider.enabled)
    name = provider.name if provider is not None else None
    local = catalog.find_by_code(code, limit=limit)
    exact = [p for p in local if p["match"] == "exact"]

    def result(products: list[dict[str, Any]], **kw: Any) -> LookupResult:
        if not enabled:
            kw.setdefault("message", PROVIDER_OFF_MESSAGE)
        return LookupResult(
            code=code,
            code_norm=norm,
            source=_source_of(products),
            products=products[:limit],
            provider_enabled=enabled,
            provider=name,
            **kw,
        )

    if any(p["source"] != "naver" for p in exact) or any(_fresh(p) for p in exact):
        return result(local)
    if not enabled:
        return result(local)

    try:
        items = provider.search(code, display=20)
    except ApiError as exc:
        log.warning("provider lookup failed", extra={"provider": name, "code": exc.code})
        return result(local, provider_error={"code": exc.code, "message": exc.message})
    except Exception:  # lookup never fails because of the provider
        log.exception("provider lookup crashed", extra={"provider": name})
        return result(
            local,
            provider_error={
                "code": "provider_error",
                "message": "The online lookup failed unexpectedly; showing local results only.",
            },
        )

    offers = sorted(items, key=lambda i: (i.lprice is None, i.lprice or 0))
    best = pick_best(items, norm)
    if best is None:
        return result(local, message=f"Naver Shopping has no product for {code}.")
    card = catalog.upsert(card_row(best, code), source="naver")
    card["match"] = "exact" if norm in normalize_code(best.title) else "search"
    products = [card, *(p for p in local if p["id"] != card["id"])]
    return result(products, offers=[i.to_dict() for i in offers[:MAX_OFFERS]])


@dataclass
class ShopLink:
    """Where to buy a catalog product."""

    url: str
    source: Literal["provider", "catalog", "none"]
    provider: str | None = None  # e.g. "naver" when source is "provider"
    price: int | None = None  # the provider's lowest price (KRW) for the offer
    mall: str = ""
    error: dict[str, str] | None = None  # {"code", "message"} when the provider failed


def shop_link(product: dict[str, Any], provider: ShoppingProvider | None = None) -> ShopLink:
    """The shop link for a catalog product: with an enabled provider, its offer for the
    product (searched by name, with the brand for non-demo rows; an offer naming the product's
    code first, else the provider's best match); else, or when the provider fails or finds
    nothing, the product's own shop_url. Answers are cached by the provider client."""
    own = ShopLink(product.get("shop_url") or "", "catalog" if product.get("shop_url") else "none")
    if provider is None or not provider.enabled:
        return own
    name = " ".join((product.get("name") or "").split())
    brand = "" if product.get("is_demo") else (product.get("brand") or "")
    query = f"{brand} {name}".strip()[:100]
    if not query:
        return own
    try:
        items = provider.search(query, display=10)
    except ApiError as exc:
        log.warning("provider shop link failed", extra={"provider": provider.name})
        own.error = {"code": exc.code, "message": exc.message}
        return own
    except Exception:  # a shop link never fails because of the provider
        log.exception("provider shop link crashed", extra={"provider": provider.name})
        own.error = {"code": "provider_error", "message": "The online lookup failed."}
        return own
    norm = normalize_code(product.get("code") or "")
    naming = [i for i in items if i.link and norm and norm in normalize_code(i.title)]
    best = (
        min(naming, key=lambda i: i.lprice or 0)
        if naming
        else next((i for i in items if i.link), None)
    )
    if best is None:
        return own
    return ShopLink(best.link, "provider", provider.name, best.lprice, best.mall_name)


def pick_best(items: list[ProviderItem], code_norm: str) -> ProviderItem | None:
    """The cheapest item whose title carries the code; else the cheapest; else the first."""
    if not items:
        return None
    priced = [i for i in items if i.lprice]
    naming = [i for i in priced if code_norm in normalize_code(i.title)]
    pool = naming or priced
    if not pool:
        return items[0]
    return min(pool, key=lambda i: i.lprice or 0)


def card_row(item: ProviderItem, code: str) -> dict[str, Any]:
    """A catalog row (source "naver") for a provider item found by `code`."""
    return {
        "code": code[:64],
        "name": item.title[:200] or code,
        "brand": (item.brand or item.maker)[:80],
        "category": (item.categories[-1] if item.categories else "")[:60],
        "price": item.lprice,
        "currency": "KRW",
        "image_url": item.image[:1000],
        "shop_url": item.link[:1000],
        "mall": item.mall_name[:120],
        "external_id": item.product_id[:64],
        "tags": [c[:40] for c in item.categories],
        "colours": [],
    }


def _source_of(products: list[dict[str, Any]]) -> Literal["local", "naver", "none"]:
    if not products:
        return "none"
    return "naver" if products[0]["source"] == "naver" else "local"


def _fresh(product: dict[str, Any]) -> bool:
    if product["source"] != "naver" or not product.get("updated_at"):
        return False
    when = datetime.fromisoformat(product["updated_at"])
    if when.tzinfo is None:  # SQLite hands back naive UTC
        when = when.replace(tzinfo=UTC)
    return datetime.now(UTC) - when < NAVER_MAX_AGE
