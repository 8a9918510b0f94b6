"""Roster, pool, rounds, team seats, visits and plan proposals.

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
        "members",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("honorific", sa.String(10), nullable=False),
        sa.Column("position", sa.String(300), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("expertise", sa.JSON, nullable=False),
        sa.Column("may_head", sa.Boolean, nullable=False),
        sa.Column("may_be_secretary", sa.Boolean, nullable=False),
        sa.Column("unavailable", sa.JSON, nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "pool",
        sa.Column("initiative_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_pool_campaign_status", "pool", ["campaign_year", "status"])
    op.create_table(
        "rounds",
        sa.Column("round_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("confirmed_at", _TS),
        sa.Column("cancelled_at", _TS),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("campaign_year", "sequence", name="uq_rounds_sequence"),
    )
    op.create_index("ix_rounds_campaign_status", "rounds", ["campaign_year", "status"])
    op.create_table(
        "team_seats",
        sa.Column("round_id", sa.Uuid, sa.ForeignKey("rounds.round_id"), primary_key=True),
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_team_seats_member", "team_seats", ["member_id"])
    op.create_table(
        "visits",
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("round_id", sa.Uuid, sa.ForeignKey("rounds.round_id"), nullable=False),
        sa.Column("initiative_id", sa.Uuid, nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("starts_at", sa.Time, nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_visits_round_id", "visits", ["round_id"])
    op.create_index("ix_visits_agency", "visits", ["agency_code"])
    op.create_index(
        "ux_visits_initiative",
        "visits",
        ["initiative_id"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "plan_proposals",
        sa.Column("proposal_id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("plan_proposals", "visits", "team_seats", "rounds", "pool", "members"):
        op.drop_table(table)
