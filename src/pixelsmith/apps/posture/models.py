"""Posture Coach rows: live sessions (numbers only) and calibration baselines, per user.

No frame, image or landmark stream is ever stored: a session keeps its time in each state, its
alert count and frame counters; a baseline keeps the median features of its calibration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset (SQLite hands back naive UTC datetimes)."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class PostureSessionRecord(Base):
    __tablename__ = "posture_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    seconds_good: Mapped[float] = mapped_column(Float, default=0.0)
    seconds_warn: Mapped[float] = mapped_column(Float, default=0.0)
    seconds_bad: Mapped[float] = mapped_column(Float, default=0.0)
    seconds_away: Mapped[float] = mapped_column(Float, default=0.0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
    calibrations: Mapped[int] = mapped_column(Integer, default=0)
    baseline_id: Mapped[str | None] = mapped_column(String(32), nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "updated_at": _iso(self.updated_at),
            "seconds": {
                "good": round(self.seconds_good, 1),
                "warn": round(self.seconds_warn, 1),
                "bad": round(self.seconds_bad, 1),
                "away": round(self.seconds_away, 1),
            },
            "alerts": self.alerts,
            "frames": self.frames,
            "dropped": self.dropped,
            "calibrations": self.calibrations,
            "baseline_id": self.baseline_id,
        }


class PostureBaselineRecord(Base):
    __tablename__ = "posture_baselines"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    view: Mapped[str] = mapped_column(String(8))
    frames: Mapped[int] = mapped_column(Integer, default=0)
    features: Mapped[dict[str, Any]] = mapped_column(JSON)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": _iso(self.created_at),
            "view": self.view,
            "frames": self.frames,
            "features": self.features,
        }
