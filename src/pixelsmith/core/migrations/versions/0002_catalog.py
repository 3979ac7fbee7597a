"""catalog: products

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("brand", sa.String(80), nullable=False, server_default=""),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("code_norm", sa.String(64), nullable=False),
        sa.Column("code_norm_rev", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(60), nullable=False, server_default=""),
        sa.Column("price", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False, server_default="KRW"),
        sa.Column("image_url", sa.String(1000), nullable=False, server_default=""),
        sa.Column("shop_url", sa.String(1000), nullable=False, server_default=""),
        sa.Column("mall", sa.String(120), nullable=False, server_default=""),
        sa.Column("external_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("colours", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False, server_default="import"),
        sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("code_norm", "source", name="uq_products_code_source"),
    )
    # text_pattern_ops: PostgreSQL uses these for LIKE 'prefix%' whatever the collation.
    op.create_index(
        "ix_products_code_norm",
        "products",
        ["code_norm"],
        postgresql_ops={"code_norm": "text_pattern_ops"},
    )
    op.create_index(
        "ix_products_code_norm_rev",
        "products",
        ["code_norm_rev"],
        postgresql_ops={"code_norm_rev": "text_pattern_ops"},
    )
    op.create_index("ix_products_source", "products", ["source"])


def downgrade() -> None:
    op.drop_index("ix_products_source", "products")
    op.drop_index("ix_products_code_norm_rev", "products")
    op.drop_index("ix_products_code_norm", "products")
    op.drop_table("products")
