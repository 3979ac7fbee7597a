"""Toon Diary: posts, comments, reports, post embeddings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The Lounge's rows (public, visible): keyset pagination on (published_at, id), Hot Toons and
# the Hot sort's window all read this partial index.
LOUNGE_WHERE = "visibility = 'public' AND hidden_by_admin = false AND deleted = false"


def upgrade() -> None:
    op.create_table(
        "diary_posts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("mood", sa.String(16), nullable=False),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("image_key", sa.String(80), nullable=True),
        sa.Column("image_source", sa.String(12), nullable=False),
        sa.Column("image_moderation", sa.String(10), nullable=True),
        sa.Column("image_nsfw", sa.JSON(), nullable=True),
        sa.Column("image_job_id", sa.String(32), nullable=True),
        sa.Column("image_job_done", sa.Boolean(), nullable=False),
        sa.Column("image_reviewed", sa.Boolean(), nullable=False),
        sa.Column("image_error", sa.JSON(), nullable=True),
        sa.Column("hidden_by_admin", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_diary_posts_lounge",
        "diary_posts",
        ["published_at", "id"],
        sqlite_where=sa.text(LOUNGE_WHERE),
        postgresql_where=sa.text(LOUNGE_WHERE),
    )
    op.create_index("ix_diary_posts_user", "diary_posts", ["user_id", "created_at"])
    op.create_table(
        "diary_comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "post_id",
            sa.String(32),
            sa.ForeignKey("diary_posts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_diary_comments_post", "diary_comments", ["post_id", "created_at"])
    op.create_index("ix_diary_comments_user_id", "diary_comments", ["user_id"])
    op.create_table(
        "diary_reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "post_id",
            sa.String(32),
            sa.ForeignKey("diary_posts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("post_id", "user_id", name="uq_diary_reports_post_user"),
    )
    op.create_index("ix_diary_reports_post_id", "diary_reports", ["post_id"])
    op.create_index("ix_diary_reports_user_id", "diary_reports", ["user_id"])
    op.create_table(
        "diary_embeddings",
        sa.Column(
            "post_id",
            sa.String(32),
            sa.ForeignKey("diary_posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("diary_embeddings")
    op.drop_table("diary_reports")
    op.drop_table("diary_comments")
    op.drop_table("diary_posts")
