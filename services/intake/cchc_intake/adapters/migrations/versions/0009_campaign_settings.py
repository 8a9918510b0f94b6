"""A campaign's survey plan (number and signing date), whether its secretary scores, and the
version of its settings, announced in campaign.settings_changed.v1.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("plan_number", sa.String(40)))
    op.add_column("campaigns", sa.Column("plan_signed_on", sa.Date))
    op.add_column(
        "campaigns",
        sa.Column("secretary_scores", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "campaigns", sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1"))
    )


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("version")
        batch.drop_column("secretary_scores")
        batch.drop_column("plan_signed_on")
        batch.drop_column("plan_number")
