"""Every selection decision (selection.decided.v1).

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
        "rm_decision",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(20)),
        sa.Column("final_score", sa.Float, nullable=False),
        sa.Column("evaluation_count", sa.Integer, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("overridden", sa.Boolean, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column(
            "version_event_id",
            sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
            nullable=False,
        ),
    )
    op.create_index("ix_rm_decision_year", "rm_decision", ["campaign_year"])


def downgrade() -> None:
    op.drop_table("rm_decision")
