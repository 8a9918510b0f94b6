"""Agencies, campaigns, initiatives and attachments.

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
        "agencies",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("parent_code", sa.String(16)),
        sa.Column("unit_type", sa.String(50)),
        sa.Column("name_key", sa.String(600), nullable=False),
    )
    op.create_index("ix_agencies_parent_code", "agencies", ["parent_code"])
    op.create_table(
        "campaigns",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("submission_opens_on", sa.Date, nullable=False),
        sa.Column("submission_closes_on", sa.Date, nullable=False),
        sa.Column("survey_starts_on", sa.Date, nullable=False),
        sa.Column("survey_ends_on", sa.Date, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("campaign_year", sa.Integer, sa.ForeignKey("campaigns.year"), nullable=False),
        sa.Column("agency_code", sa.String(16), sa.ForeignKey("agencies.code"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("title_key", sa.String(1000), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("par_area", sa.String(32), nullable=False),
        sa.Column("applied_since", sa.Date, nullable=False),
        sa.Column("results", sa.Text, nullable=False),
        sa.Column("limitations", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", _TS, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("origin_source", sa.String(500)),
        sa.Column("origin_id", sa.String(200)),
        sa.Column("amended_at", _TS),
        sa.Column("withdrawn_at", _TS),
        sa.Column("withdrawal_reason", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index(
        "ix_initiatives_campaign_agency", "initiatives", ["campaign_year", "agency_code"]
    )
    op.create_index("ix_initiatives_submitted_at", "initiatives", ["submitted_at"])
    op.create_index(
        "ux_initiatives_title",
        "initiatives",
        ["campaign_year", "agency_code", "title_key"],
        unique=True,
        sqlite_where=sa.text("status = 'submitted'"),
        postgresql_where=sa.text("status = 'submitted'"),
    )
    op.create_index(
        "ux_initiatives_origin", "initiatives", ["origin_source", "origin_id"], unique=True
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("initiative_id", sa.Uuid, sa.ForeignKey("initiatives.id"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("uploaded_at", _TS, nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_attachments_initiative_id", "attachments", ["initiative_id"])


def downgrade() -> None:
    op.drop_table("attachments")
    op.drop_table("initiatives")
    op.drop_table("campaigns")
    op.drop_table("agencies")
