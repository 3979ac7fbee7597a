"""Online shopping providers behind one interface, and the errors they raise.

A provider searches a shopping service by text (a product code, usually) and returns
`ProviderItem`s. Failures are `ProviderError`s: clear messages, 502/503/504 statuses (an
upstream failure is never a 500 of ours).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pixelsmith.core.errors import ApiError

if TYPE_CHECKING:
    from pixelsmith.core.config import Settings

KEYS_HINT = "set PIXELSMITH_NAVER_CLIENT_ID and PIXELSMITH_NAVER_CLIENT_SECRET"


@dataclass(frozen=True)
class ProviderItem:
    title: str  # plain text (markup stripped, entities unescaped)
    link: str
    image: str
    lprice: int | None  # lowest price, KRW; None when the provider gives none
    hprice: int | None  # highest price, KRW; None when the provider gives none
    mall_name: str
    product_id: str
    brand: str = ""
    maker: str = ""
    categories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ShoppingProvider(ABC):
    """A shopping search service. Implementations must be safe to call from many threads."""

    name: str = "provider"

    @property
    def enabled(self) -> bool:
        return True

    @abstractmethod
    def search(self, query: str, *, display: int = 10) -> list[ProviderItem]:
        """Items for `query`, best matches first; [] when nothing matches.

        Raises ProviderError (auth failed, rate limited, unavailable, bad response)."""

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release connections."""


class ProviderError(ApiError):
    status_code = 502
    code = "provider_error"


class ProviderAuthFailed(ProviderError):
    status_code = 502
    code = "provider_auth_failed"


class ProviderRateLimited(ProviderError):
    status_code = 503
    code = "provider_rate_limited"


class ProviderUnavailable(ProviderError):
    status_code = 503  # 504 when it timed out
    code = "provider_unavailable"


class ProviderBadResponse(ProviderError):
    status_code = 502
    code = "provider_bad_response"


class ProviderBadRequest(ProviderError):
    status_code = 502
    code = "provider_bad_request"


def create_provider(settings: Settings) -> ShoppingProvider | None:
    """The Naver Shopping client when both keys are set, else None (lookup stays local)."""
    if not (settings.naver_client_id and settings.naver_client_secret):
        return None
    from pixelsmith.core.catalog.providers.naver import NaverShoppingClient

    return NaverShoppingClient(
        settings.naver_client_id,
        settings.naver_client_secret,
        base_url=settings.naver_base_url,
        timeout=settings.naver_timeout_s,
    )


__all__ = [
    "KEYS_HINT",
    "ProviderAuthFailed",
    "ProviderBadRequest",
    "ProviderBadResponse",
    "ProviderError",
    "ProviderItem",
    "ProviderRateLimited",
    "ProviderUnavailable",
    "ShoppingProvider",
    "create_provider",
]
