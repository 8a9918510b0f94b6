"""Message entry points: ``ROUTES`` is the service's one list of what it consumes (every
public event, each through the inbox); the kit derives its queues and FastStream subscribers
from it."""

from __future__ import annotations

from cchc_reporting.service_layer import handlers
from cchc_reporting.service_layer.services import Services
from cchc_shared.contracts import CloudEvent, EventData
from cchc_shared.contracts.events import EVENTS, EVENTS_EXCHANGE
from cchc_shared.messaging.routing import RoutingTable


async def record_event(services: Services, event: CloudEvent, data: EventData) -> None:
    await handlers.record_event(services.uow(), event, data)


ROUTES: RoutingTable[Services] = {
    model: record_event for model in EVENTS if model.exchange == EVENTS_EXCHANGE
}
