"""Inbound messages refused at the edge, kept as received for a replay.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

_TS = sa.DateTime(timezone=True)

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_rejections",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("origin_source", sa.String(500), nullable=False),
        sa.Column("origin_id", sa.String(200), nullable=False),
        sa.Column("campaign_year", sa.Integer()),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(255)),
        sa.Column("message_id", sa.String(255)),
        sa.Column("exchange", sa.String(255), nullable=False),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("publisher", sa.String(255)),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("rejected_at", _TS, nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.Column("replayed_at", _TS),
        sa.Column("replayed_by", sa.String(200)),
    )
    op.create_index("ix_inbound_rejections_campaign_year", "inbound_rejections", ["campaign_year"])
    op.create_index(
        "ux_inbound_rejections_origin",
        "inbound_rejections",
        ["origin_source", "origin_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_inbound_rejections_origin", table_name="inbound_rejections")
    op.drop_index("ix_inbound_rejections_campaign_year", table_name="inbound_rejections")
    op.drop_table("inbound_rejections")
