"""Stopping a consumer mid-handler finishes the message: not lost, not dead-lettered,
not handled twice."""

from __future__ import annotations

import asyncio

import pytest

from cchc_shared.contracts import CloudEvent, EventData
from cchc_shared.messaging.broker import make_publisher
from cchc_tools.dlq import list_parked

from .probe import PROBE_QUEUE, Probe

pytestmark = pytest.mark.integration


async def test_stop_waits_for_the_in_flight_handler(database_url: str, amqp_url: str) -> None:
    probe = await Probe.create(database_url, amqp_url)
    started = asyncio.Event()
    original = probe.handle

    async def slow(event: CloudEvent, data: EventData) -> None:
        started.set()
        await asyncio.sleep(1.5)
        await original(event, data)

    probe.handle = slow  # type: ignore[method-assign]
    consumer = probe.consumer_broker()
    publisher = make_publisher(amqp_url, app_id="probe-publisher")
    await consumer.start()
    await publisher.start()
    [event_id] = await probe.write_events(1)
    await probe.relay(publisher).relay_once()
    await asyncio.wait_for(started.wait(), 10)
    await consumer.stop()  # as on SIGTERM: must let the handler finish and ack
    assert await probe.effect_ids() == {event_id}

    # A fresh consumer sees nothing left to do, and nothing was parked.
    probe.handle = original  # type: ignore[method-assign]
    again = probe.consumer_broker()
    await again.start()
    await asyncio.sleep(1.0)
    await again.stop()
    await publisher.stop()
    assert await probe.effect_counts() == (1, 1)
    assert probe.handled_calls == 1
    assert await list_parked(amqp_url, [PROBE_QUEUE.name]) == []
    await probe.engine.dispose()
