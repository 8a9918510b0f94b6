"""Message entry points: intake's initiative events feed the pool through the inbox.

``ROUTES`` is the service's one list of what it consumes; the kit derives its queues and
FastStream subscribers from it (``cchc_shared.messaging.routing``)."""

from __future__ import annotations

from cchc_scheduling.entrypoints.context import Scheduling
from cchc_scheduling.service_layer import handlers
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import (
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.messaging.routing import RoutingTable


async def on_initiative_content(
    services: Scheduling, event: CloudEvent, data: InitiativeSubmittedV1 | InitiativeAmendedV1
) -> None:
    await handlers.initiative_submitted(services.uow(), event, data)


async def on_initiative_withdrawn(
    services: Scheduling, event: CloudEvent, data: InitiativeWithdrawnV1
) -> None:
    await handlers.initiative_withdrawn(services.uow(), event, data)


ROUTES: RoutingTable[Scheduling] = {
    InitiativeSubmittedV1: on_initiative_content,
    InitiativeAmendedV1: on_initiative_content,
    InitiativeWithdrawnV1: on_initiative_withdrawn,
}
