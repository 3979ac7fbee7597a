"""tag scans (Tag Scanner feedback loop)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tag_scans",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("image_key", sa.String(80), nullable=False),
        sa.Column("crop_key", sa.String(80), nullable=False),
        sa.Column("crop_box", sa.JSON(), nullable=True),
        sa.Column("first_guess", sa.String(64), nullable=False),
        sa.Column("first_confidence", sa.Float(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("confirmed_label", sa.String(64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("corrected", sa.Boolean(), nullable=True),
        sa.Column("recognize_ms", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_tag_scans_created", "tag_scans", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_tag_scans_created", "tag_scans")
    op.drop_table("tag_scans")
