"""The product table shared by the apps (schema: migrations/versions/0002_catalog.py).

Prices are integers in the currency's minor unit (ISO 4217 exponent): KRW has none, so
`price=139000, currency="KRW"` is ₩139,000; `price=11999, currency="USD"` is $119.99;
`price=1250, currency="BHD"` is 1.250 BHD (the dinar has 1000 fils).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow

SOURCES = ("import", "naver", "demo")  # also the preference order when codes collide
DEMO_NOTICE = "Demo catalog item: sample data, not a live listing."

# Digits after the decimal point (ISO 4217 minor unit) where it is not 2; every other code has
# 2. From the ISO 4217 list one; no pinned package carries the table (Babel does, at 30 MB).
_MINOR_DIGITS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}
_SYMBOLS = {"KRW": "₩", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_NON_CODE = re.compile(r"[^A-Z0-9]")


def normalize_code(code: str) -> str:
    """The form codes are matched on: NFKC, uppercase, letters and digits only.

    `"cw2288-111"`, `"CW2288 111"` and `"ＣＷ２２８８－１１１"` all give `"CW2288111"`.
    """
    return _NON_CODE.sub("", unicodedata.normalize("NFKC", code or "").upper())


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS.get(currency.upper(), 2)


def format_price(price: int | None, currency: str) -> str | None:
    """`format_price(139000, "KRW") == "₩139,000"`, `format_price(11999, "USD") == "$119.99"`,
    `format_price(1250, "BHD") == "1.250 BHD"`."""
    if price is None:
        return None
    digits = minor_digits(currency)
    amount = f"{Decimal(price).scaleb(-digits):,.{digits}f}"  # exact: no float rounding
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("code_norm", "source", name="uq_products_code_source"),
        Index(
            "ix_products_code_norm", "code_norm", postgresql_ops={"code_norm": "text_pattern_ops"}
        ),
        Index(
            "ix_products_code_norm_rev",
            "code_norm_rev",
            postgresql_ops={"code_norm_rev": "text_pattern_ops"},
        ),
        Index("ix_products_source", "source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    brand: Mapped[str] = mapped_column(String(80), default="")
    code: Mapped[str] = mapped_column(String(64))  # as printed: "CW2288-111", "343938 013"
    code_norm: Mapped[str] = mapped_column(String(64))  # normalize_code(code)
    code_norm_rev: Mapped[str] = mapped_column(String(64))  # reversed, for suffix look-ups
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(60), default="")
    price: Mapped[int | None] = mapped_column(Integer, nullable=True)  # minor units
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    shop_url: Mapped[str] = mapped_column(String(1000), default="")
    mall: Mapped[str] = mapped_column(String(120), default="")  # seller, e.g. a Naver mallName
    external_id: Mapped[str] = mapped_column(String(64), default="")  # e.g. a Naver productId
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    colours: Mapped[list[str]] = mapped_column(JSON, default=list)  # "#rrggbb"
    # Desk items (migrations/versions/0005): style names such as "wood_natural", the real
    # size the render scales the cut-out to, the cut-out (blob key of a transparent PNG) and
    # the prompt GPU inpainting paints the item from.
    styles: Mapped[list[str]] = mapped_column(JSON, default=list)
    width_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    cutout_key: Mapped[str] = mapped_column(String(80), default="")
    item_prompt: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(16), default="import")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def set_code(self, code: str) -> None:
        self.code = code.strip()
        self.code_norm = normalize_code(code)
        self.code_norm_rev = self.code_norm[::-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "brand": self.brand,
            "code": self.code,
            "code_norm": self.code_norm,
            "name": self.name,
            "category": self.category,
            "price": self.price,
            "currency": self.currency,
            "price_text": format_price(self.price, self.currency),
            "image_url": self.image_url,
            "shop_url": self.shop_url,
            "mall": self.mall,
            "external_id": self.external_id,
            "tags": list(self.tags or []),
            "colours": list(self.colours or []),
            "styles": list(self.styles or []),
            "width_cm": self.width_cm,
            "height_cm": self.height_cm,
            "cutout_key": self.cutout_key or "",
            "cutout_url": blob_url(self.cutout_key) if self.cutout_key else "",
            "item_prompt": self.item_prompt or "",
            "source": self.source,
            "is_demo": self.is_demo,
            "demo_notice": DEMO_NOTICE if self.is_demo else None,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }


def blob_url(key: str) -> str:
    """Where the web app serves a blob (core/web/uploads.py)."""
    return f"/api/v1/blobs/{key}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
