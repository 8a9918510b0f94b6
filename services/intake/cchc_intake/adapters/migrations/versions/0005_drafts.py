"""Drafts: initiatives saved by their agency but not yet submitted.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

_TS = sa.DateTime(timezone=True)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("agency_code", sa.String(16), sa.ForeignKey("agencies.code"), nullable=False),
        sa.Column("campaign_year", sa.Integer(), sa.ForeignKey("campaigns.year")),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", _TS),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_drafts_agency_code", "drafts", ["agency_code"])


def downgrade() -> None:
    op.drop_index("ix_drafts_agency_code", table_name="drafts")
    op.drop_table("drafts")
