"""Outbox and inbox tables of the kit.

Revision ID: 0001
Revises:
"""

from alembic import op
from sqlalchemy import MetaData

from cchc_shared.persistence.tables import define_kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    kit_tables = define_kit_tables(MetaData())
    for table in (kit_tables.outbox, kit_tables.inbox):
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    kit_tables = define_kit_tables(MetaData())
    for table in (kit_tables.inbox, kit_tables.outbox):
        table.drop(bind)
