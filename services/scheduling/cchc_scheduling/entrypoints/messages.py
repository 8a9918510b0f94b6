"""Message entry points: intake's initiative events feed the pool through the inbox.

``ROUTES`` is the service's one list of what it consumes; the kit derives its queues and
FastStream subscribers from it (``cchc_shared.messaging.routing``), and parks an event whose
handler raises a ``DomainError`` (the event is at fault), with the field at fault."""

from __future__ import annotations

from cchc_scheduling.domain.errors import ConcurrentChange
from cchc_scheduling.service_layer.handlers import pool
from cchc_scheduling.service_layer.services import Services
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import (
    CampaignSettingsChangedV1,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.messaging.routing import RoutingTable
from cchc_shared.persistence.campaign_settings import keep_campaign_settings

CAMPAIGN_CONSUMER = "scheduling.campaign_settings"


class RoundChangedMeanwhile(RuntimeError):
    """Not a ``DomainError``, so that the kit retries the event rather than parking it."""


async def on_initiative_content(
    services: Services, event: CloudEvent, data: InitiativeSubmittedV1 | InitiativeAmendedV1
) -> None:
    await pool.initiative_submitted(services.uow(), event, data)


async def on_initiative_withdrawn(
    services: Services, event: CloudEvent, data: InitiativeWithdrawnV1
) -> None:
    try:
        await pool.initiative_withdrawn(services.uow(), event, data)
    except ConcurrentChange as exc:  # a round it changes was saved meanwhile: not its fault
        raise RoundChangedMeanwhile(str(exc)) from exc


async def on_campaign_settings(
    services: Services, event: CloudEvent, data: CampaignSettingsChangedV1
) -> None:
    """The campaign's survey plan, which the notices cite."""
    await keep_campaign_settings(services.uow(), CAMPAIGN_CONSUMER, event, data)


ROUTES: RoutingTable[Services] = {
    InitiativeSubmittedV1: on_initiative_content,
    InitiativeAmendedV1: on_initiative_content,
    InitiativeWithdrawnV1: on_initiative_withdrawn,
    CampaignSettingsChangedV1: on_campaign_settings,
}
