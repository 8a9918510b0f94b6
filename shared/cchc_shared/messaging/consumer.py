"""Consumers: FastStream subscribers whose handler body is the kit's: decode the CloudEvent,
call the service's handler (which records the event in its inbox in the same transaction as
its effect), and apply the failure policy: transient errors are retried with backoff up to
the queue's delivery limit, permanent ones (invalid payload) are parked at once in the queue's
dead-letter queue with the reason."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, Union, cast

import aio_pika.abc
import aio_pika.exceptions
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import (
    Channel,
    ExchangeType,
    QueueType,
    RabbitBroker,
    RabbitExchange,
    RabbitQueue,
)

from cchc_shared.contracts.envelope import (
    CloudEvent,
    DecodeError,
    FieldError,
    decode_message,
    envelope_model,
    parse_data,
)
from cchc_shared.contracts.events import EventData
from cchc_shared.errors import DomainError
from cchc_shared.messaging import cluster, metrics
from cchc_shared.messaging.broker import AmqpPublisher
from cchc_shared.messaging.topology import (
    DEFAULT_DELIVERY_LIMIT,
    PARKING_EXCHANGE,
    QueueSpec,
    queue_arguments,
)
from cchc_shared.messaging.trust import (
    ORIGINAL_USER_HEADER,
    BusTrust,
    Untrusted,
    broker_user,
    without_reserved_headers,
)

log = logging.getLogger("cchc.consumer")

# Headers the kit adds to a parked message; `cchc dlq` reads them and strips them on replay.
REASON_HEADER = "x-cchc-reason"
ERRORS_HEADER = "x-cchc-errors"
ORIGINAL_QUEUE_HEADER = "x-cchc-original-queue"
ORIGINAL_EXCHANGE_HEADER = "x-cchc-original-exchange"
ORIGINAL_ROUTING_KEY_HEADER = "x-cchc-original-routing-key"
PARKED_AT_HEADER = "x-cchc-parked-at"
RETRY_DELAY_MAX = 10.0  # seconds a failed message waits before it is handed back


class ParkingPublisher(Protocol):
    """What parking needs of a publisher: the kit's AmqpPublisher, or a fake in unit tests."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(
        self,
        *,
        exchange: str,
        routing_key: str,
        body: bytes,
        message_id: str,
        content_type: str,
        headers: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> None: ...


class PermanentError(Exception):
    """Raised by a handler when retrying can never succeed (the event itself is at fault)."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


class Outcome(StrEnum):
    HANDLED = "handled"
    PARKED = "parked"
    RETRY = "retry"


EventHandler = Callable[[CloudEvent, EventData], Awaitable[None]]


@dataclass(frozen=True)
class IncomingMessage:
    body: bytes
    headers: Mapping[str, Any]
    content_type: str | None
    message_id: str | None
    exchange: str
    routing_key: str
    delivery_count: int = 0
    # The AMQP user_id property: the broker has checked it is the publisher's own user.
    user_id: str | None = None


def headers_as_json(headers: Mapping[str, Any]) -> dict[str, Any]:
    """AMQP headers as a JSON document, exactly (bytes, timestamps, decimals and tables
    tagged), so that a message kept in a database can be read again as it was received."""
    return {str(name): _field_as_json(value) for name, value in headers.items()}


def headers_from_json(document: Mapping[str, Any]) -> dict[str, Any]:
    """The AMQP headers ``headers_as_json`` wrote."""
    return {name: _field_from_json(value) for name, value in document.items()}


def _field_as_json(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, Mapping):
        return {"$table": headers_as_json(value)}
    if isinstance(value, list | tuple):
        return [_field_as_json(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _field_from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_field_from_json(item) for item in value]
    if isinstance(value, dict) and len(value) == 1:
        [(tag, inner)] = value.items()
        if tag == "$bytes":
            return base64.b64decode(inner)
        if tag == "$time":
            return datetime.fromisoformat(inner)
        if tag == "$decimal":
            return Decimal(inner)
        if tag == "$table":
            return headers_from_json(inner)
    return value


# Called before an invalid message is parked (intake answers with InitiativeRejected).
RejectHook = Callable[[IncomingMessage, CloudEvent | None, list[FieldError]], Awaitable[None]]


@dataclass
class EventRoute:
    """One queue of a service: the event models it accepts and the handler to call."""

    queue: QueueSpec
    models: Mapping[str, type[EventData]]
    handler: EventHandler
    on_rejected: RejectHook | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def event_faults(error: DomainError) -> list[FieldError]:
    """A domain error's faults as fields of the event's ``data``."""
    return [
        FieldError(f"$.data.{f.field}" if f.field else "$.data", f.bilingual) for f in error.faults
    ]


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _errors_json(errors: list[FieldError]) -> str:
    return json.dumps([e.as_dict() for e in errors], ensure_ascii=False)


class EventConsumer:
    """One queue of a service: decode, handle, then acknowledge, retry or park."""

    def __init__(
        self,
        route: EventRoute,
        publisher: ParkingPublisher,
        *,
        trust: BusTrust,
        retry_delay: float = 0.5,
    ) -> None:
        self.route = route
        self.publisher = publisher
        self.trust = trust
        self.retry_delay = retry_delay
        # The labelled metric children, looked up once rather than per message.
        queue = route.queue.name
        self._consumed = {o: metrics.EVENTS_CONSUMED.labels(queue, o.value) for o in Outcome}
        self._untrusted = {u: metrics.EVENTS_UNTRUSTED.labels(queue, u.value) for u in Untrusted}
        self._handler_seconds = metrics.HANDLER_SECONDS.labels(queue)

    async def handle(self, message: StreamMessage[Any]) -> None:
        """The FastStream handler: the message as delivered, settled here (AckPolicy.MANUAL)."""
        await self.deliver(message.raw_message)

    async def deliver(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        headers = dict(message.headers or {})
        incoming = IncomingMessage(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            exchange=message.exchange or "",
            routing_key=message.routing_key or "",
            delivery_count=_as_int(headers.get("x-delivery-count")),
            user_id=message.user_id,
        )
        outcome = await self.process(incoming)
        try:
            if outcome is Outcome.RETRY:
                await asyncio.sleep(
                    min(RETRY_DELAY_MAX, self.retry_delay * (2**incoming.delivery_count))
                )
                await message.nack(requeue=True)
            else:
                await message.ack()
        except (aio_pika.exceptions.AMQPError, ConnectionError, RuntimeError):
            # The channel went away with the message unsettled: the broker delivers it
            # again, and the inbox makes the repeat a no-op.
            log.warning("could not settle a message; it will be redelivered")

    async def process(self, incoming: IncomingMessage) -> Outcome:
        started = time.perf_counter()
        try:
            event, errors = await self._attempt(incoming)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "handler failed; the message will be retried",
                extra={"queue": self.route.queue.name},
            )
            outcome = Outcome.RETRY
        else:
            if errors is None:
                outcome = Outcome.HANDLED
            else:
                outcome = await self._reject(incoming, event, errors)
        self._consumed[outcome].inc()
        self._handler_seconds.observe(time.perf_counter() - started)
        return outcome

    async def reprocess(self, incoming: IncomingMessage) -> list[FieldError]:
        """A refused message kept as it was received, processed again now: the same decoding,
        trust check (with the ``user_id`` the broker verified when it was received), handler
        and inbox, and the rejection hook if it is refused again; it is not parked again,
        since its copy stays where it is kept. The faults (empty when it was handled); a
        transient failure raises."""
        event, errors = await self._attempt(incoming)
        if errors is None:
            return []
        if self.route.on_rejected is not None:
            await self.route.on_rejected(incoming, event, errors)
        return errors

    async def _attempt(
        self, incoming: IncomingMessage
    ) -> tuple[CloudEvent | None, list[FieldError] | None]:
        """Decode, believe and handle the message: its event (None when unreadable) and,
        when it is refused, why (None when handled). A transient failure raises."""
        event: CloudEvent | None = None
        try:
            try:
                event = decode_message(incoming.body, incoming.headers, incoming.content_type)
                data = self._believed_data(incoming, event)
            except DecodeError:
                raise
            except Exception as exc:  # the same bytes would fail again: never worth a retry
                log.warning(
                    "message cannot be decoded",
                    exc_info=True,
                    extra={"queue": self.route.queue.name},
                )
                raise DecodeError(
                    [FieldError("", f"message cannot be read: {type(exc).__name__}")]
                ) from exc
            await self.route.handler(event, data)
        except (DecodeError, PermanentError) as exc:
            return event, exc.errors
        except DomainError as exc:  # the event itself breaks a rule of the domain
            return event, event_faults(exc)
        return event, None

    def _believed_data(self, incoming: IncomingMessage, event: CloudEvent) -> EventData:
        """The event's validated ``data``, if this queue takes its type from its publisher."""
        model = self.route.models.get(event.type)
        if model is None:
            raise DecodeError(
                [
                    FieldError(
                        "$.type",
                        f"unknown event type '{event.type}' for queue {self.route.queue.name}",
                    )
                ]
            )
        refusal = self.trust.check(event, model.publisher, incoming.user_id, incoming.headers)
        if refusal is not None:
            self._untrusted[refusal.reason].inc()
            log.warning(
                "untrusted event refused",
                extra={
                    "queue": self.route.queue.name,
                    "event_type": event.type,
                    "source": event.source,
                    "user_id": incoming.user_id,
                    "reason": refusal.reason.value,
                },
            )
            raise DecodeError([refusal.error])
        return parse_data(event, model)

    async def _reject(
        self, incoming: IncomingMessage, event: CloudEvent | None, errors: list[FieldError]
    ) -> Outcome:
        try:
            if self.route.on_rejected is not None:
                await self.route.on_rejected(incoming, event, errors)
            await park(self.publisher, incoming, self.route.queue.name, errors)
        except Exception:
            log.exception("could not park an invalid message; it will be retried")
            return Outcome.RETRY
        log.warning(
            "message parked",
            extra={
                "queue": self.route.queue.name,
                "message_id": incoming.message_id,
                "errors": _errors_json(errors),
            },
        )
        return Outcome.PARKED


async def park(
    publisher: ParkingPublisher, incoming: IncomingMessage, queue: str, errors: list[FieldError]
) -> None:
    """Send the original message, unchanged but for the reason headers, to the queue's DLQ
    (through the parking exchange, where each service may write only its own queues' keys).
    The publisher's reserved headers are dropped; who published it is kept for a replay."""
    reason = "; ".join(f"{e.field or '<message>'}: {e.message}" for e in errors)
    headers = {
        **without_reserved_headers(incoming.headers),
        ORIGINAL_USER_HEADER: incoming.user_id or "",
        REASON_HEADER: reason[:4000],
        ERRORS_HEADER: _errors_json(errors)[:16000],
        ORIGINAL_QUEUE_HEADER: queue,
        ORIGINAL_EXCHANGE_HEADER: incoming.exchange,
        ORIGINAL_ROUTING_KEY_HEADER: incoming.routing_key,
        PARKED_AT_HEADER: datetime.now(UTC).isoformat(),
    }
    await publisher.publish(
        exchange=PARKING_EXCHANGE,
        routing_key=queue,
        body=incoming.body,
        message_id=incoming.message_id or "",
        content_type=incoming.content_type or "application/octet-stream",
        headers=headers,
    )


class Consumers:
    """A service's consumers: one FastStream subscriber per queue, on the FastStream broker's
    own connection (publishing has another, as RabbitMQ advises), one channel per queue with up
    to ``prefetch_count`` messages in hand. The connection is robust: after a broker restart or
    a closed connection it reconnects and the subscribers resume. ``stop`` lets the messages in
    hand finish and be acknowledged; the prefetched rest go back to their queues. Of a
    cluster's addresses, it uses the first that answers and moves on when its node is gone.

    FastStream is set up for speed (each choice measured, see docs/performance.md):
    ``apply_types=False`` and a decoder that hands the handler the message itself, so no
    dependency model or validation runs per message; every callable is ``async def``, so no
    thread-pool hop; ``AckPolicy.MANUAL``, since the kit acknowledges, retries and parks
    itself (the default policy would dead-letter on the first transient error); ``no_reply``;
    and the broker's access log ("Received"/"Processed") one level below the logger's.
    """

    def __init__(
        self,
        amqp_url: str,
        routes: list[EventRoute] | None = None,
        *,
        publisher: ParkingPublisher | None = None,
        prefetch_count: int = 64,
        retry_delay: float = 0.5,
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
        graceful_timeout: float = 30.0,
        name: str = "consumer",
        trust: BusTrust | None = None,
    ) -> None:
        self.amqp_url = amqp_url
        self.trust = trust or BusTrust(own_user=broker_user(amqp_url))
        # Parking publishes through the service's publisher; without one, an own one.
        self._owns_publisher = publisher is None
        self.publisher: ParkingPublisher = publisher or AmqpPublisher(amqp_url, app_id=name)
        self.prefetch_count = prefetch_count
        self.retry_delay = retry_delay
        self.delivery_limit = delivery_limit
        self.name = name
        self.routes: list[EventRoute] = []
        self._by_queue: dict[str, EventConsumer] = {}
        # The slowest handler may wait out its retry delay (at most RETRY_DELAY_MAX) before
        # it settles its message: the grace period covers that on top of the handler itself.
        self.graceful_timeout = max(graceful_timeout, RETRY_DELAY_MAX + 5.0)
        connection = cluster.connection_options(amqp_url)
        self.broker = RabbitBroker(
            connection["url"],
            timeout=connection.get("timeout"),
            apply_types=False,
            ack_policy=AckPolicy.MANUAL,
            graceful_timeout=self.graceful_timeout,
            app_id=name,
            client_properties=cast(Any, {"connection_name": f"{name} consumers"}),
            logger=log,
            # Below the logger's level: the per-message access log costs ~40% otherwise.
            log_level=logging.DEBUG,
            description=f"The {name} service's subscriptions and publications.",
        )
        # FastStream connects with aio-pika's connect_robust and these keyword arguments:
        # its class, so that the consumers follow a cluster's nodes as the publisher does.
        self.broker._connection_kwargs["connection_class"] = connection["connection_class"]
        for route in routes or ():
            self.subscribe(route)

    def subscribe(self, route: EventRoute) -> None:
        """One subscriber for the route's queue, declared as the topology declares it."""
        consumer = EventConsumer(
            route, self.publisher, trust=self.trust, retry_delay=self.retry_delay
        )
        self._by_queue[route.queue.name] = consumer
        spec = route.queue
        queue = RabbitQueue(
            spec.name,
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments=cast(Any, queue_arguments(spec, self.delivery_limit)),
            routing_key=spec.binding_key,
        )
        exchange = RabbitExchange(spec.exchange, type=ExchangeType.TOPIC, durable=True)
        models = ", ".join(sorted(route.models))
        subscriber = self.broker.subscriber(
            queue,
            exchange,
            channel=Channel(prefetch_count=self.prefetch_count),
            ack_policy=AckPolicy.MANUAL,
            no_reply=True,
            decoder=_the_message_itself,
            title=spec.name,
            description=f"{models}; dead letters to {spec.dead_letter_queue}",
        )
        subscriber(_documented(consumer.handle, route))
        self.routes.append(route)

    def consumer(self, queue: str) -> EventConsumer:
        """The consumer of one of the service's queues (to process a kept message again)."""
        return self._by_queue[queue]

    def declare_publisher(self, model: type[EventData]) -> None:
        """Document an event the service publishes (the outbox relay publishes it, with
        pipelined confirms; FastStream's publisher object is never called)."""
        self.broker.publisher(
            exchange=RabbitExchange(model.exchange, type=ExchangeType.TOPIC, durable=True),
            routing_key=model.routing_key,
            persist=True,
            title=f"{model.exchange}:{model.routing_key}",
            description=model.description,
            schema=envelope_model(model),
        )

    @property
    def connected(self) -> bool:
        connection = self.broker._connection
        return connection is not None and not connection.is_closed

    async def start(self) -> None:
        if self._owns_publisher:
            await self.publisher.start()
        await self.broker.start()

    async def stop(self) -> None:
        """Stop taking messages, wait (up to the grace period) for the messages in hand, then
        close the connection: what was prefetched and not handled is redelivered."""
        with contextlib.suppress(Exception):
            await self.broker.stop()
        if self._owns_publisher:
            await self.publisher.stop()


def _documented(
    handle: Callable[[StreamMessage[Any]], Awaitable[None]], route: EventRoute
) -> Callable[[StreamMessage[Any]], Awaitable[None]]:
    """The handler, with a signature naming the route's CloudEvents for the AsyncAPI document
    (FastStream reads the payload off the handler's signature; with ``apply_types=False`` it
    never validates against it)."""

    async def handle_event(message: StreamMessage[Any]) -> None:
        await handle(message)

    envelopes = tuple(envelope_model(model) for model in route.models.values())
    payload: Any = envelopes[0] if len(envelopes) == 1 else Union[envelopes]  # noqa: UP007
    handle_event.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("event", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=payload)]
    )
    handle_event.__doc__ = f"Consumes {', '.join(sorted(route.models))} from {route.queue.name}."
    return handle_event


async def _the_message_itself(message: StreamMessage[Any]) -> StreamMessage[Any]:
    """FastStream's decoder: the handler gets the message, and the kit decodes the body."""
    return message
