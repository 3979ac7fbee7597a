"""Toon Diary rows: posts, their comments, reports and text embeddings.

A post belongs to its writer (`user_id`: the account's id, or a guest's before sign-up) and is
private until made public; `published_at` is the first time it was made public (the Lounge's
order and the Hot formula's age). Deleting is soft for the Lounge's sake (`deleted`: comments
and reports keep their post) but the text, image and embedding go at once; an account's
deletion removes the rows (ownership.py).

The image: `image_source` none | generated | toonified, `image_key` the stored blob, and
`image_moderation` pending | approved | rejected: what the NSFW check (or an admin) said. Only
an approved image of a public post reaches anyone but its owner.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow

VISIBILITIES = ("private", "public")
IMAGE_SOURCES = ("none", "generated", "toonified")
MODERATION = ("pending", "approved", "rejected")
# The Lounge's rows: public, not hidden, not deleted (a partial index, SQLite and PostgreSQL).
LOUNGE_WHERE = "visibility = 'public' AND hidden_by_admin = false AND deleted = false"


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return aware(value).isoformat()


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; every one stored here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class DiaryPost(Base):
    __tablename__ = "diary_posts"
    __table_args__ = (
        Index(
            "ix_diary_posts_lounge",
            "published_at",
            "id",
            sqlite_where=text(LOUNGE_WHERE),
            postgresql_where=text(LOUNGE_WHERE),
        ),
        Index("ix_diary_posts_user", "user_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    mood: Mapped[str] = mapped_column(String(16))
    style: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(8), default="private")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    prompt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # prompt.Prompt.to_dict()
    image_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    image_source: Mapped[str] = mapped_column(String(12), default="none")
    image_moderation: Mapped[str | None] = mapped_column(String(10), nullable=True)
    image_nsfw: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    image_job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the latest
    image_job_done: Mapped[bool] = mapped_column(Boolean, default=True)  # its outcome is stored
    image_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)  # an admin decided
    image_error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    hidden_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def in_lounge(self) -> bool:
        return self.visibility == "public" and not self.hidden_by_admin and not self.deleted


class DiaryComment(Base):
    __tablename__ = "diary_comments"
    __table_args__ = (Index("ix_diary_comments_post", "post_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    post_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("diary_posts.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def to_dict(self, viewer_id: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "post_id": self.post_id,
            "text": self.text,
            "created_at": iso(self.created_at),
            "mine": viewer_id is not None and viewer_id == self.user_id,
        }


class DiaryReport(Base):
    __tablename__ = "diary_reports"
    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_diary_reports_post_user"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    post_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("diary_posts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reason": self.reason,
            "note": self.note,
            "created_at": iso(self.created_at),
            "resolved": self.resolved,
        }


class DiaryEmbedding(Base):
    """The post's title + text embedded once (USE multilingual, 512 float32, unit norm), so
    recommendations never embed again."""

    __tablename__ = "diary_embeddings"

    post_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("diary_posts.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(40))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
