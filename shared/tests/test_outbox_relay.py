"""The relay's bookkeeping with a fake publisher, on SQLite and PostgreSQL: a row is
marked sent only on an ack; a nack, a return or a timeout leaves it pending with backoff."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from cchc_shared.chassis.runtime import ServiceRuntime
from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.messaging.broker import PublishError
from cchc_shared.messaging.outbox import OutboxRelay, OutboxRow, RelaySettings, backoff_delay

from .probe import Probe, kit
from .probe import metadata as probe_metadata


def relay_with(probe: Probe, publish: object, **settings: float) -> OutboxRelay:
    return OutboxRelay(
        probe.engine,
        kit,
        publish,  # type: ignore[arg-type]
        RelaySettings(backoff_base=0.5, backoff_max=4.0, publish_timeout=0.3, **settings),  # type: ignore[arg-type]
    )


async def rows(probe: Probe) -> list[dict[str, object]]:
    async with probe.engine.connect() as connection:
        result = await connection.execute(select(kit.outbox).order_by(kit.outbox.c.seq))
        return [dict(row._mapping) for row in result]


async def test_acked_rows_are_marked_and_failures_wait_with_backoff(
    database_url: str, amqp_url: str
) -> None:
    probe = await Probe.create(database_url, amqp_url)
    ids = await probe.write_events(4)
    published: list[str] = []

    async def publish(row: OutboxRow) -> None:
        published.append(row.event_id)
        if row.event_id == ids[1]:
            raise PublishError("broker answered Nack")
        if row.event_id == ids[2]:
            raise PublishError("Basic.Return NO_ROUTE")
        if row.event_id == ids[3]:
            await asyncio.sleep(5)  # no confirm: the relay's timeout counts as a failure

    relay = relay_with(probe, publish)
    assert await relay.relay_once() == 1
    assert published == ids
    state = {row["event_id"]: row for row in await rows(probe)}
    assert state[ids[0]]["sent_at"] is not None
    now = datetime.now(UTC)
    for failed in ids[1:]:
        row = state[failed]
        assert row["sent_at"] is None and row["attempts"] == 1 and row["claimed_by"] is None
        available = row["available_at"]
        assert isinstance(available, datetime)
        if available.tzinfo is None:
            available = available.replace(tzinfo=UTC)
        assert available > now, "a failed row waits before its next attempt"
        assert row["last_error"]
    assert "Nack" in str(state[ids[1]]["last_error"])
    assert "TimeoutError" in str(state[ids[3]]["last_error"])

    assert await relay.relay_once() == 0, "nothing is due yet"
    assert await relay.update_metrics() >= (3, 0.0)
    await probe.engine.dispose()


async def test_concurrent_relays_never_publish_a_row_twice(
    database_url: str, amqp_url: str
) -> None:
    probe = await Probe.create(database_url, amqp_url)
    ids = await probe.write_events(300, batch=100)
    published: list[str] = []

    async def publish(row: OutboxRow) -> None:
        await asyncio.sleep(0.001)
        published.append(row.event_id)

    relays = [relay_with(probe, publish, batch_size=25) for _ in range(4)]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.relay_once():
            pass

    await asyncio.gather(*(drain(relay) for relay in relays))
    assert sorted(published) == sorted(ids), "every row published exactly once"
    assert await probe.pending() == 0
    await probe.engine.dispose()


async def test_relay_workers_share_the_outbox_without_doubles(
    database_url: str, amqp_url: str
) -> None:
    """One relay running two cycles at once: every row goes out once and is marked sent."""
    probe = await Probe.create(database_url, amqp_url)
    ids = await probe.write_events(300, batch=100)
    published: list[str] = []
    in_flight = peak = 0

    async def publish(row: OutboxRow) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)  # a confirm takes a while: the other worker goes on
        in_flight -= 1
        published.append(row.event_id)

    relay = relay_with(probe, publish, batch_size=25, workers=2, poll_interval=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    for _ in range(600):  # the relay polls: so does the test, for up to 30 s
        if not await probe.pending():
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert sorted(published) == sorted(ids), "every row published exactly once"
    assert await probe.pending() == 0
    assert peak > 25, "two batches were in flight at once"
    await probe.engine.dispose()


def test_backoff_grows_and_is_capped() -> None:
    settings = RelaySettings(backoff_base=0.5, backoff_max=30.0)
    assert all(0.5 <= backoff_delay(0, settings) <= 1.0 for _ in range(50))
    assert all(0.5 <= backoff_delay(30, settings) <= 30.0 for _ in range(50))
    assert max(backoff_delay(10, settings) for _ in range(200)) > 10.0


@pytest.mark.parametrize("attempts", [0, 3])
def test_backoff_never_below_base(attempts: int) -> None:
    assert backoff_delay(attempts, RelaySettings(backoff_base=2.0)) >= 2.0


@pytest.mark.parametrize(
    ("url", "shared"),
    [("sqlite+aiosqlite:///:memory:", True), ("sqlite+aiosqlite:///{tmp}/relay.db", False)],
)
async def test_the_relay_has_its_own_engine_unless_the_database_is_in_memory(
    url: str, shared: bool, tmp_path: Path
) -> None:
    settings = ServiceSettings(database_url=url.format(tmp=tmp_path), amqp_url="amqp://x/")
    runtime = ServiceRuntime.build(settings, probe_metadata, kit, None)
    try:
        assert (runtime.relay_engine is runtime.engine) is shared
    finally:
        await runtime.engine.dispose()
        await runtime.relay_engine.dispose()
