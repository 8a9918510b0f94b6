"""Candidates, decisions, recognised models and their targets, adoption reports, audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from cchc_shared.persistence.audit import create_audit_log_v1, drop_audit_log_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("final_score", sa.Float, nullable=False),
        sa.Column("recommended_at", _TS, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.Uuid, primary_key=True),
        sa.Column("decision_number", sa.String(40), nullable=False, unique=True),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("signer_name", sa.String(300), nullable=False),
        sa.Column("signer_title", sa.String(300), nullable=False),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "recognised_models",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("decision_id", sa.Uuid, sa.ForeignKey("decisions.decision_id"), nullable=False),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_recognised_models_decision_id", "recognised_models", ["decision_id"])
    op.create_table(
        "model_targets",
        sa.Column(
            "initiative_id",
            sa.Uuid,
            sa.ForeignKey("recognised_models.initiative_id"),
            primary_key=True,
        ),
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_model_targets_agency", "model_targets", ["agency_code"])
    op.create_table(
        "adoption_reports",
        sa.Column("report_id", sa.Uuid, primary_key=True),
        sa.Column("decision_id", sa.Uuid, nullable=False),
        sa.Column("initiative_id", sa.Uuid, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("started_on", sa.Date),
        sa.Column("adaptation", sa.Text, nullable=False),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("reported_at", _TS, nullable=False),
        sa.Column("reported_by", sa.String(200), nullable=False),
        sa.UniqueConstraint(
            "initiative_id", "agency_code", "quarter", "revision", name="uq_adoption_revision"
        ),
    )
    op.create_index("ix_adoption_agency", "adoption_reports", ["agency_code"])
    create_audit_log_v1()


def downgrade() -> None:
    drop_audit_log_v1()
    for table in (
        "adoption_reports",
        "model_targets",
        "recognised_models",
        "decisions",
        "candidates",
    ):
        op.drop_table(table)
