"""Tag Scanner keeps scans without an owner today (`owner_id` NULL: the shared training log),
so an account owns none of them; a scan that does carry an owner is claimed and deleted with
it. Every scan's blobs count as in use."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pixelsmith.core.ownership import register_owned_data

from .models import TagScan


def claim(session: Session, from_user_id: str, to_user_id: str) -> None:
    session.execute(
        update(TagScan).where(TagScan.owner_id == from_user_id).values(owner_id=to_user_id)
    )


def delete_owned(session: Session, user_id: str) -> list[str]:
    keys: list[str] = []
    for scan in session.scalars(select(TagScan).where(TagScan.owner_id == user_id)):
        keys += [scan.image_key, scan.crop_key]
    session.execute(delete(TagScan).where(TagScan.owner_id == user_id))
    return keys


def in_use(session: Session, keys: set[str]) -> set[str]:
    used = set(session.scalars(select(TagScan.image_key).where(TagScan.image_key.in_(keys))))
    return used | set(session.scalars(select(TagScan.crop_key).where(TagScan.crop_key.in_(keys))))


register_owned_data("tags", claim=claim, delete=delete_owned, in_use=in_use)
