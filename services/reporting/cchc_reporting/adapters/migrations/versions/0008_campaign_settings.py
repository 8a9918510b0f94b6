"""Each campaign's settings as intake announces them (campaign.settings_changed.v1): the
survey plan the documents cite and whether the secretary scores.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rm_campaign_settings",
        sa.Column("campaign_year", sa.Integer, primary_key=True),
        sa.Column("plan_number", sa.String(40)),
        sa.Column("plan_signed_on", sa.Date),
        sa.Column("secretary_scores", sa.Boolean, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column(
            "version_event_id",
            sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_table("rm_campaign_settings")
