"""Toon Diary's per-user rows for accounts (core.ownership): a guest's posts, comments and
reports move to the account that claims them; deleting an account deletes its posts (with
every comment on them), its comments and reports elsewhere, and returns its pictures' blob
keys. The pictures' jobs go with core.jobs.owned_data; their blob_access rows with
core.blob_access."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pixelsmith.core.ownership import register_owned_data

from .models import DiaryPost
from .service import DiaryService


def in_use(session: Session, keys: set[str]) -> set[str]:
    return set(session.scalars(select(DiaryPost.image_key).where(DiaryPost.image_key.in_(keys))))


register_owned_data(
    "diary", claim=DiaryService.claim, delete=DiaryService.delete_user, in_use=in_use
)
