"""backdrop products and runs (Backdrop Studio; per user)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backdrop_products",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("photo_key", sa.String(80), nullable=False),
        sa.Column("rgba_key", sa.String(80), nullable=False),
        sa.Column("alpha_key", sa.String(80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("matte", sa.JSON(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("brief", sa.JSON(), nullable=False),
        sa.Column("mask_edited", sa.Integer(), nullable=False),
        sa.Column("elapsed_ms", sa.Float(), nullable=False),
    )
    op.create_index("ix_backdrop_products_user_id", "backdrop_products", ["user_id"])
    op.create_table(
        "backdrop_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "product_id",
            sa.String(32),
            sa.ForeignKey("backdrop_products.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("input_keys", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=True),
    )
    op.create_index("ix_backdrop_runs_user_id", "backdrop_runs", ["user_id"])
    op.create_index("ix_backdrop_runs_product_id", "backdrop_runs", ["product_id"])


def downgrade() -> None:
    op.drop_table("backdrop_runs")
    op.drop_table("backdrop_products")
