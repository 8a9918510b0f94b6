"""Notifications (the mail outbox), rounds, initiatives, agency contacts, evaluations,
preferences and campaign settings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("notification_id", sa.Uuid, primary_key=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient_id", sa.String(64), nullable=False),
        sa.Column("recipient_name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("campaign_year", sa.Integer),
        sa.Column("round_id", sa.Uuid),
        sa.Column("cause", sa.String(600), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", _TS),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS),
        sa.Column("released_by", sa.String(200)),
        sa.Column("digest_id", sa.Uuid),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_round", "notifications", ["round_id"])
    op.create_index("ix_notifications_recipient", "notifications", ["email", "status"])
    op.create_table(
        "rounds",
        sa.Column("round_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "initiatives",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "agency_contacts",
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "evaluations",
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("evaluator_id", sa.String(64), primary_key=True),
        sa.Column("recorded_at", _TS, nullable=False),
    )
    op.create_table(
        "preferences",
        sa.Column("recipient_kind", sa.String(16), primary_key=True),
        sa.Column("recipient_id", sa.String(64), primary_key=True),
        sa.Column("category", sa.String(32), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "campaign_settings",
        sa.Column("campaign_year", sa.Integer, primary_key=True),
        sa.Column("review_before_release", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "campaign_settings",
        "preferences",
        "evaluations",
        "agency_contacts",
        "initiatives",
        "rounds",
        "notifications",
    ):
        op.drop_table(table)
