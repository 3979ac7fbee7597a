"""Naver Shopping search API client (https://developers.naver.com/docs/serviceapi/search/shopping/).

`GET {base_url}/v1/search/shop.json` with headers `X-Naver-Client-Id` and
`X-Naver-Client-Secret`, params `query`, `display` (1–100), `start` (1–1000) and `sort`
(sim | date | asc | dsc). The answer holds `items[]` with `title` (matches wrapped in `<b>`),
`link`, `image`, `lprice`, `hprice` (strings, "" when absent), `mallName`, `productId`, `brand`,
`maker` and `category1`–`category4`.

Timeouts on every request; retries with exponential backoff on 429, 5xx, timeouts and
connection errors (a Retry-After header is honoured up to a cap); no retry on other 4xx;
an in-memory TTL + LRU cache of answers; failures raise `ProviderError` subclasses.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from pixelsmith.core.catalog.providers import (
    ProviderAuthFailed,
    ProviderBadRequest,
    ProviderBadResponse,
    ProviderItem,
    ProviderRateLimited,
    ProviderUnavailable,
    ShoppingProvider,
)
from pixelsmith.core.errors import ApiError

log = logging.getLogger("pixelsmith.catalog.naver")

SEARCH_PATH = "/v1/search/shop.json"
SORTS = ("sim", "date", "asc", "dsc")
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class SearchPage:
    total: int
    start: int
    display: int
    items: list[ProviderItem]


class TTLCache:
    """A thread-safe LRU cache whose entries expire `ttl` seconds after they were stored."""

    def __init__(self, ttl: float, size: int) -> None:
        self.ttl = ttl
        self.size = size
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None or entry[0] <= time.monotonic():
                if entry is not None:
                    del self._data[key]
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry[1]

    def set(self, key: Any, value: Any) -> None:
        if self.ttl <= 0 or self.size <= 0:
            return
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def clean_title(title: str) -> str:
    """`"나이키 <b>CW2288-111</b> &amp; more"` → `"나이키 CW2288-111 & more"`."""
    return " ".join(html.unescape(_TAGS.sub("", title)).split())


def parse_price(value: Any) -> int | None:
    """Naver prices are strings of digits; "" (no price) and anything odd give None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if text.isdigit():
            return int(text)
    return None


def parse_item(raw: Any) -> ProviderItem:
    if not isinstance(raw, dict):
        raise ProviderBadResponse(
            "Naver Shopping sent an item that is not an object.",
            details={"item": str(raw)[:200]},
        )

    def text(key: str) -> str:
        value = raw.get(key)
        return "" if value is None else str(value)

    return ProviderItem(
        title=clean_title(text("title")),
        link=text("link"),
        image=text("image"),
        lprice=parse_price(raw.get("lprice")),
        hprice=parse_price(raw.get("hprice")),
        mall_name=text("mallName"),
        product_id=text("productId"),
        brand=text("brand"),
        maker=text("maker"),
        categories=[text(f"category{i}") for i in range(1, 5) if text(f"category{i}")],
    )


def parse_search(data: Any) -> SearchPage:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ProviderBadResponse(
            "Naver Shopping answered without an items list; the API may have changed.",
            details={"keys": sorted(data)[:20] if isinstance(data, dict) else type(data).__name__},
        )
    items = [parse_item(raw) for raw in data["items"]]

    def number(key: str, default: int) -> int:
        value = data.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    return SearchPage(
        total=number("total", len(items)),
        start=number("start", 1),
        display=number("display", len(items)),
        items=items,
    )


class NaverShoppingClient(ShoppingProvider):
    name = "naver"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = "https://openapi.naver.com",
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        cache_ttl: float = 600,
        cache_size: int = 512,
        retry_after_cap: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client_id = client_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.retry_after_cap = retry_after_cap
        self.cache = TTLCache(cache_ttl, cache_size)
        self.requests_sent = 0  # HTTP requests, retries included
        self._count_lock = threading.Lock()
        self._has_keys = bool(client_id and client_secret)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            headers={
                "X-Naver-Client-Id": client_id,
                "X-Naver-Client-Secret": client_secret,
                "Accept": "application/json",
            },
            transport=transport,
            follow_redirects=False,
        )

    @property
    def enabled(self) -> bool:
        return self._has_keys

    def close(self) -> None:
        self._http.close()

    def search(self, query: str, *, display: int = 10) -> list[ProviderItem]:
        return self.search_page(query, display=display).items

    def search_page(
        self, query: str, *, display: int = 10, start: int = 1, sort: str = "sim"
    ) -> SearchPage:
        query = " ".join((query or "").split())
        if not query:
            raise ApiError("The search query is empty.", code="invalid_request", status_code=422)
        if not 1 <= display <= 100:
            raise ApiError("display must be 1–100.", code="invalid_request", status_code=422)
        if not 1 <= start <= 1000:
            raise ApiError("start must be 1–1000.", code="invalid_request", status_code=422)
        if sort not in SORTS:
            raise ApiError(
                f"sort must be one of {', '.join(SORTS)}.", code="invalid_request", status_code=422
            )
        key = (query, display, start, sort)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        page = self._fetch({"query": query, "display": display, "start": start, "sort": sort})
        self.cache.set(key, page)
        return page

    # -- HTTP ---------------------------------------------------------------------------

    def _fetch(self, params: dict[str, Any]) -> SearchPage:
        tries = self.retries + 1
        failure: tuple[str, str, float | None] = ("unavailable", "", None)  # kind, detail, wait
        for attempt in range(tries):
            wait: float | None = None
            try:
                with self._count_lock:
                    self.requests_sent += 1
                resp = self._http.get(SEARCH_PATH, params=params)
            except httpx.TimeoutException:
                failure = ("timeout", f"no answer within {self.timeout:g} s", None)
            except httpx.TransportError as exc:
                failure = ("unavailable", f"connection failed ({type(exc).__name__})", None)
            else:
                status = resp.status_code
                if status == 200:
                    return self._parse(resp)
                upstream = _upstream_error(resp)
                if status in (401, 403):
                    raise self._auth_error(status, upstream)
                if status == 429 or status >= 500:
                    wait = _retry_after(resp)
                    kind = "rate_limited" if status == 429 else "unavailable"
                    failure = (kind, f"HTTP {status}{_describe(upstream)}", wait)
                else:
                    raise ProviderBadRequest(
                        f"Naver Shopping refused the search (HTTP {status}{_describe(upstream)}).",
                        details={"status": status, **upstream},
                    )
            if attempt + 1 < tries:
                delay = self.backoff * 2**attempt
                if wait is not None:
                    delay = max(delay, min(wait, self.retry_after_cap))
                log.warning(
                    "naver search failed, retrying",
                    extra={"attempt": attempt + 1, "reason": failure[1], "delay_s": delay},
                )
                time.sleep(delay)
        raise self._final_error(*failure, tries=tries)

    def _parse(self, resp: httpx.Response) -> SearchPage:
        try:
            data = resp.json()
        except ValueError:
            raise ProviderBadResponse(
                "Naver Shopping sent an answer that is not valid JSON.",
                details={
                    "content_type": resp.headers.get("content-type", ""),
                    "start": resp.text[:120],
                },
            ) from None
        return parse_search(data)

    def _auth_error(self, status: int, upstream: dict[str, str]) -> ProviderAuthFailed:
        if status == 401:
            why = "rejected the API keys"
            hint = (
                "check PIXELSMITH_NAVER_CLIENT_ID/SECRET: they must be the Client ID and Client "
                "Secret of your application at developers.naver.com"
            )
        else:
            why = "refused access"
            hint = (
                "check PIXELSMITH_NAVER_CLIENT_ID/SECRET and that the application has the "
                "Search API enabled at developers.naver.com"
            )
        return ProviderAuthFailed(
            f"Naver Shopping {why} (HTTP {status}{_describe(upstream)}): {hint}.",
            details={"status": status, **upstream},
        )

    def _final_error(self, kind: str, detail: str, wait: float | None, *, tries: int):
        after = f"after {tries} tr{'y' if tries == 1 else 'ies'}"
        if kind == "rate_limited":
            retry = int(wait) + 1 if wait else 1
            return ProviderRateLimited(
                f"Naver Shopping is rate-limiting this application ({detail}, {after}); "
                "try again shortly, or raise the daily quota at developers.naver.com.",
                details={"tries": tries},
                headers={"Retry-After": str(retry)},
            )
        if kind == "timeout":
            return ProviderUnavailable(
                f"Naver Shopping did not answer in time ({detail}, {after}); try again later.",
                status_code=504,
                details={"tries": tries, "timeout_s": self.timeout},
            )
        return ProviderUnavailable(
            f"Naver Shopping is unavailable ({detail or 'no answer'}, {after}); try again later.",
            details={"tries": tries},
        )


def _upstream_error(resp: httpx.Response) -> dict[str, str]:
    """Naver's error body: {"errorMessage": "...", "errorCode": "024"}."""
    try:
        data = resp.json()
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    out = {}
    if data.get("errorCode"):
        out["upstream_code"] = str(data["errorCode"])[:20]
    if data.get("errorMessage"):
        out["upstream_message"] = str(data["errorMessage"])[:200]
    return out


def _describe(upstream: dict[str, str]) -> str:
    parts = []
    if "upstream_code" in upstream:
        parts.append(f"errorCode {upstream['upstream_code']}")
    if "upstream_message" in upstream:
        parts.append(upstream["upstream_message"])
    return f", {': '.join(parts)}" if parts else ""


def _retry_after(resp: httpx.Response) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), or None."""
    value = resp.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())
