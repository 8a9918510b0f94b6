"""Inspect and replay parked (dead-lettered) messages, over plain AMQP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from cchc_shared.messaging.consumer import (
    ERRORS_HEADER,
    KIT_HEADER_PREFIX,
    ORIGINAL_QUEUE_HEADER,
    PARKED_AT_HEADER,
    REASON_HEADER,
)
from cchc_shared.messaging.routing import all_queues
from cchc_shared.messaging.topology import QueueSpec


@dataclass(frozen=True)
class ParkedMessage:
    dead_letter_queue: str
    original_queue: str
    message_id: str
    reason: str
    errors: list[dict[str, Any]]
    parked_at: str
    body_preview: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


def _original_queue(message: AbstractIncomingMessage, dead_letter_queue: str) -> str:
    headers = message.headers or {}
    if ORIGINAL_QUEUE_HEADER in headers:
        return _text(headers[ORIGINAL_QUEUE_HEADER])
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return _text(deaths[0].get("queue"))
    return dead_letter_queue.removesuffix(".dlq")


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
        original_queue=_original_queue(message, dead_letter_queue),
        message_id=message.message_id or "",
        reason=reason,
        errors=errors,
        parked_at=_text((message.headers or {}).get(PARKED_AT_HEADER)),
        body_preview=message.body[:200].decode("utf-8", "replace"),
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
    connection = await aio_pika.connect(amqp_url)
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
    """Send parked messages back to the queue they came from (and only that queue)."""
    wanted_ids = set(message_ids or ())
    replayed: list[ParkedMessage] = []
    connection = await aio_pika.connect(amqp_url)
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
                headers = {
                    key: value
                    for key, value in (message.headers or {}).items()
                    if not key.startswith(KIT_HEADER_PREFIX)
                    and not key.startswith("x-death")
                    and key
                    not in (
                        "x-first-death-exchange",
                        "x-first-death-queue",
                        "x-first-death-reason",
                        "x-delivery-count",
                    )
                }
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        body=message.body,
                        headers=headers,
                        content_type=message.content_type,
                        message_id=message.message_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
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
