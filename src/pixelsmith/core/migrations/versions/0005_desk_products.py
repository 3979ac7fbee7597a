"""catalog: desk-item fields (styles, real size, cut-out blob, inpainting prompt)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot add NOT NULL columns with ALTER alone on every version
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("styles", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("width_cm", sa.Float(), nullable=True))
        batch.add_column(sa.Column("height_cm", sa.Float(), nullable=True))
        batch.add_column(sa.Column("cutout_key", sa.String(80), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("item_prompt", sa.String(300), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for name in ("item_prompt", "cutout_key", "height_cm", "width_cm", "styles"):
            batch.drop_column(name)
