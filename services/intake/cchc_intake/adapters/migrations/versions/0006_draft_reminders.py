"""Draft reminders: one row per reminder sent of an unsubmitted draft, per deadline.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_reminders",
        sa.Column("draft_id", sa.Uuid(), primary_key=True),
        sa.Column("submission_closes_on", sa.Date(), primary_key=True),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("draft_reminders")
