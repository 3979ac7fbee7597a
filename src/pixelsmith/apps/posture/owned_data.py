"""Posture Coach's per-user rows (sessions and baselines; numbers only, no blobs)."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from pixelsmith.core.ownership import register_owned_data

from .models import PostureBaselineRecord, PostureSessionRecord

TABLES = (PostureSessionRecord, PostureBaselineRecord)


def claim(session: Session, from_user_id: str, to_user_id: str) -> None:
    for table in TABLES:
        session.execute(
            update(table).where(table.user_id == from_user_id).values(user_id=to_user_id)
        )


def delete_owned(session: Session, user_id: str) -> list[str]:
    for table in TABLES:
        session.execute(delete(table).where(table.user_id == user_id))
    return []


register_owned_data("posture", claim=claim, delete=delete_owned)
