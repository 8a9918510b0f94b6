"""The lineage across years: the earlier campaign's initiative an initiative builds on.

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
    with op.batch_alter_table("initiatives") as batch:
        batch.add_column(sa.Column("builds_on_id", sa.Uuid()))
        batch.add_column(sa.Column("builds_on_relation", sa.String(20)))
    op.create_index("ix_initiatives_builds_on_id", "initiatives", ["builds_on_id"])


def downgrade() -> None:
    op.drop_index("ix_initiatives_builds_on_id", table_name="initiatives")
    with op.batch_alter_table("initiatives") as batch:
        batch.drop_column("builds_on_relation")
        batch.drop_column("builds_on_id")
