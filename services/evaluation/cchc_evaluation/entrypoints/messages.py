"""Message entry points: one route per queue of ``SUBSCRIPTIONS['evaluation']``; each
decodes nothing itself (the kit validated the event) and calls a handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cchc_evaluation.domain.errors import InvalidInput
from cchc_evaluation.service_layer import handlers
from cchc_evaluation.service_layer.unit_of_work import UnitOfWork
from cchc_shared.contracts import (
    CloudEvent,
    EventData,
    FieldError,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
)
from cchc_shared.messaging.consumer import EventRoute, PermanentError
from cchc_shared.messaging.topology import SUBSCRIPTIONS

Handler = Callable[[UnitOfWork, str, CloudEvent, Any], Awaitable[None]]

HANDLERS: dict[str, tuple[type[EventData], Handler]] = {
    InitiativeSubmittedV1.routing_key: (InitiativeSubmittedV1, handlers.on_initiative_content),
    InitiativeAmendedV1.routing_key: (InitiativeAmendedV1, handlers.on_initiative_content),
    InitiativeWithdrawnV1.routing_key: (InitiativeWithdrawnV1, handlers.on_initiative_withdrawn),
    RoundScheduledV1.routing_key: (RoundScheduledV1, handlers.on_round_state),
    RoundRescheduledV1.routing_key: (RoundRescheduledV1, handlers.on_round_state),
    RoundCancelledV1.routing_key: (RoundCancelledV1, handlers.on_round_cancelled),
}


def event_routes(uow_factory: Callable[[], UnitOfWork]) -> list[EventRoute]:
    routes = []
    for queue in SUBSCRIPTIONS["evaluation"]:
        model, handler = HANDLERS[queue.binding_key]

        def bind(handler: Handler = handler, consumer: str = queue.name) -> Any:
            async def handle(event: CloudEvent, data: EventData) -> None:
                try:
                    await handler(uow_factory(), consumer, event, data)
                except InvalidInput as exc:  # the event itself is at fault: park it
                    raise PermanentError(
                        [FieldError(f.field, f.message_en) for f in exc.faults]
                    ) from exc

            return handle

        routes.append(EventRoute(queue=queue, models={model.event_type(): model}, handler=bind()))
    return routes
