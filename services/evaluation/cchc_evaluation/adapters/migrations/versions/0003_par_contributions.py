"""The PAR-Index contribution last announced per campaign and unit, and the index that finds a
unit's initiatives.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "par_contributions",
        sa.Column("campaign_year", sa.Integer, primary_key=True),
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("submitted", sa.Integer, nullable=False),
        sa.Column("surveyed", sa.Integer, nullable=False),
        sa.Column("recommended", sa.Integer, nullable=False),
        sa.Column("mean_score", sa.Float),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("final_score_method", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_initiatives_campaign_agency", "initiatives", ["campaign_year", "agency_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_initiatives_campaign_agency", table_name="initiatives")
    op.drop_table("par_contributions")
