"""The pipeline benchmark's constants, and its message, publishing and polling helpers."""

from __future__ import annotations

import asyncio
import math
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import aio_pika

from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import (
    INBOUND_EXCHANGE,
    InboundInitiativeSubmittedV1,
    InitiativeSubmittedV1,
)
from cchc_shared.messaging.routing import all_queues
from cchc_shared.messaging.topology import INBOUND_QUEUE, queue_for
from cchc_shared.reference import load_agencies

SECRET = "bench-pipeline-secret-" + "x" * 40
PLATFORM_SOURCE = "/platforms/bench"
SUBMITTED_TYPE = InitiativeSubmittedV1.event_type()
SUBMITTED_KEY = InitiativeSubmittedV1.routing_key
# The raw chain's outgoing event reaches as many quorum queues as intake's
# initiative.submitted.v1 does, so that the broker does the same work for both.
SUBMITTED_SUBSCRIBERS = sum(
    1
    for q in all_queues()
    if q.exchange == InitiativeSubmittedV1.exchange and q.binding_key == SUBMITTED_KEY
)
STAGE_TARGET = 0.60  # each one-hop stage vs the raw one-hop chain
P99_TARGET_MS = 500.0
PUBLISH_WINDOW = 200  # confirms awaited together, as bench_kit does
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REPO = Path(__file__).resolve().parents[1]

# The queue each stage drains, and its effect rows (counted in its own database).
STAGE_QUEUES = {
    "intake": INBOUND_QUEUE,
    **{
        s: queue_for(s, SUBMITTED_KEY).name
        for s in ("scheduling", "evaluation", "reporting", "notifications")
    },
}
EFFECT_SQL = {
    "intake": "SELECT count(*) FROM initiatives WHERE origin_id IS NOT NULL",
    "scheduling": "SELECT count(*) FROM pool",
    "evaluation": "SELECT count(*) FROM initiatives",
    "reporting": "SELECT count(*) FROM rm_initiative",
    # notifications keeps each initiative's agency contact (what a decision's mail needs)
    "notifications": "SELECT count(*) FROM initiatives",
}


# ---- messages --------------------------------------------------------------------------

Outgoing = tuple[str, bytes]  # (message id, CloudEvent body)


def inbound_messages(label: str, count: int) -> list[Outgoing]:
    """Valid inbound initiatives for the 2023 campaign, each with a title of its own."""
    agencies = [a for a in load_agencies().values() if a.code != "SNV"]
    tag = uuid.uuid4().hex[:8]
    out = []
    for index in range(count):
        data = InboundInitiativeSubmittedV1(
            campaign_year=2023,
            agency_code=agencies[index % len(agencies)].code,
            kind="model",
            title=f"Mô hình đo hiệu năng {label} {tag} số {index}",
            summary="Một sáng kiến gửi qua cchc.inbound để đo thông lượng của hệ thống.",
            par_area="procedures",
            applied_since=date(2022, 3, 1),
            results="Giảm thời gian giải quyết hồ sơ.",
            limitations="",
            submitted_at=datetime(2023, 5, 2, 3, tzinfo=UTC),
        )
        encoded = encode_event(data, source=PLATFORM_SOURCE)
        out.append((encoded.event_id, encoded.body))
    return out


def amqp_message(message_id: str, body: bytes) -> aio_pika.Message:
    return aio_pika.Message(
        body,
        message_id=message_id,
        content_type="application/cloudevents+json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def publish_all(
    exchange: aio_pika.abc.AbstractExchange, routing_key: str, messages: Sequence[Outgoing]
) -> float:
    """Publish with confirms, PUBLISH_WINDOW in flight; returns msg/s."""
    started = time.perf_counter()
    for start in range(0, len(messages), PUBLISH_WINDOW):
        await asyncio.gather(
            *(
                exchange.publish(amqp_message(*m), routing_key=routing_key, mandatory=True)
                for m in messages[start : start + PUBLISH_WINDOW]
            )
        )
    return len(messages) / (time.perf_counter() - started)


async def publish_inbound(amqp_url: str, messages: Sequence[Outgoing]) -> float:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(INBOUND_EXCHANGE, ensure=False)
        return await publish_all(exchange, SUBMITTED_KEY, messages)
    finally:
        await connection.close()


async def queue_depth(amqp_url: str, name: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, passive=True)
        return int(queue.declaration_result.message_count or 0)
    finally:
        await connection.close()


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(1, math.ceil(len(ordered) * p / 100)) - 1]


async def poll(
    check: Callable[[], Awaitable[bool]], timeout: float, what: str, interval: float = 0.02
) -> float:
    """Wait for ``check``; returns the wall-clock time (time.time()) it first held."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return time.time()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {timeout:.0f} s")
        await asyncio.sleep(interval)
