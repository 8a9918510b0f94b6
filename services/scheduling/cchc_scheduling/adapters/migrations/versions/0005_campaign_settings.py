"""Each campaign's settings as intake announces them (campaign.settings_changed.v1).

Revision ID: 0005
Revises: 0004
"""

from cchc_shared.persistence.campaign_settings import (
    create_campaign_settings_v1,
    drop_campaign_settings_v1,
)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_campaign_settings_v1()


def downgrade() -> None:
    drop_campaign_settings_v1()
