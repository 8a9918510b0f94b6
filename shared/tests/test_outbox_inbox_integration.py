"""The kit against real RabbitMQ, on SQLite and PostgreSQL: nothing lost, nothing done twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aio_pika
import pytest

from cchc_shared.contracts import decode_message
from cchc_shared.messaging.broker import make_publisher
from cchc_testkit.nodes import PrivateRabbitMQ
from cchc_tools.dlq import list_parked, replay_parked

from .probe import PROBE_QUEUE, Probe, withdrawal

pytestmark = pytest.mark.integration
HERE = Path(__file__).parent


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def test_inbox_accepts_each_event_once(database_url: str, amqp_url: str) -> None:
    probe = await Probe.create(database_url, amqp_url)
    message = withdrawal()
    from cchc_shared.contracts import encode_event

    event = decode_message(encode_event(message, source="/cchc/test").body)
    async with probe.uow() as uow:
        assert await uow.accept_once("probe", event)
        await uow.commit()
    async with probe.uow() as uow:
        assert not await uow.accept_once("probe", event)
        assert await uow.accept_once("another-consumer", event)
        await uow.commit()
    await probe.engine.dispose()


async def test_two_thousand_events_survive_two_broker_restarts(
    database_url: str, private_rabbitmq: PrivateRabbitMQ
) -> None:
    # A node of the test's own: stopping the shared broker would break every other client.
    amqp_url = await asyncio.to_thread(private_rabbitmq.add_vhost)
    probe = await Probe.create(database_url, amqp_url)
    publisher = make_publisher(amqp_url, app_id="probe-publisher")
    consumer = probe.consumer_broker()
    await publisher.start()
    await consumer.start()
    relay = probe.relay(publisher)
    stop = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stop))

    async def restart_broker_twice() -> None:
        for _ in range(2):
            await asyncio.sleep(1.0)
            await asyncio.to_thread(private_rabbitmq.ctl, "stop_app")
            await asyncio.sleep(2.0)
            await asyncio.to_thread(private_rabbitmq.ctl, "start_app")
            await asyncio.to_thread(private_rabbitmq.ctl, "await_startup")

    restarts = asyncio.create_task(restart_broker_twice())
    written: list[str] = []
    for _ in range(40):  # 2,000 events, written while the broker goes down and up
        written += await probe.write_events(50)
        await asyncio.sleep(0.1)
    await restarts
    try:
        await wait_for(lambda: _all_applied(probe, 2000), 180, "2,000 effects")
    finally:
        stop.set()
        await relay_task
        await consumer.stop()
        await publisher.stop()
    total, distinct = await probe.effect_counts()
    assert (total, distinct) == (2000, 2000), "every effect applied exactly once"
    assert await probe.effect_ids() == set(written)
    assert await probe.pending() == 0
    await probe.engine.dispose()


async def _all_applied(probe: Probe, count: int) -> bool:
    return (await probe.effect_counts())[1] >= count and await probe.pending() == 0


async def test_relay_killed_after_publish_before_mark_republishes_and_inbox_absorbs(
    database_url: str, amqp_url: str
) -> None:
    probe = await Probe.create(database_url, amqp_url)
    written = await probe.write_events(100)
    # Count raw deliveries with a second queue bound beside the consumer's.
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    tap = await channel.declare_queue("", exclusive=True)
    await tap.bind("cchc.events", routing_key=PROBE_QUEUE.binding_key)
    deliveries: list[str] = []

    async def on_tap(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        deliveries.append(message.message_id or "")
        await message.ack()

    await tap.consume(on_tap)

    crashed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(HERE / "relay_crash_probe.py"), database_url, amqp_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    await wait_for(lambda: _count_at_least(deliveries, 100), 30, "100 deliveries before the crash")
    assert await probe.pending() == 100, "the crash happened before any row was marked sent"

    consumer = probe.consumer_broker()
    publisher = make_publisher(amqp_url, app_id="probe-publisher")
    await consumer.start()
    await publisher.start()
    relay = probe.relay(publisher)
    await asyncio.sleep(1.2)  # the dead relay's lease (1 s) expires
    stop = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stop))
    try:
        await wait_for(lambda: _all_applied(probe, 100), 60, "100 effects")
        await wait_for(lambda: _count_at_least(deliveries, 200), 30, "the republished copies")
    finally:
        stop.set()
        await relay_task
        await consumer.stop()
        await publisher.stop()
        await connection.close()
    assert sorted(deliveries) == sorted(written * 2), "the same event ids were republished"
    assert await probe.effect_counts() == (100, 100), "0 double effects"
    await probe.engine.dispose()


async def _count_at_least(items: list[str], count: int) -> bool:
    return len(items) >= count


async def test_invalid_messages_are_parked_with_reason_and_replayed_after_fix(
    database_url: str, amqp_url: str
) -> None:
    probe = await Probe.create(database_url, amqp_url)
    probe.refused_agencies.add("CTHUE")
    consumer = probe.consumer_broker()
    publisher = make_publisher(amqp_url, app_id="probe-publisher")
    await consumer.start()
    await publisher.start()
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange("cchc.events")
    routing_key = PROBE_QUEUE.binding_key

    async with probe.uow() as uow:
        good = uow.publish(withdrawal("SNV"))
        refused = uow.publish(withdrawal("CTHUE"))
        await uow.commit()
    relay = probe.relay(publisher)
    await relay.relay_once()
    await exchange.publish(
        aio_pika.Message(b"{not json", message_id="malformed-1"), routing_key=routing_key
    )
    await exchange.publish(
        aio_pika.Message(
            b'{"specversion":"1.0","id":"x-2","source":"/cchc/intake","type":"vn.hcmc.cchc.initiative.withdrawn.v1","data":{"agency_code":"SNV"}}',
            message_id="x-2",
            content_type="application/cloudevents+json",
        ),
        routing_key=routing_key,
    )

    async def parked_count() -> bool:
        return len(await list_parked(amqp_url, [PROBE_QUEUE.name])) == 3

    await wait_for(parked_count, 30, "three parked messages")
    parked = {p.message_id: p for p in await list_parked(amqp_url, [PROBE_QUEUE.name])}
    assert "body is not valid JSON" in parked["malformed-1"].reason
    assert {e["field"] for e in parked["x-2"].errors} >= {
        "$.data.initiative_id",
        "$.data.withdrawn_at",
    }
    assert parked[refused.event_id].errors == [
        {"field": "$.data.agency_code", "message": "unknown agency CTHUE"}
    ]
    assert all(p.original_queue == PROBE_QUEUE.name for p in parked.values())
    assert await probe.effect_ids() == {good.event_id}

    probe.refused_agencies.clear()  # the cause is fixed
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cchc_tools.cli", "dlq", "replay", "--id", refused.event_id],
        env={**os.environ, "CCHC_AMQP_URL": amqp_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 message(s) replayed" in result.stdout
    try:
        await wait_for(
            lambda: _has_effect(probe, refused.event_id), 30, "the replayed message's effect"
        )
    finally:
        await consumer.stop()
        await publisher.stop()
        await connection.close()
    remaining = {p.message_id for p in await list_parked(amqp_url, [PROBE_QUEUE.name])}
    assert remaining == {"malformed-1", "x-2"}
    await probe.engine.dispose()


async def _has_effect(probe: Probe, event_id: str) -> bool:
    return event_id in await probe.effect_ids()


async def test_transient_failure_is_retried_then_dead_lettered_by_the_broker(
    database_url: str, amqp_url: str
) -> None:
    probe = await Probe.create(database_url, amqp_url)
    calls = 0

    async def always_fails(*_: object) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("database is down")

    probe.handle = always_fails  # type: ignore[method-assign]
    consumer = probe.consumer_broker()
    publisher = make_publisher(amqp_url, app_id="probe-publisher")
    await consumer.start()
    await publisher.start()
    async with probe.uow() as uow:
        message = uow.publish(withdrawal())
        await uow.commit()
    await probe.relay(publisher).relay_once()
    try:

        async def parked() -> bool:
            return len(await list_parked(amqp_url, [PROBE_QUEUE.name])) == 1

        await wait_for(parked, 60, "the broker to dead-letter after the delivery limit")
    finally:
        await consumer.stop()
        await publisher.stop()
    [dead] = await list_parked(amqp_url, [PROBE_QUEUE.name])
    assert dead.message_id == message.event_id
    assert "dead-lettered by the broker" in dead.reason
    assert calls == 4, "first delivery plus 3 redeliveries (delivery limit 3)"
    replayed = await replay_parked(amqp_url, [PROBE_QUEUE.name])
    assert [r.message_id for r in replayed] == [message.event_id]
    await probe.engine.dispose()
