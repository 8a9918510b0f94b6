"""The lineage across years: the earlier initiative an initiative builds on
(``builds_on`` of initiative.submitted.v1 and initiative.amended.v1). Initiatives projected
before it have none until ``rebuild`` projects the log again.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rm_initiative") as batch:
        batch.add_column(sa.Column("builds_on_id", sa.Uuid()))
        batch.add_column(sa.Column("builds_on_relation", sa.String(20)))
    op.create_index("ix_rm_initiative_builds_on_id", "rm_initiative", ["builds_on_id"])


def downgrade() -> None:
    op.drop_index("ix_rm_initiative_builds_on_id", table_name="rm_initiative")
    with op.batch_alter_table("rm_initiative") as batch:
        batch.drop_column("builds_on_relation")
        batch.drop_column("builds_on_id")
