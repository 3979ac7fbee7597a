"""Jobs belong to the user who submitted them (`owner_id`): claimed and deleted with them.
The caller cancels a user's running jobs first (AccountService.delete_account)."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from pixelsmith.core.jobs.models import Artifact, Job
from pixelsmith.core.ownership import register_owned_data


def claim(session: Session, from_user_id: str, to_user_id: str) -> None:
    session.execute(update(Job).where(Job.owner_id == from_user_id).values(owner_id=to_user_id))


def delete_owned(session: Session, user_id: str) -> list[str]:
    job_ids = select(Job.id).where(Job.owner_id == user_id)
    keys = list(session.scalars(select(Artifact.key).where(Artifact.job_id.in_(job_ids))))
    keys += [
        k for k in session.scalars(select(Job.preview_key).where(Job.owner_id == user_id)) if k
    ]
    session.execute(delete(Artifact).where(Artifact.job_id.in_(job_ids)))
    session.execute(delete(Job).where(Job.owner_id == user_id))
    return keys


def in_use(session: Session, keys: set[str]) -> set[str]:
    used = set(session.scalars(select(Artifact.key).where(Artifact.key.in_(keys))))
    used |= set(session.scalars(select(Job.preview_key).where(or_(Job.preview_key.in_(keys)))))
    return used


register_owned_data("jobs", claim=claim, delete=delete_owned, in_use=in_use)
