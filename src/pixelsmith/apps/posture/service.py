"""Posture Coach service: baselines, live-session records, history stats, photo analysis.

The I/O edge of the slice. Every method takes the caller's `user_id` and only ever reads or
writes that user's rows. Only numbers are stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select

from pixelsmith.core.db import Database, utcnow
from pixelsmith.core.errors import NotFound

from .features import Baseline
from .models import PostureBaselineRecord, PostureSessionRecord
from .state import STATES

Period = Literal["day", "week", "month"]
PERIODS: dict[str, int] = {"day": 14, "week": 12, "month": 12}  # buckets shown per period


class PostureService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- baselines ------------------------------------------------------------------------------
    def save_baseline(self, user_id: str, baseline: Baseline) -> dict[str, Any]:
        row = PostureBaselineRecord(
            id=uuid.uuid4().hex,
            user_id=user_id,
            created_at=utcnow(),
            view=baseline.view,
            frames=baseline.frames,
            features=baseline.features.to_dict(),
        )
        with self.db.session() as s:
            s.add(row)
        return row.to_dict()

    def _latest_row(self, s, user_id: str) -> PostureBaselineRecord | None:  # noqa: ANN001
        return s.scalars(
            select(PostureBaselineRecord)
            .where(PostureBaselineRecord.user_id == user_id)
            .order_by(PostureBaselineRecord.created_at.desc())
            .limit(1)
        ).first()

    def baseline_record(self, user_id: str) -> dict[str, Any] | None:
        with self.db.session() as s:
            row = self._latest_row(s, user_id)
            return row.to_dict() if row else None

    def baseline(self, user_id: str) -> Baseline | None:
        record = self.baseline_record(user_id)
        if record is None:
            return None
        return Baseline.from_dict(record)

    def delete_baselines(self, user_id: str) -> int:
        with self.db.session() as s:
            result = s.execute(
                delete(PostureBaselineRecord).where(PostureBaselineRecord.user_id == user_id)
            )
            return result.rowcount or 0

    # ---- live sessions -------------------------------------------------------------------------
    def start_session(self, user_id: str) -> str:
        now = utcnow()
        row = PostureSessionRecord(
            id=uuid.uuid4().hex,
            user_id=user_id,
            started_at=now,
            updated_at=now,
            seconds_good=0.0,
            seconds_warn=0.0,
            seconds_bad=0.0,
            seconds_away=0.0,
            alerts=0,
            frames=0,
            dropped=0,
            calibrations=0,
        )
        with self.db.session() as s:
            s.add(row)
        return row.id

    def record_session(
        self,
        user_id: str,
        session_id: str,
        summary: dict[str, Any],
        *,
        final: bool = False,
        calibrations: int | None = None,
        baseline_id: str | None = None,
    ) -> None:
        """Save a live session's totals (from StreamSession.summary())."""
        now = utcnow()
        with self.db.session() as s:
            row = s.get(PostureSessionRecord, session_id)
            if row is None or row.user_id != user_id:
                return
            seconds = summary.get("seconds", {})
            row.seconds_good = float(seconds.get("good", 0.0))
            row.seconds_warn = float(seconds.get("warn", 0.0))
            row.seconds_bad = float(seconds.get("bad", 0.0))
            row.seconds_away = float(seconds.get("away", 0.0))
            row.alerts = int(summary.get("alerts", 0))
            row.frames = int(summary.get("frames", 0))
            row.dropped = int(summary.get("dropped", 0))
            if calibrations is not None:
                row.calibrations = calibrations
            if baseline_id is not None:
                row.baseline_id = baseline_id
            row.updated_at = now
            if final:
                row.ended_at = now

    def list_sessions(self, user_id: str, limit: int = 20) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.scalars(
                select(PostureSessionRecord)
                .where(PostureSessionRecord.user_id == user_id)
                .order_by(PostureSessionRecord.started_at.desc())
                .limit(limit)
            )
            return [r.to_dict() for r in rows]

    def get_session(self, user_id: str, session_id: str) -> dict[str, Any]:
        with self.db.session() as s:
            row = s.get(PostureSessionRecord, session_id)
            if row is None or row.user_id != user_id:  # another user's id reads as absent
                raise NotFound("no such posture session", details={"id": session_id})
            return row.to_dict()

    # ---- history --------------------------------------------------------------------------------
    def stats(
        self,
        user_id: str,
        period: Period = "day",
        *,
        tz_offset_min: int = 0,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Time per state, alerts and sessions per day / week / month, in the user's time zone.

        `tz_offset_min` is JavaScript's `Date.getTimezoneOffset()` (UTC − local, minutes; Seoul
        is −540). A session counts in the bucket of its start.
        """
        now = now or utcnow()
        shift = timedelta(minutes=-tz_offset_min)
        today = (now + shift).date()
        starts = _bucket_starts(period, today, PERIODS[period])
        first = datetime.combine(starts[0], datetime.min.time(), tzinfo=UTC) - shift
        with self.db.session() as s:
            rows = s.scalars(
                select(PostureSessionRecord).where(
                    PostureSessionRecord.user_id == user_id,
                    PostureSessionRecord.started_at >= first,
                )
            ).all()
            sessions = [
                (
                    _aware(r.started_at) + shift,
                    {
                        "good": r.seconds_good,
                        "warn": r.seconds_warn,
                        "bad": r.seconds_bad,
                        "away": r.seconds_away,
                    },
                    r.alerts,
                )
                for r in rows
            ]
        buckets = [
            {
                "start": start.isoformat(),
                "seconds": dict.fromkeys(STATES, 0.0),
                "alerts": 0,
                "sessions": 0,
            }
            for start in starts
        ]
        index = {start: i for i, start in enumerate(starts)}
        for local_start, seconds, alerts in sessions:
            key = _bucket_of(period, local_start.date())
            if key not in index:
                continue
            b = buckets[index[key]]
            for state in STATES:
                b["seconds"][state] += seconds[state]
            b["alerts"] += alerts
            b["sessions"] += 1
        totals = {"seconds": dict.fromkeys(STATES, 0.0), "alerts": 0, "sessions": 0}
        for b in buckets:
            seated = b["seconds"]["good"] + b["seconds"]["warn"] + b["seconds"]["bad"]
            b["good_share"] = round(b["seconds"]["good"] / seated, 4) if seated else None
            b["seconds"] = {k: round(v, 1) for k, v in b["seconds"].items()}
            for state in STATES:
                totals["seconds"][state] += b["seconds"][state]
            totals["alerts"] += b["alerts"]
            totals["sessions"] += b["sessions"]
        seated = sum(totals["seconds"][s] for s in ("good", "warn", "bad"))
        totals["good_share"] = round(totals["seconds"]["good"] / seated, 4) if seated else None
        totals["seconds"] = {k: round(v, 1) for k, v in totals["seconds"].items()}
        return {
            "period": period,
            "tz_offset_min": tz_offset_min,
            "buckets": buckets,
            "totals": totals,
        }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite returns naive UTC


def _bucket_of(period: str, day: date) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday
    if period == "month":
        return day.replace(day=1)
    return day


def _bucket_starts(period: str, today: date, count: int) -> list[date]:
    current = _bucket_of(period, today)
    starts = [current]
    for _ in range(count - 1):
        if period == "day":
            current = current - timedelta(days=1)
        elif period == "week":
            current = current - timedelta(days=7)
        else:
            current = (current - timedelta(days=1)).replace(day=1)
        starts.append(current)
    return starts[::-1]
