"""backdrop asset library (Backdrop Studio; shared starter set + per-user imports)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backdrop_assets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("colours", sa.JSON(), nullable=False),
        sa.Column("brightness", sa.Float(), nullable=False),
        sa.Column("texture", sa.Float(), nullable=False),
        sa.Column("floor_y", sa.Float(), nullable=False),
        sa.Column("podium", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("blob_key", sa.String(80), nullable=False),
        sa.Column("thumb_key", sa.String(80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_backdrop_assets_user_id", "backdrop_assets", ["user_id"])
    op.create_index("ix_backdrop_assets_kind", "backdrop_assets", ["kind"])


def downgrade() -> None:
    op.drop_table("backdrop_assets")
