"""Message entry points: ``ROUTES`` is the service's one list of what it consumes (the kit
derives its queues and FastStream subscribers from it). Each entry decodes nothing itself (the
kit validated the event) and calls a handler; the kit parks an event whose handler raises a
``DomainError``, with the faults as the fields at fault."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cchc_evaluation.service_layer import handlers
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import (
    CampaignSettingsChangedV1,
    CloudEvent,
    EventData,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
)
from cchc_shared.contracts.events import AdoptionReportedV1, ReplicationDecidedV1
from cchc_shared.messaging.routing import MessageHandler, RoutingTable
from cchc_shared.messaging.topology import queue_for

SERVICE = "evaluation"
Handler = Callable[[Services, str, CloudEvent, Any], Awaitable[None]]


def _through_inbox(model: type[EventData], handler: Handler) -> MessageHandler[Services]:
    # The inbox keys each event by the queue it came from.
    consumer = queue_for(SERVICE, model.routing_key, model.exchange).name

    async def handle(services: Services, event: CloudEvent, data: EventData) -> None:
        await handler(services, consumer, event, data)

    return handle


_HANDLERS: dict[type[EventData], Handler] = {
    InitiativeSubmittedV1: handlers.on_initiative_content,
    InitiativeAmendedV1: handlers.on_initiative_content,
    InitiativeWithdrawnV1: handlers.on_initiative_withdrawn,
    RoundScheduledV1: handlers.on_round_state,
    RoundRescheduledV1: handlers.on_round_state,
    RoundCancelledV1: handlers.on_round_cancelled,
    ReplicationDecidedV1: handlers.on_replication_decided,
    AdoptionReportedV1: handlers.on_adoption_reported,
    CampaignSettingsChangedV1: handlers.on_campaign_settings,
}

ROUTES: RoutingTable[Services] = {
    model: _through_inbox(model, handler) for model, handler in _HANDLERS.items()
}
