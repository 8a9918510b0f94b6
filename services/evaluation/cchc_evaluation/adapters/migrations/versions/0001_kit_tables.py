"""Outbox and inbox tables of the kit.

Revision ID: 0001
Revises:
"""

from alembic import op

from cchc_evaluation.adapters.orm import kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in (kit_tables.outbox, kit_tables.inbox):
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (kit_tables.inbox, kit_tables.outbox):
        table.drop(bind)
