"""Backdrop Studio rows: a user's products (photo, matte, analysis, brief) and the runs made of
them (render sets, batches, generated backgrounds), plus the stored dicts back as the
pipeline's types.

Every row belongs to one user (the anonymous identity until accounts land): every query
filters on `user_id`; deleting a product deletes its runs, their jobs and every blob they
stored. A run's results live in its job (artifacts + result); the row keeps what the API
needs to find them again and what it stored for the job's inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow

from .types import (
    Asset,
    Box,
    Brief,
    Colour,
    Lighting,
    ProductAnalysis,
)

RUN_KINDS = ("render", "batch", "generate")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class BackdropProduct(Base):
    __tablename__ = "backdrop_products"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    name: Mapped[str] = mapped_column(String(200), default="")  # the upload's file name
    photo_key: Mapped[str] = mapped_column(String(80))  # working photo (≤ 2048 px), PNG
    rgba_key: Mapped[str] = mapped_column(String(80))  # decontaminated cut-out, photo-sized PNG
    alpha_key: Mapped[str] = mapped_column(String(80))  # the matte's alpha, PNG (L)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    matte: Mapped[dict[str, Any]] = mapped_column(JSON)  # Matte.to_dict()
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)  # ProductAnalysis.to_dict()
    brief: Mapped[dict[str, Any]] = mapped_column(JSON)  # Brief.to_dict() (text per language)
    mask_edited: Mapped[int] = mapped_column(Integer, default=0)  # brush edits so far
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)

    def keys(self) -> set[str]:
        return {self.photo_key, self.rgba_key, self.alpha_key}

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        base = f"/api/v1/backdrop/products/{self.id}"
        brief = dict(self.brief)
        if lang is not None:
            text = brief.get("text") or {}
            brief["text"] = text.get(lang) or text.get("en", "")
        return {
            "id": self.id,
            "name": self.name,
            "created_at": _iso(self.created_at),
            "width": self.width,
            "height": self.height,
            "matte": self.matte,
            "analysis": self.analysis,
            "brief": brief,
            "mask_edited": self.mask_edited,
            "elapsed_ms": round(self.elapsed_ms or 0.0, 1),
            "urls": {
                "photo": f"{base}/photo",
                "cutout": f"{base}/cutout",
                "mask": f"{base}/mask",
                "suggestions": f"{base}/suggestions",
            },
        }


class BackdropRun(Base):
    """A job the user started: `render` (one product on chosen backgrounds), `batch` (many
    photos → a zip) or `generate` (a background painted from a brief on the GPU)."""

    __tablename__ = "backdrop_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of RUN_KINDS
    product_id: Mapped[str | None] = mapped_column(
        String(32),
        ForeignKey("backdrop_products.id", ondelete="CASCADE"),
        index=True,
        nullable=True,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    job_id: Mapped[str] = mapped_column(String(32))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)  # what was asked (for the answer)
    input_keys: Mapped[list[str]] = mapped_column(JSON, default=list)  # blobs stored for the job
    # Filled when the job is first seen succeeded (e.g. the generated background's asset id).
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


# ---- stored dicts → the pipeline's types ---------------------------------------------------------


def analysis_from_dict(d: dict[str, Any]) -> ProductAnalysis:
    return ProductAnalysis(
        category=d["category"],
        labels=[(x["label"], float(x["p"])) for x in d.get("labels", [])],
        colours=[Colour(c["hex"], c["name"], float(c["share"])) for c in d.get("colours", [])],
        brightness=float(d["brightness"]),
        materials={k: float(v) for k, v in (d.get("materials") or {}).items()},
        aspect=float(d["aspect"]),
        orientation=d["orientation"],
        elapsed_ms=float(d.get("elapsed_ms", 0.0)),
    )


def lighting_from_dict(d: dict[str, Any] | None) -> Lighting:
    if not d:
        return Lighting()
    fields = Lighting.__dataclass_fields__
    return Lighting(**{k: v for k, v in d.items() if k in fields})


def brief_from_dict(d: dict[str, Any]) -> Brief:
    text = d.get("text")
    return Brief(
        lighting=lighting_from_dict(d.get("lighting")),
        mood=d["mood"],
        colour_scheme=d["colour_scheme"],
        palette=list(d.get("palette") or []),
        props=list(d.get("props") or []),
        background=list(d.get("background") or []),
        query=d.get("query", ""),
        text=dict(text) if isinstance(text, dict) else {"en": text or ""},
        elapsed_ms=float(d.get("elapsed_ms", 0.0)),
    )


def asset_from_dict(d: dict[str, Any]) -> Asset:
    fields = Asset.__dataclass_fields__
    kw = {k: v for k, v in d.items() if k in fields}
    podium = kw.get("podium")
    kw["podium"] = Box(**podium) if isinstance(podium, dict) else None
    return Asset(**kw)
