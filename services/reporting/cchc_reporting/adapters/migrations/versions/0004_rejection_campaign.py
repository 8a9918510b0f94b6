"""The campaign a rejected inbound message named (initiative.rejected.v1 ``campaign_year``).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rm_rejection", sa.Column("campaign_year", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rm_rejection") as batch:
        batch.drop_column("campaign_year")
