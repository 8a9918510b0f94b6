"""Inspect and replay parked (dead-lettered) messages, over plain AMQP.

A replay goes home: the target queue is the dead-letter queue's own name without ``.dlq``,
never a header, since a publisher can set headers. Each parked message is sent back at most
once per request. The replay is published as the operator's user, and names the original
publisher in ``x-cchc-original-user-id`` so that the consumer checks it as it would have
checked the original: for a message the broker dead-lettered, the ``user_id`` the broker
verified; for one the kit parked, the header the kit wrote when it parked it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from cchc_shared.messaging import cluster
from cchc_shared.messaging.consumer import (
    ERRORS_HEADER,
    PARKED_AT_HEADER,
    REASON_HEADER,
)
from cchc_shared.messaging.routing import all_queues
from cchc_shared.messaging.topology import QueueSpec
from cchc_shared.messaging.trust import (
    ORIGINAL_USER_HEADER,
    broker_user,
    without_reserved_headers,
)


@dataclass(frozen=True)
class ParkedMessage:
    dead_letter_queue: str
    original_queue: str
    message_id: str
    reason: str
    errors: list[dict[str, Any]]
    parked_at: str
    body_preview: str
    published_by: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


def home_queue(dead_letter_queue: str) -> str:
    """The queue a dead-letter queue belongs to: from its name, which nobody can forge."""
    return dead_letter_queue.removesuffix(".dlq")


def _dead_lettered_by_broker(message: AbstractIncomingMessage) -> bool:
    # The kit drops x-death when it parks, so only the broker's dead-lettering leaves it.
    return "x-death" in (message.headers or {})


def original_publisher(message: AbstractIncomingMessage) -> str:
    """The broker user who published the parked original ('' when unknown)."""
    if _dead_lettered_by_broker(message):
        return message.user_id or ""
    return _text((message.headers or {}).get(ORIGINAL_USER_HEADER))


def _reason(message: AbstractIncomingMessage) -> tuple[str, list[dict[str, Any]]]:
    headers = message.headers or {}
    if REASON_HEADER in headers:
        try:
            errors = json.loads(_text(headers.get(ERRORS_HEADER)) or "[]")
        except json.JSONDecodeError:
            errors = []
        return _text(headers[REASON_HEADER]), errors
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        death = deaths[0]
        reason = f"dead-lettered by the broker: {_text(death.get('reason'))}"
        return reason + f" after {_text(death.get('count', '?'))} time(s)", []
    return "unknown", []


def _describe(message: AbstractIncomingMessage, dead_letter_queue: str) -> ParkedMessage:
    reason, errors = _reason(message)
    return ParkedMessage(
        dead_letter_queue=dead_letter_queue,
        original_queue=home_queue(dead_letter_queue),
        message_id=message.message_id or "",
        reason=reason,
        errors=errors,
        parked_at=_text((message.headers or {}).get(PARKED_AT_HEADER)),
        body_preview=message.body[:200].decode("utf-8", "replace"),
        published_by=original_publisher(message),
    )


async def _drain(
    channel: aio_pika.abc.AbstractChannel, queue_name: str, timeout: float
) -> list[AbstractIncomingMessage]:
    """Take every message currently in the queue without acknowledging any. ``timeout``
    bounds the broker's answer to each get (an empty queue answers at once); a busy broker
    may take well over a second."""
    queue = await channel.declare_queue(queue_name, passive=True)
    expected = queue.declaration_result.message_count or 0
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < expected:
        message = await queue.get(no_ack=False, fail=False, timeout=timeout)
        if message is None:
            break
        taken.append(message)
    return taken


def dead_letter_queues(names: Iterable[str] | None = None) -> list[str]:
    specs: list[QueueSpec] = all_queues()
    wanted = set(names or ())
    return [
        spec.dead_letter_queue
        for spec in specs
        if not wanted or spec.name in wanted or spec.dead_letter_queue in wanted
    ]


async def list_parked(
    amqp_url: str, queues: Iterable[str] | None = None, timeout: float = 10.0
) -> list[ParkedMessage]:
    connection = await cluster.connect(amqp_url)
    found: list[ParkedMessage] = []
    try:
        for name in dead_letter_queues(queues):
            channel = await connection.channel()
            try:
                messages = await _drain(channel, name, timeout)
            except aio_pika.exceptions.ChannelClosed:
                continue  # not declared yet: nothing parked there
            found.extend(_describe(message, name) for message in messages)
            # Closing the channel returns every unacknowledged message to the queue.
            await channel.close()
    finally:
        await connection.close()
    return found


async def replay_parked(
    amqp_url: str,
    queues: Iterable[str] | None = None,
    message_ids: Iterable[str] | None = None,
    timeout: float = 10.0,
) -> list[ParkedMessage]:
    """Send parked messages back to the queue they came from (and only that queue), each at
    most once: each dead-letter queue is drained before anything is sent back, and what is
    sent back returns (if parked again) only to that same queue, after its drain."""
    wanted_ids = set(message_ids or ())
    replayed: list[ParkedMessage] = []
    operator = broker_user(amqp_url)
    connection = await cluster.connect(amqp_url)
    try:
        for name in dead_letter_queues(queues):
            channel = await connection.channel(publisher_confirms=True)
            try:
                messages = await _drain(channel, name, timeout)
            except aio_pika.exceptions.ChannelClosed:
                continue
            for message in messages:
                if wanted_ids and message.message_id not in wanted_ids:
                    continue
                parked = _describe(message, name)
                headers = without_reserved_headers(message.headers or {})
                headers.pop("x-delivery-count", None)
                headers[ORIGINAL_USER_HEADER] = parked.published_by
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        body=message.body,
                        headers=headers,
                        content_type=message.content_type,
                        message_id=message.message_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        user_id=operator,
                    ),
                    routing_key=parked.original_queue,
                    mandatory=True,
                )
                await message.ack()
                replayed.append(parked)
            await channel.close()
    finally:
        await connection.close()
    return replayed


def run_list(amqp_url: str, queues: list[str] | None, as_json: bool) -> int:
    parked = asyncio.run(list_parked(amqp_url, queues))
    if as_json:
        print(json.dumps([p.as_dict() for p in parked], ensure_ascii=False, indent=2))
        return 0
    if not parked:
        print("No parked messages.")
        return 0
    for p in parked:
        print(f"{p.dead_letter_queue}\t{p.message_id}\t{p.parked_at}\t{p.reason}")
    print(f"{len(parked)} parked message(s).")
    return 0


def run_replay(amqp_url: str, queues: list[str] | None, message_ids: list[str] | None) -> int:
    replayed = asyncio.run(replay_parked(amqp_url, queues, message_ids))
    for p in replayed:
        print(f"replayed {p.message_id} -> {p.original_queue}")
    print(f"{len(replayed)} message(s) replayed.")
    return 0
