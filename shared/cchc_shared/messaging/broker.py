"""The FastStream broker every service uses, and the one way to publish a stored message."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from faststream.rabbit import Channel, RabbitBroker, RabbitExchange

from cchc_shared.contracts.events import EVENTS_EXCHANGE, INBOUND_EXCHANGE
from cchc_shared.messaging.topology import DEAD_LETTER_EXCHANGE

# Topology is declared by declare_topology(); FastStream must never re-declare it.
_EXCHANGES = {
    name: RabbitExchange(name, declare=False)
    for name in (EVENTS_EXCHANGE, INBOUND_EXCHANGE, DEAD_LETTER_EXCHANGE)
}
DEFAULT_EXCHANGE = RabbitExchange("", declare=False)


class PublishError(Exception):
    """The broker did not confirm the message (nack, return, timeout or no connection)."""


def make_broker(
    amqp_url: str,
    *,
    app_id: str,
    prefetch_count: int = 64,
    graceful_timeout: float = 30.0,
    middlewares: tuple[Any, ...] = (),
) -> RabbitBroker:
    return RabbitBroker(
        amqp_url,
        default_channel=Channel(
            publisher_confirms=True, on_return_raises=True, prefetch_count=prefetch_count
        ),
        app_id=app_id,
        graceful_timeout=graceful_timeout,
        # Per-message INFO logs cost a large share of consume throughput: keep them at DEBUG.
        log_level=logging.DEBUG,
        middlewares=middlewares,
        fail_fast=False,
    )


def exchange_ref(name: str) -> RabbitExchange:
    return _EXCHANGES.get(name) or (
        DEFAULT_EXCHANGE if name == "" else RabbitExchange(name, declare=False)
    )


async def publish_confirmed(
    broker: RabbitBroker,
    *,
    exchange: str,
    routing_key: str,
    body: bytes,
    message_id: str,
    content_type: str,
    headers: dict[str, Any] | None = None,
    timeout: float = 10.0,
) -> None:
    """Publish persistent + mandatory and wait for the broker's ack; anything else raises."""
    try:
        async with asyncio.timeout(timeout):
            confirmation = await broker.publish(
                body,
                exchange=exchange_ref(exchange),
                routing_key=routing_key,
                persist=True,
                mandatory=True,
                message_id=message_id,
                content_type=content_type,
                headers=headers or None,
                timeout=timeout,
            )
    except TimeoutError as exc:
        raise PublishError(f"no confirm within {timeout}s") from exc
    except Exception as exc:  # nack, return (on_return_raises), closed channel, ...
        raise PublishError(f"{type(exc).__name__}: {exc}") from exc
    name = type(confirmation).__name__
    if confirmation is not None and name not in ("Ack", "BasicAck"):
        raise PublishError(f"broker answered {name}")
