"""The follow-up of replication: the recognised models (replication.decided.v1) and each
quarter's adoption report (adoption.reported.v1, its highest revision).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _version_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column(
            "version_event_id",
            sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "rm_recognition",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("decision_id", sa.Uuid, nullable=False),
        sa.Column("decision_number", sa.String(40), nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("signer_name", sa.String(300), nullable=False),
        sa.Column("signer_title", sa.String(300), nullable=False),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        *_version_columns(),
    )
    op.create_table(
        "rm_adoption",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("quarter", sa.String(7), primary_key=True),
        sa.Column("report_id", sa.Uuid, nullable=False),
        sa.Column("decision_id", sa.Uuid, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("started_on", sa.Date),
        sa.Column("adaptation", sa.Text, nullable=False),
        sa.Column("measured_from", sa.Date),
        sa.Column("measured_to", sa.Date),
        sa.Column("processing_days_before", sa.Float),
        sa.Column("processing_days_after", sa.Float),
        sa.Column("satisfaction_percent", sa.Float),
        sa.Column("cases_handled", sa.Integer),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        *_version_columns(),
    )


def downgrade() -> None:
    op.drop_table("rm_adoption")
    op.drop_table("rm_recognition")
