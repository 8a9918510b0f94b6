"""What intake announces of a campaign's settings (campaign.settings_changed.v1): whether the
survey team's secretary scores in it. Kept once (the inbox); the highest version wins."""

from __future__ import annotations

from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import CampaignSettingsChangedV1, CloudEvent
from cchc_shared.persistence.campaign_settings import keep_campaign_settings


async def on_campaign_settings(
    services: Services, consumer: str, event: CloudEvent, data: CampaignSettingsChangedV1
) -> None:
    await keep_campaign_settings(services.uow(), consumer, event, data)
