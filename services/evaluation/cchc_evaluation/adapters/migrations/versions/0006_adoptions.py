"""Replication fed back into the PAR Index: the recognised models, each target agency's latest
adoption status, and the adoptions counted in each contribution.

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
        "recognised_models",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
    )
    op.create_table(
        "adoption_states",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.add_column(
        "par_contributions",
        sa.Column("adopted", sa.Integer, nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    op.drop_column("par_contributions", "adopted")
    op.drop_table("adoption_states")
    op.drop_table("recognised_models")
