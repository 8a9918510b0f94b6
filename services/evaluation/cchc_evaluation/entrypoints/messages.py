"""Message entry points: ``ROUTES`` is the service's one list of what it consumes (the kit
derives its queues and FastStream subscribers from it). Each entry decodes nothing itself (the
kit validated the event) and calls a handler; the kit parks an event whose handler raises a
``DomainError``, with the faults as the fields at fault."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cchc_evaluation.service_layer import handlers
from cchc_evaluation.service_layer.unit_of_work import UnitOfWork
from cchc_shared.contracts import (
    CloudEvent,
    EventData,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
)
from cchc_shared.messaging.routing import MessageHandler, RoutingTable
from cchc_shared.messaging.topology import queue_for

SERVICE = "evaluation"
UowFactory = Callable[[], UnitOfWork]
Handler = Callable[[UnitOfWork, str, CloudEvent, Any, handlers.EvaluationConfig], Awaitable[None]]


@dataclass(frozen=True)
class MessageServices:
    """What the message handlers need: a unit of work per event, and the configured rules
    (an initiative's change recomputes its unit's PAR-Index contribution)."""

    uow: UowFactory
    config: handlers.EvaluationConfig


def _entry(model: type[EventData], handler: Handler) -> MessageHandler[MessageServices]:
    # The inbox keys each event by the queue it came from.
    consumer = queue_for(SERVICE, model.routing_key, model.exchange).name

    async def handle(services: MessageServices, event: CloudEvent, data: EventData) -> None:
        await handler(services.uow(), consumer, event, data, services.config)

    return handle


_HANDLERS: dict[type[EventData], Handler] = {
    InitiativeSubmittedV1: handlers.on_initiative_content,
    InitiativeAmendedV1: handlers.on_initiative_content,
    InitiativeWithdrawnV1: handlers.on_initiative_withdrawn,
    RoundScheduledV1: handlers.on_round_state,
    RoundRescheduledV1: handlers.on_round_state,
    RoundCancelledV1: handlers.on_round_cancelled,
}

ROUTES: RoutingTable[MessageServices] = {
    model: _entry(model, handler) for model, handler in _HANDLERS.items()
}
