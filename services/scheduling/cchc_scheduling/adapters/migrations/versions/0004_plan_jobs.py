"""Planner jobs: the search in the background, its progress and its lease.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plan_jobs",
        sa.Column("job_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("proposal_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("lease_until", _TS, nullable=False),
        sa.Column("stop_requested", sa.Boolean, nullable=False),
        sa.Column("elapsed_seconds", sa.Float, nullable=False),
        sa.Column("solutions", sa.JSON, nullable=False),
        sa.Column("best", sa.JSON),
        sa.Column("error", sa.JSON),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_plan_jobs_status_lease", "plan_jobs", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_table("plan_jobs")
