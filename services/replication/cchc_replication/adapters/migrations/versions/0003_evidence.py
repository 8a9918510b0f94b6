"""Evidence attachments of adoption reports: the files an agency uploaded for a model, and
the metadata of those each report revision attaches.

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
        "adoption_evidence",
        sa.Column("evidence_id", sa.Uuid(), primary_key=True),
        sa.Column("initiative_id", sa.Uuid(), nullable=False),
        sa.Column("agency_code", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
    )
    op.create_index(
        "ix_adoption_evidence_model_agency",
        "adoption_evidence",
        ["initiative_id", "agency_code"],
    )
    with op.batch_alter_table("adoption_reports") as batch:
        batch.add_column(
            sa.Column("evidence", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("adoption_reports") as batch:
        batch.drop_column("evidence")
    op.drop_index("ix_adoption_evidence_model_agency", table_name="adoption_evidence")
    op.drop_table("adoption_evidence")
