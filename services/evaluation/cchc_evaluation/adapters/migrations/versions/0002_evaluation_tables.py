"""Knowledge from events, rubrics, evaluations, opinions, decisions and the audit log.

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
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("title", sa.String(300)),
        sa.Column("summary", sa.Text),
        sa.Column("par_area", sa.String(32)),
        sa.Column("content_as_of", _TS),
        sa.Column("withdrawn_at", _TS),
    )
    op.create_index("ix_initiatives_campaign", "initiatives", ["campaign_year"])
    op.create_table(
        "rounds",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("as_of", _TS),
        sa.Column("as_of_rank", sa.Integer, nullable=False),
        sa.Column("cancelled_at", _TS),
        sa.Column("cancel_reason", sa.Text, nullable=False),
    )
    op.create_table(
        "round_members",
        sa.Column("round_id", sa.Uuid, primary_key=True),
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
    )
    op.create_index("ix_round_members_member", "round_members", ["member_id"])
    op.create_table(
        "visits",
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("round_id", sa.Uuid, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("initiative_id", sa.Uuid, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("starts_at", sa.Time, nullable=False),
    )
    op.create_index("ix_visits_round_id", "visits", ["round_id"])
    op.create_index("ix_visits_initiative_id", "visits", ["initiative_id"])
    op.create_table(
        "rubrics",
        sa.Column("campaign_year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("initiative_id", sa.Uuid, nullable=False),
        sa.Column("round_id", sa.Uuid, nullable=False),
        sa.Column("visit_id", sa.Uuid, nullable=False),
        sa.Column("evaluator_id", sa.String(64), nullable=False),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("strengths", sa.Text, nullable=False),
        sa.Column("limitations", sa.Text, nullable=False),
        sa.Column("difficulties", sa.Text, nullable=False),
        sa.Column("recommendation", sa.String(20), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("initiative_id", "evaluator_id", name="uq_evaluations_member"),
    )
    op.create_index("ix_evaluations_campaign_year", "evaluations", ["campaign_year"])
    op.create_table(
        "sector_opinions",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("stance", sa.String(32), nullable=False),
        sa.Column("opinion", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(20)),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("override_reason", sa.Text),
        sa.Column("overridden", sa.Boolean, nullable=False),
        sa.Column("final_score", sa.Float, nullable=False),
        sa.Column("evaluation_count", sa.Integer, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", _TS, nullable=False),
    )
    op.create_index("ix_decisions_campaign_year", "decisions", ["campaign_year"])
    op.create_table(
        "audit_log",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "decisions",
        "sector_opinions",
        "evaluations",
        "rubrics",
        "visits",
        "round_members",
        "rounds",
        "initiatives",
    ):
        op.drop_table(table)
