"""Private blobs: a restricted key is served only to its owner.

Blobs are public by default: whoever has the content-addressed key can fetch it. An app that
stores something private (Toon Diary's images) calls `restrict(session, key, owner_id)`;
`GET /api/v1/blobs/{key}` then answers 404 to anyone else, as if the blob did not exist, and
marks the answer `Cache-Control: private, no-store`. `release` makes it public again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from pixelsmith.core.db import Base, utcnow
from pixelsmith.core.ownership import register_owned_data
from pixelsmith.core.storage import validate_key

__all__ = ["BlobAccess", "readable", "release", "restrict", "restricted"]


class BlobAccess(Base):
    __tablename__ = "blob_access"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def restrict(session: Session, key: str, owner_id: str) -> None:
    """Make `key` private to `owner_id` (a later call with another owner moves it)."""
    row = session.get(BlobAccess, validate_key(key))
    if row is None:
        session.add(BlobAccess(key=key, owner_id=owner_id))
    else:
        row.owner_id = owner_id


def release(session: Session, key: str) -> None:
    """Make `key` public again."""
    session.execute(delete(BlobAccess).where(BlobAccess.key == validate_key(key)))


def restricted(session: Session, key: str) -> bool:
    return session.get(BlobAccess, key) is not None


def readable(session: Session, key: str, viewer_id: str | None) -> bool:
    """Admins too get no private blob by key: a private diary page is its writer's alone, and
    moderators review public pictures through the apps' own routes, which check the post."""
    row = session.get(BlobAccess, key)
    return row is None or (viewer_id is not None and row.owner_id == viewer_id)


def _claim(session: Session, from_user_id: str, to_user_id: str) -> None:
    session.execute(
        update(BlobAccess).where(BlobAccess.owner_id == from_user_id).values(owner_id=to_user_id)
    )


def _delete(session: Session, user_id: str) -> list[str]:
    keys = list(session.scalars(select(BlobAccess.key).where(BlobAccess.owner_id == user_id)))
    session.execute(delete(BlobAccess).where(BlobAccess.owner_id == user_id))
    return keys


register_owned_data("blob_access", claim=_claim, delete=_delete)
