"""posture sessions and baselines (Posture Coach; numbers only, never frames)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posture_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds_good", sa.Float(), nullable=False),
        sa.Column("seconds_warn", sa.Float(), nullable=False),
        sa.Column("seconds_bad", sa.Float(), nullable=False),
        sa.Column("seconds_away", sa.Float(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.Integer(), nullable=False),
        sa.Column("calibrations", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.String(32), nullable=True),
    )
    op.create_index("ix_posture_sessions_user_id", "posture_sessions", ["user_id"])
    op.create_index(
        "ix_posture_sessions_user_started", "posture_sessions", ["user_id", "started_at"]
    )
    op.create_table(
        "posture_baselines",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("view", sa.String(8), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
    )
    op.create_index("ix_posture_baselines_user_id", "posture_baselines", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_posture_baselines_user_id", "posture_baselines")
    op.drop_table("posture_baselines")
    op.drop_index("ix_posture_sessions_user_started", "posture_sessions")
    op.drop_index("ix_posture_sessions_user_id", "posture_sessions")
    op.drop_table("posture_sessions")
