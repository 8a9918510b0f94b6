"""Consumers: decode CloudEvents, call the service's handler, and apply the failure
policy: transient errors are retried up to the queue's delivery limit, permanent ones
(invalid payload) are parked at once in the dead-letter queue with the reason."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import RabbitBroker, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage

from cchc_shared.contracts.envelope import (
    CloudEvent,
    DecodeError,
    FieldError,
    decode_message,
    parse_data,
)
from cchc_shared.contracts.events import EventData
from cchc_shared.messaging import metrics
from cchc_shared.messaging.broker import publish_confirmed
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
    def __init__(
        self, broker: RabbitBroker, route: EventRoute, *, retry_delay: float = 0.5
    ) -> None:
        self.broker = broker
        self.route = route
        self.retry_delay = retry_delay

    def register(self) -> None:
        subscriber = self.broker.subscriber(
            RabbitQueue(self.route.queue.name, declare=False),
            ack_policy=AckPolicy.MANUAL,
            title=self.route.queue.name,
        )

        context = self.broker.context

        # No parameters: a context-injected parameter makes FastStream's dependency
        # injection resolve it in a worker thread, a thread hop per message.
        async def on_message() -> None:
            message: RabbitMessage = context.get_local("message")
            raw = message.raw_message
            headers = dict(raw.headers or {})
            incoming = IncomingMessage(
                body=raw.body,
                headers=headers,
                content_type=raw.content_type,
                message_id=raw.message_id,
                exchange=raw.exchange or "",
                routing_key=raw.routing_key or "",
                delivery_count=_as_int(headers.get("x-delivery-count")),
            )
            outcome = await self.process(incoming)
            if outcome is Outcome.RETRY:
                await asyncio.sleep(min(10.0, self.retry_delay * (2**incoming.delivery_count)))
                await message.nack(requeue=True)
            else:
                await message.ack()

        subscriber(on_message)

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
        metrics.EVENTS_CONSUMED.labels(queue, outcome.value).inc()
        metrics.HANDLER_SECONDS.labels(queue).observe(time.perf_counter() - started)
        return outcome

    async def _reject(
        self, incoming: IncomingMessage, event: CloudEvent | None, errors: list[FieldError]
    ) -> Outcome:
        try:
            if self.route.on_rejected is not None:
                await self.route.on_rejected(incoming, event, errors)
            await park(self.broker, incoming, self.route.queue.name, errors)
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
    broker: RabbitBroker, incoming: IncomingMessage, queue: str, errors: list[FieldError]
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
    await publish_confirmed(
        broker,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=queue,
        body=incoming.body,
        message_id=incoming.message_id or "",
        content_type=incoming.content_type or "application/octet-stream",
        headers=headers,
    )
