"""Consumers: decode CloudEvents, call the service's handler, and apply the failure
policy: transient errors are retried up to the queue's delivery limit, permanent ones
(invalid payload) are parked at once in the dead-letter queue with the reason."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import aio_pika
import aio_pika.abc
import aio_pika.exceptions

from cchc_shared.contracts.envelope import (
    CloudEvent,
    DecodeError,
    FieldError,
    decode_message,
    parse_data,
)
from cchc_shared.contracts.events import EventData
from cchc_shared.messaging import metrics
from cchc_shared.messaging.broker import AmqpPublisher
from cchc_shared.messaging.topology import DEAD_LETTER_EXCHANGE, QueueSpec

log = logging.getLogger("cchc.consumer")

# Headers the kit adds to a parked message; `cchc dlq` reads them and strips them on replay.
REASON_HEADER = "x-cchc-reason"
ERRORS_HEADER = "x-cchc-errors"
ORIGINAL_QUEUE_HEADER = "x-cchc-original-queue"
ORIGINAL_EXCHANGE_HEADER = "x-cchc-original-exchange"
ORIGINAL_ROUTING_KEY_HEADER = "x-cchc-original-routing-key"
PARKED_AT_HEADER = "x-cchc-parked-at"
KIT_HEADER_PREFIX = "x-cchc-"


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


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _errors_json(errors: list[FieldError]) -> str:
    return json.dumps([e.as_dict() for e in errors], ensure_ascii=False)


class EventConsumer:
    """One queue of a service: decode, handle, then acknowledge, retry or park."""

    def __init__(
        self,
        route: EventRoute,
        publisher: AmqpPublisher,
        *,
        retry_delay: float = 0.5,
    ) -> None:
        self.route = route
        self.publisher = publisher
        self.retry_delay = retry_delay
        # The labelled metric children, looked up once rather than per message.
        queue = route.queue.name
        self._consumed = {o: metrics.EVENTS_CONSUMED.labels(queue, o.value) for o in Outcome}
        self._handler_seconds = metrics.HANDLER_SECONDS.labels(queue)

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
        )
        outcome = await self.process(incoming)
        try:
            if outcome is Outcome.RETRY:
                await asyncio.sleep(min(10.0, self.retry_delay * (2**incoming.delivery_count)))
                await message.nack(requeue=True)
            else:
                await message.ack()
        except (aio_pika.exceptions.AMQPError, ConnectionError, RuntimeError):
            # The channel went away with the message unsettled: the broker delivers it
            # again, and the inbox makes the repeat a no-op.
            log.warning("could not settle a message; it will be redelivered")

    async def process(self, incoming: IncomingMessage) -> Outcome:
        started = time.perf_counter()
        queue = self.route.queue.name
        event: CloudEvent | None = None
        try:
            event = decode_message(incoming.body, incoming.headers, incoming.content_type)
            model = self.route.models.get(event.type)
            if model is None:
                raise DecodeError(
                    [FieldError("$.type", f"unknown event type '{event.type}' for queue {queue}")]
                )
            data = parse_data(event, model)
            await self.route.handler(event, data)
        except (DecodeError, PermanentError) as exc:
            outcome = await self._reject(incoming, event, exc.errors)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handler failed; the message will be retried", extra={"queue": queue})
            outcome = Outcome.RETRY
        else:
            outcome = Outcome.HANDLED
        self._consumed[outcome].inc()
        self._handler_seconds.observe(time.perf_counter() - started)
        return outcome

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
    publisher: AmqpPublisher, incoming: IncomingMessage, queue: str, errors: list[FieldError]
) -> None:
    """Send the original message, unchanged but for the reason headers, to the queue's DLQ."""
    reason = "; ".join(f"{e.field or '<message>'}: {e.message}" for e in errors)
    headers = {
        **{k: v for k, v in incoming.headers.items() if not k.startswith(KIT_HEADER_PREFIX)},
        REASON_HEADER: reason[:4000],
        ERRORS_HEADER: _errors_json(errors)[:16000],
        ORIGINAL_QUEUE_HEADER: queue,
        ORIGINAL_EXCHANGE_HEADER: incoming.exchange,
        ORIGINAL_ROUTING_KEY_HEADER: incoming.routing_key,
        PARKED_AT_HEADER: datetime.now(UTC).isoformat(),
    }
    await publisher.publish(
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=queue,
        body=incoming.body,
        message_id=incoming.message_id or "",
        content_type=incoming.content_type or "application/octet-stream",
        headers=headers,
    )


class Consumers:
    """A service's consumers on a connection of their own (publishing has another, as
    RabbitMQ advises), one channel per queue, up to ``prefetch_count`` messages in hand per
    queue. The connection is robust: after a broker restart or a closed connection it
    reconnects and the consumers resume. ``stop`` lets the messages in hand finish and be
    acknowledged; the prefetched rest go back to their queues."""

    def __init__(
        self,
        amqp_url: str,
        routes: list[EventRoute],
        *,
        publisher: AmqpPublisher | None = None,
        prefetch_count: int = 64,
        retry_delay: float = 0.5,
        name: str = "consumer",
    ) -> None:
        self.amqp_url = amqp_url
        self.routes = routes
        # Parking publishes through the service's publisher; without one, an own one.
        self._owns_publisher = publisher is None
        self.publisher = publisher or AmqpPublisher(amqp_url, app_id=name)
        self.prefetch_count = prefetch_count
        self.retry_delay = retry_delay
        self.name = name
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._in_hand: set[asyncio.Task[Any]] = set()
        self._cancels: list[Callable[[], Awaitable[Any]]] = []
        self._stopping = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        self._connection = await aio_pika.connect_robust(
            self.amqp_url, client_properties={"connection_name": f"{self.name} consumers"}
        )
        if self._owns_publisher:
            await self.publisher.start()
        for route in self.routes:
            consumer = EventConsumer(route, self.publisher, retry_delay=self.retry_delay)
            channel = await self._connection.channel()
            await channel.set_qos(prefetch_count=self.prefetch_count)
            # Passive declaration: the channel then knows the queue and, after a reconnect,
            # restores it and its consumer (a queue taken with ensure=False is forgotten).
            queue = await channel.get_queue(route.queue.name, ensure=True)
            tag = await queue.consume(functools.partial(self._deliver, consumer))
            self._cancels.append(functools.partial(queue.cancel, tag))

    async def _deliver(
        self, consumer: EventConsumer, message: aio_pika.abc.AbstractIncomingMessage
    ) -> None:
        # aio-pika runs each delivery in a task of its own: up to the prefetch count are
        # handled at once (the handlers are idempotent and version-aware, not order-bound).
        if self._stopping.is_set():
            return  # left unacknowledged: the broker redelivers it
        task = asyncio.current_task()
        assert task is not None  # aio-pika runs each delivery in a task
        self._in_hand.add(task)
        try:
            await consumer.deliver(message)
        finally:
            self._in_hand.discard(task)

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop taking messages, wait (up to ``timeout``) for the messages in hand, then close
        the connection: what was prefetched and not handled is redelivered."""
        self._stopping.set()
        for cancel in self._cancels:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(cancel(), 5)
        self._cancels = []
        if self._in_hand:
            _, late = await asyncio.wait(set(self._in_hand), timeout=timeout)
            for task in late:
                task.cancel()
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._owns_publisher:
            await self.publisher.stop()
