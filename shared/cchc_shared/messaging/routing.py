"""A service's routing table: ``{event model: handler}``, the one list of what it consumes.

Each service's ``entrypoints/messages.py`` holds one ``ROUTES`` table. Its queues, its
FastStream subscribers, the broker definitions and the AsyncAPI document are all derived from
it, so nothing else lists a service's subscriptions. A queue is named
``<service>.<routing key>`` on the model's exchange unless the entry says otherwise (intake's
inbound queue takes every routing key of ``cchc.inbound``).

A handler is ``async def handler(services, event, data)``: ``services`` is the object the
service's composition root builds, ``event`` the decoded CloudEvent, ``data`` the validated
model instance.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from cchc_shared.contracts.envelope import CloudEvent, FieldError
from cchc_shared.contracts.events import EventData
from cchc_shared.messaging.consumer import EventRoute, IncomingMessage
from cchc_shared.messaging.topology import QueueSpec, queue_for

S = TypeVar("S")

MessageHandler = Callable[[S, CloudEvent, Any], Awaitable[None]]
RejectHandler = Callable[[S, IncomingMessage, CloudEvent | None, list[FieldError]], Awaitable[None]]


@dataclass(frozen=True)
class Route(Generic[S]):
    """A table entry that needs more than a handler: its own queue, or a hook called before
    a refused message is parked (intake answers it with InitiativeRejected)."""

    handler: MessageHandler[S]
    queue: QueueSpec | None = None
    on_rejected: RejectHandler[S] | None = None


RoutingTable = Mapping[type[EventData], "MessageHandler[S] | Route[S]"]


def _entry(value: MessageHandler[S] | Route[S]) -> Route[S]:
    return value if isinstance(value, Route) else Route(handler=value)


def queue_of(
    service: str, model: type[EventData], value: MessageHandler[S] | Route[S]
) -> QueueSpec:
    entry = _entry(value)
    if entry.queue is not None:
        return entry.queue
    return queue_for(service, model.routing_key, model.exchange)


def subscriptions(service: str, table: RoutingTable[Any]) -> tuple[QueueSpec, ...]:
    """The service's queues, in the table's order, each once."""
    queues: dict[str, QueueSpec] = {}
    for model, value in table.items():
        spec = queue_of(service, model, value)
        queues.setdefault(spec.name, spec)
    return tuple(queues.values())


ROUTES_ENTRY_POINTS = "cchc.routes"


@functools.cache
def installed_subscriptions() -> dict[str, tuple[QueueSpec, ...]]:
    """Every installed service's queues, read off its routing table: each service registers
    ``ROUTES`` under the ``cchc.routes`` entry points (its pyproject.toml). In a service image
    that is the service alone; in the workspace it is the whole bus."""
    found = {
        point.name: subscriptions(point.name, point.load())
        for point in entry_points(group=ROUTES_ENTRY_POINTS)
    }
    return dict(sorted(found.items()))


def all_queues() -> list[QueueSpec]:
    return [spec for specs in installed_subscriptions().values() for spec in specs]


def find_queue(name: str) -> QueueSpec | None:
    """The queue named ``name``, or whose dead-letter queue it is."""
    return next(
        (spec for spec in all_queues() if name in (spec.name, spec.dead_letter_queue)), None
    )


def bind(service: str, table: RoutingTable[S], services: S) -> list[EventRoute]:
    """The kit's consumer routes for the table, each handler bound to ``services``."""
    grouped: dict[str, tuple[QueueSpec, dict[str, tuple[type[EventData], Route[S]]]]] = {}
    for model, value in table.items():
        spec = queue_of(service, model, value)
        grouped.setdefault(spec.name, (spec, {}))[1][model.event_type()] = (model, _entry(value))
    return [_route(spec, entries, services) for spec, entries in grouped.values()]


def _route(
    spec: QueueSpec, entries: dict[str, tuple[type[EventData], Route[S]]], services: S
) -> EventRoute:
    handlers = {event_type: entry.handler for event_type, (_, entry) in entries.items()}
    hooks = {entry.on_rejected for _, entry in entries.values() if entry.on_rejected}
    if len(hooks) > 1:
        raise ValueError(f"queue {spec.name}: one rejection hook per queue")

    async def handle(event: CloudEvent, data: EventData) -> None:
        await handlers[event.type](services, event, data)

    on_rejected = None
    if hooks:
        hook = hooks.pop()

        async def on_rejected(
            incoming: IncomingMessage, event: CloudEvent | None, errors: list[FieldError]
        ) -> None:
            await hook(services, incoming, event, errors)

    return EventRoute(
        queue=spec,
        models={event_type: model for event_type, (model, _) in entries.items()},
        handler=handle,
        on_rejected=on_rejected,
    )
