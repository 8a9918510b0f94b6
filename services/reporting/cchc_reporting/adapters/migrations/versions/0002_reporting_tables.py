"""The event log and the read models' fact tables.

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
_EVENT_ID = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _version() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("version_event_id", _EVENT_ID, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("event_source", sa.String(500), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(500)),
        sa.Column("occurred_at", _TS),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.UniqueConstraint("event_source", "event_id", name="ux_event_log_event"),
    )
    op.create_table(
        "rm_initiative",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("applied_since", sa.Date, nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("limitations", sa.Text, nullable=False),
        sa.Column("submitted_at", _TS, nullable=False),
        sa.Column("amended_at", _TS),
        *_version(),
    )
    op.create_index("ix_rm_initiative_year", "rm_initiative", ["campaign_year"])
    op.create_table(
        "rm_withdrawal",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("withdrawn_at", _TS, nullable=False),
        *_version(),
    )
    op.create_index("ix_rm_withdrawal_year", "rm_withdrawal", ["campaign_year"])
    op.create_table(
        "rm_round",
        sa.Column("round_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("team", sa.JSON, nullable=False),
        sa.Column("rescheduled", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        *_version(),
    )
    op.create_index("ix_rm_round_year", "rm_round", ["campaign_year"])
    op.create_table(
        "rm_visit",
        sa.Column("round_id", sa.Uuid, primary_key=True),
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("initiative_id", sa.Uuid, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("visit_date", sa.Date, nullable=False),
        sa.Column("starts_at", sa.Time, nullable=False),
    )
    op.create_index("ix_rm_visit_initiative", "rm_visit", ["initiative_id"])
    op.create_table(
        "rm_round_cancellation",
        sa.Column("round_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("cancelled_at", _TS, nullable=False),
        *_version(),
    )
    op.create_index("ix_rm_round_cancellation_year", "rm_round_cancellation", ["campaign_year"])
    op.create_table(
        "rm_evaluation",
        sa.Column("evaluation_id", sa.Uuid, primary_key=True),
        sa.Column("initiative_id", sa.Uuid, nullable=False),
        sa.Column("round_id", sa.Uuid, nullable=False),
        sa.Column("visit_id", sa.Uuid, nullable=False),
        sa.Column("evaluator_id", sa.String(64), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("strengths", sa.Text, nullable=False),
        sa.Column("limitations", sa.Text, nullable=False),
        sa.Column("difficulties", sa.Text, nullable=False),
        sa.Column("recommendation", sa.String(20), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        *_version(),
    )
    op.create_index("ix_rm_evaluation_initiative", "rm_evaluation", ["initiative_id"])
    op.create_index("ix_rm_evaluation_round", "rm_evaluation", ["round_id"])
    op.create_table(
        "rm_recommendation",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("final_score", sa.Float, nullable=False),
        sa.Column("evaluation_count", sa.Integer, nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("decided_at", _TS, nullable=False),
        *_version(),
    )
    op.create_index("ix_rm_recommendation_year", "rm_recommendation", ["campaign_year"])
    op.create_table(
        "rm_rejection",
        sa.Column("origin_source", sa.String(500), primary_key=True),
        sa.Column("origin_id", sa.String(200), primary_key=True),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("occurred_at", _TS),
        *_version(),
    )
    op.create_table(
        "rm_meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "rm_meta",
        "rm_rejection",
        "rm_recommendation",
        "rm_evaluation",
        "rm_round_cancellation",
        "rm_visit",
        "rm_round",
        "rm_withdrawal",
        "rm_initiative",
        "event_log",
    ):
        op.drop_table(table)
