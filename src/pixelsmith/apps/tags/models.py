"""Tag Scanner rows: every scan keeps its crop, the first guess and the confirmed label."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow


class TagScan(Base):
    __tablename__ = "tag_scans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    image_key: Mapped[str] = mapped_column(String(80))
    crop_key: Mapped[str] = mapped_column(String(80))
    crop_box: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    first_guess: Mapped[str] = mapped_column(String(64), default="")
    first_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    confirmed_label: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    corrected: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    recognize_ms: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "image_url": f"/api/v1/blobs/{self.image_key}",
            "crop_url": f"/api/v1/blobs/{self.crop_key}",
            "crop_box": self.crop_box,
            "code": self.first_guess,
            "confidence": round(self.first_confidence, 4),
            "alternatives": self.alternatives,
            "confirmed_label": self.confirmed_label,
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "corrected": self.corrected,
            "recognize_ms": self.recognize_ms,
        }
