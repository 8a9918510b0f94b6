"""The units whose PAR-Index contribution waits to be computed again.

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
    op.create_table(
        "par_index_stale",
        sa.Column("mark_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("unit_code", sa.String(16), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_par_index_stale_marked_at", "par_index_stale", ["marked_at"])


def downgrade() -> None:
    op.drop_index("ix_par_index_stale_marked_at", table_name="par_index_stale")
    op.drop_table("par_index_stale")
