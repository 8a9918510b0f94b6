"""The audit log: who drafted, edited, rescheduled, confirmed and cancelled each round, and who
changed the roster.

Revision ID: 0003
Revises: 0002
"""

from cchc_shared.persistence.audit import create_audit_log_v1, drop_audit_log_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_log_v1()


def downgrade() -> None:
    drop_audit_log_v1()
