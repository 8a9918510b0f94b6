"""Each unit's PAR-Index contribution as announced by the evaluation service
(par_index_contribution.updated.v1).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rm_par_contribution",
        sa.Column("campaign_year", sa.Integer, primary_key=True),
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("submitted", sa.Integer, nullable=False),
        sa.Column("surveyed", sa.Integer, nullable=False),
        sa.Column("recommended", sa.Integer, nullable=False),
        sa.Column("mean_score", sa.Float),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column(
            "version_event_id",
            sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_table("rm_par_contribution")
