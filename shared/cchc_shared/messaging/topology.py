"""The bus topology, declared from code: exchanges, one quorum queue per
(consumer service, event) with a delivery limit, and its dead-letter queue."""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel
from pamqp.common import FieldValue

from cchc_shared.contracts.events import EVENTS_EXCHANGE, INBOUND_EXCHANGE
from cchc_shared.messaging import cluster

# Where the broker dead-letters (a delivery limit reached); only the broker writes it.
DEAD_LETTER_EXCHANGE = "cchc.dlx"
# Where the kit parks what it refuses: a topic exchange, so that topic permissions keep each
# service to its own queues' dead-letter queues (routing key = the queue's name).
PARKING_EXCHANGE = "cchc.parking"
DEFAULT_DELIVERY_LIMIT = 5
INBOUND_QUEUE = "intake.inbound"


@dataclass(frozen=True)
class QueueSpec:
    """A consumer's durable queue bound to one exchange for one routing key."""

    service: str
    exchange: str
    binding_key: str
    name: str

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


def queue_for(service: str, routing_key: str, exchange: str = EVENTS_EXCHANGE) -> QueueSpec:
    return QueueSpec(service, exchange, routing_key, f"{service}.{routing_key}")


def queue_arguments(spec: QueueSpec, delivery_limit: int) -> dict[str, FieldValue]:
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": delivery_limit,
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": spec.name,
    }


async def declare_exchanges(channel: AbstractChannel) -> None:
    for name in (EVENTS_EXCHANGE, INBOUND_EXCHANGE):
        await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
    await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    await channel.declare_exchange(PARKING_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_queue(
    channel: AbstractChannel, spec: QueueSpec, delivery_limit: int = DEFAULT_DELIVERY_LIMIT
) -> None:
    dead_letters = await channel.declare_queue(
        spec.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_letters.bind(DEAD_LETTER_EXCHANGE, routing_key=spec.name)
    await dead_letters.bind(PARKING_EXCHANGE, routing_key=spec.name)
    queue = await channel.declare_queue(
        spec.name, durable=True, arguments=queue_arguments(spec, delivery_limit)
    )
    await queue.bind(spec.exchange, routing_key=spec.binding_key)


async def declare_topology(
    amqp_url: str,
    queues: tuple[QueueSpec, ...] | list[QueueSpec] = (),
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
) -> None:
    """Idempotent: every service declares the exchanges and its own queues on start, on the
    first node of the cluster that answers (a quorum queue is declared cluster-wide)."""
    connection = await cluster.connect(amqp_url)
    try:
        channel = await connection.channel()
        await declare_exchanges(channel)
        for spec in queues:
            await declare_queue(channel, spec, delivery_limit)
    finally:
        await connection.close()
