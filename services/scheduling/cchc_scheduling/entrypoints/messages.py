"""Message entry points: intake's initiative events feed the pool through the inbox."""

from __future__ import annotations

from cchc_scheduling.service_layer import handlers
from cchc_scheduling.service_layer.handlers import UowFactory
from cchc_shared.contracts import CloudEvent, EventData
from cchc_shared.contracts.events import (
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.messaging.consumer import EventRoute
from cchc_shared.messaging.topology import queue_for


def routes(uow: UowFactory) -> list[EventRoute]:
    async def on_submitted(event: CloudEvent, data: EventData) -> None:
        assert isinstance(data, InitiativeSubmittedV1 | InitiativeAmendedV1)
        await handlers.initiative_submitted(uow(), event, data)

    async def on_withdrawn(event: CloudEvent, data: EventData) -> None:
        assert isinstance(data, InitiativeWithdrawnV1)
        await handlers.initiative_withdrawn(uow(), event, data)

    return [
        EventRoute(
            queue_for("scheduling", InitiativeSubmittedV1.routing_key),
            {InitiativeSubmittedV1.event_type(): InitiativeSubmittedV1},
            on_submitted,
        ),
        EventRoute(
            queue_for("scheduling", InitiativeAmendedV1.routing_key),
            {InitiativeAmendedV1.event_type(): InitiativeAmendedV1},
            on_submitted,
        ),
        EventRoute(
            queue_for("scheduling", InitiativeWithdrawnV1.routing_key),
            {InitiativeWithdrawnV1.event_type(): InitiativeWithdrawnV1},
            on_withdrawn,
        ),
    ]
