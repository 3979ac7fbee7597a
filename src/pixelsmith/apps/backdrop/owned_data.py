"""Backdrop Studio's per-user rows: products, runs and the user's own background assets (the
shared starter set, user_id NULL, is nobody's). Runs' jobs are deleted by core.jobs.owned_data."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pixelsmith.core.ownership import register_owned_data

from .asset_models import BackdropAsset
from .models import BackdropProduct, BackdropRun

TABLES = (BackdropProduct, BackdropRun, BackdropAsset)


def claim(session: Session, from_user_id: str, to_user_id: str) -> None:
    for table in TABLES:
        session.execute(
            update(table).where(table.user_id == from_user_id).values(user_id=to_user_id)
        )


def delete_owned(session: Session, user_id: str) -> list[str]:
    keys: list[str] = []
    for product in session.scalars(
        select(BackdropProduct).where(BackdropProduct.user_id == user_id)
    ):
        keys += product.keys()
    for run in session.scalars(select(BackdropRun).where(BackdropRun.user_id == user_id)):
        keys += run.input_keys or []
    for asset in session.scalars(select(BackdropAsset).where(BackdropAsset.user_id == user_id)):
        keys += [asset.blob_key, asset.thumb_key]
    session.execute(delete(BackdropRun).where(BackdropRun.user_id == user_id))
    session.execute(delete(BackdropProduct).where(BackdropProduct.user_id == user_id))
    session.execute(delete(BackdropAsset).where(BackdropAsset.user_id == user_id))
    return keys


def in_use(session: Session, keys: set[str]) -> set[str]:
    used: set[str] = set()
    for col in (
        BackdropProduct.photo_key,
        BackdropProduct.rgba_key,
        BackdropProduct.alpha_key,
        BackdropAsset.blob_key,
        BackdropAsset.thumb_key,
    ):
        used |= set(session.scalars(select(col).where(col.in_(keys))))
    for input_keys in session.scalars(select(BackdropRun.input_keys)):
        used |= keys & set(input_keys or [])
    return used


register_owned_data("backdrop", claim=claim, delete=delete_owned, in_use=in_use)
