"""Desk Makeover rows: a user's desk photos (with their analysis) and the renders made of them.

Both belong to one user (the anonymous identity until accounts land): every query filters on
`user_id`, and deleting a photo deletes its renders and every blob they stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class DeskPhoto(Base):
    __tablename__ = "desk_photos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    photo_key: Mapped[str] = mapped_column(String(80))  # the working photo (≤ 1600 px), PNG/JPEG
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    gate: Mapped[dict[str, Any]] = mapped_column(JSON)
    analysis_job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    analysis_ms: Mapped[float | None] = mapped_column(Float, nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": _iso(self.created_at),
            "image_url": f"/api/v1/desk/photos/{self.id}/image",
            "width": self.width,
            "height": self.height,
            "gate": self.gate,
            "analysis_job_id": self.analysis_job_id,
            "analysis": self.analysis,
        }


class DeskRender(Base):
    __tablename__ = "desk_renders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    photo_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("desk_photos.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    job_id: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(8))  # "cpu" (composite) or "gpu" (inpainting)
    style: Mapped[str | None] = mapped_column(String(40), nullable=True)
    product_ids: Mapped[list[int]] = mapped_column(JSON)
    # Filled from the job's result when it succeeds: the render and each item's placement.
    render_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    blob_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # all it stored

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "photo_id": self.photo_id,
            "created_at": _iso(self.created_at),
            "job_id": self.job_id,
            "path": self.path,
            "style": self.style,
            "product_ids": self.product_ids,
            "image_url": f"/api/v1/desk/renders/{self.id}/image" if self.render_key else None,
            "items": self.items,
        }
