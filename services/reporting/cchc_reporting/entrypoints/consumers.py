"""The reporting service's queues: every public event, each through the inbox."""

from __future__ import annotations

from collections.abc import Callable

from cchc_reporting.service_layer import handlers
from cchc_reporting.service_layer.unit_of_work import UnitOfWork
from cchc_shared.contracts import CloudEvent, EventData
from cchc_shared.contracts.events import EVENTS, EVENTS_EXCHANGE
from cchc_shared.messaging.consumer import EventRoute
from cchc_shared.messaging.topology import SUBSCRIPTIONS, QueueSpec


def _models_for(queue: QueueSpec) -> dict[str, type[EventData]]:
    """The contract models a queue accepts: the public events whose routing key it binds."""
    return {
        model.event_type(): model
        for model in EVENTS
        if model.exchange == EVENTS_EXCHANGE and model.routing_key == queue.binding_key
    }


def event_routes(uow_factory: Callable[[], UnitOfWork]) -> list[EventRoute]:
    async def handle(event: CloudEvent, data: EventData) -> None:
        await handlers.record_event(uow_factory(), event, data)

    routes = []
    for queue in SUBSCRIPTIONS["reporting"]:
        models = _models_for(queue)
        if not models:
            raise RuntimeError(f"no contract model for the reporting queue {queue.name}")
        routes.append(EventRoute(queue=queue, models=models, handler=handle))
    return routes
