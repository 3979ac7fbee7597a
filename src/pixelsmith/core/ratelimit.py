"""Fixed-budget rate limits kept in the database, so every API process counts the same actions.

`enforce_rate(bucket, key, limit=, window_s=)` records one action for (bucket, key) and, when
more than `limit` happened in the last `window_s` seconds, raises a 429 `rate_limited` whose
`Retry-After` says when the oldest counted action leaves the window. Each row carries its own
expiry, and every call sweeps expired rows, so the table holds only live windows.

The database is the one `configure(db)` was handed (Services does that at start-up); a caller
may pass `db=` explicitly instead.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, Database, utcnow
from pixelsmith.core.errors import ApiError

__all__ = ["RateEvent", "RateLimited", "configure", "enforce_rate"]

_db: Database | None = None


class RateEvent(Base):
    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_bucket_key_at", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RateLimited(ApiError):
    status_code = 429
    code = "rate_limited"


def configure(db: Database | None) -> None:
    global _db
    _db = db


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def retry_error(retry_after_s: float, message: str | None = None) -> RateLimited:
    """A 429 asking to wait `retry_after_s` (rounded up, at least 1 s); `message` may hold
    "{seconds}"."""
    seconds = max(1, math.ceil(retry_after_s))
    text = (message or "Too many requests. Wait {seconds} s, then try again.").format(
        seconds=seconds
    )
    return RateLimited(
        text,
        details={"retry_after_s": seconds},
        headers={"Retry-After": str(seconds)},
    )


def enforce_rate(
    bucket: str, key: str, *, limit: int, window_s: float, db: Database | None = None
) -> None:
    """Count one action for (bucket, key); raise RateLimited (429) past `limit` per window."""
    database = db or _db
    if database is None:
        raise RuntimeError("ratelimit.configure(db) was not called")
    now = utcnow()
    key = key[:200]
    with database.session() as s:
        s.execute(delete(RateEvent).where(RateEvent.expires_at < now))
        since = now - timedelta(seconds=window_s)
        count, oldest = s.execute(
            select(func.count(RateEvent.id), func.min(RateEvent.at)).where(
                RateEvent.bucket == bucket, RateEvent.key == key, RateEvent.at > since
            )
        ).one()
        if count >= limit:
            wait = (_aware(oldest) + timedelta(seconds=window_s) - now).total_seconds()
            raise retry_error(wait)
        s.add(
            RateEvent(bucket=bucket, key=key, at=now, expires_at=now + timedelta(seconds=window_s))
        )
