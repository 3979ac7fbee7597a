"""Desk Makeover's per-user rows: photos and their renders, with every blob they stored.
The renders' jobs are the job table's (core.jobs.owned_data deletes them by owner)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pixelsmith.core.ownership import register_owned_data

from .models import DeskPhoto, DeskRender


def claim(session: Session, from_user_id: str, to_user_id: str) -> None:
    for table in (DeskPhoto, DeskRender):
        session.execute(
            update(table).where(table.user_id == from_user_id).values(user_id=to_user_id)
        )


def delete_owned(session: Session, user_id: str) -> list[str]:
    keys = list(session.scalars(select(DeskPhoto.photo_key).where(DeskPhoto.user_id == user_id)))
    for render in session.scalars(select(DeskRender).where(DeskRender.user_id == user_id)):
        keys += [render.render_key or "", *(render.blob_keys or [])]
    session.execute(delete(DeskRender).where(DeskRender.user_id == user_id))
    session.execute(delete(DeskPhoto).where(DeskPhoto.user_id == user_id))
    return keys


def in_use(session: Session, keys: set[str]) -> set[str]:
    used = set(session.scalars(select(DeskPhoto.photo_key).where(DeskPhoto.photo_key.in_(keys))))
    used |= set(
        session.scalars(select(DeskRender.render_key).where(DeskRender.render_key.in_(keys)))
    )
    for blob_keys in session.scalars(select(DeskRender.blob_keys)):  # JSON lists: scanned here
        used |= keys & set(blob_keys or [])
    return used


register_owned_data("desk", claim=claim, delete=delete_owned, in_use=in_use)
