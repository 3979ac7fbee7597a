"""desk photos and renders (Desk Makeover; per user)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_photos",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("photo_key", sa.String(80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("gate", sa.JSON(), nullable=False),
        sa.Column("analysis_job_id", sa.String(32), nullable=True),
        sa.Column("analysis", sa.JSON(), nullable=True),
        sa.Column("analysis_ms", sa.Float(), nullable=True),
    )
    op.create_index("ix_desk_photos_user_id", "desk_photos", ["user_id"])
    op.create_table(
        "desk_renders",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "photo_id",
            sa.String(32),
            sa.ForeignKey("desk_photos.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("path", sa.String(8), nullable=False),
        sa.Column("style", sa.String(40), nullable=True),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("render_key", sa.String(80), nullable=True),
        sa.Column("items", sa.JSON(), nullable=True),
        sa.Column("blob_keys", sa.JSON(), nullable=True),
    )
    op.create_index("ix_desk_renders_photo_id", "desk_renders", ["photo_id"])
    op.create_index("ix_desk_renders_user_id", "desk_renders", ["user_id"])


def downgrade() -> None:
    op.drop_table("desk_renders")
    op.drop_table("desk_photos")
