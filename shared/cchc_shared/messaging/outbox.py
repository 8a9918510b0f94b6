"""Outbox relay: claims pending rows, publishes them with publisher confirms and marks
a row sent only once the broker has acknowledged it."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_shared.messaging import metrics
from cchc_shared.messaging.broker import AmqpPublisher
from cchc_shared.persistence.tables import KitTables

log = logging.getLogger("cchc.outbox")


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    event_id: str
    event_type: str
    exchange: str
    routing_key: str
    content_type: str
    headers: dict[str, Any]
    body: bytes
    attempts: int


Publish = Callable[[OutboxRow], Awaitable[None]]


@dataclass(frozen=True)
class RelaySettings:
    batch_size: int = 200
    poll_interval: float = 0.5
    lease_seconds: float = 30.0
    publish_timeout: float = 10.0
    backoff_base: float = 0.5
    backoff_max: float = 10.0
    retention: timedelta = timedelta(days=7)
    # After a wake-up, wait this long before claiming, so that a burst of commits goes out
    # in one claim and one mark instead of one pair per event (a few ms of latency).
    linger: float = 0.005
    # Cycles run at once: while one waits for its batch's confirms, another claims and
    # publishes the next batch. Claims never overlap (a claimed row is leased).
    workers: int = 1


def backoff_delay(attempts: int, settings: RelaySettings) -> float:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(settings.backoff_max, settings.backoff_base * (2 ** min(attempts, 20)))
    return random.uniform(settings.backoff_base, max(settings.backoff_base, ceiling))


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        tables: KitTables,
        publish: Publish,
        settings: RelaySettings | None = None,
        relay_id: str | None = None,
    ) -> None:
        self._engine = engine
        self._table = tables.outbox
        self._publish = publish
        self.settings = settings or RelaySettings()
        self.relay_id = relay_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self.last_cycle_at = time.monotonic()  # a new relay is not stalled
        self._last_purge = 0.0
        self._metrics_at = 0.0

    def wake(self) -> None:
        """Called after a commit that wrote events, so they leave without waiting for a poll."""
        self._wake.set()

    async def claim(self) -> list[OutboxRow]:
        now = datetime.now(UTC)
        t = self._table
        due = (
            select(t.c.seq)
            .where(
                t.c.sent_at.is_(None),
                t.c.available_at <= now,
                or_(t.c.claimed_until.is_(None), t.c.claimed_until < now),
            )
            .order_by(t.c.seq)
            .limit(self.settings.batch_size)
            # SKIP LOCKED on PostgreSQL; SQLite ignores it, its BEGIN IMMEDIATE serialises claims.
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(t)
            .where(t.c.seq.in_(due.scalar_subquery()))
            .values(
                claimed_by=self.relay_id,
                claimed_until=now + timedelta(seconds=self.settings.lease_seconds),
            )
            .returning(
                t.c.seq,
                t.c.event_id,
                t.c.event_type,
                t.c.exchange,
                t.c.routing_key,
                t.c.content_type,
                t.c.headers,
                t.c.body,
                t.c.attempts,
            )
        )
        async with self._engine.begin() as connection:
            rows = (await connection.execute(claim)).all()
        return sorted((OutboxRow(*row) for row in rows), key=lambda r: r.seq)

    async def _publish_one(self, row: OutboxRow) -> BaseException | None:
        try:
            # asyncio.timeout, not wait_for: no extra task per row.
            async with asyncio.timeout(self.settings.publish_timeout):
                await self._publish(row)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a nack, a return, a timeout or a lost connection
            return exc
        return None

    async def relay_once(self) -> int:
        """One claim-publish-mark cycle; returns how many rows were confirmed."""
        rows = await self.claim()
        if not rows:
            return 0
        # Confirms are awaited together: one channel keeps the publish order.
        outcomes = await asyncio.gather(*(self._publish_one(row) for row in rows))
        acked = [row.seq for row, error in zip(rows, outcomes, strict=True) if error is None]
        failed = [
            (row, error) for row, error in zip(rows, outcomes, strict=True) if error is not None
        ]
        await self.mark(acked, failed)
        metrics.OUTBOX_PUBLISHED.inc(len(acked))
        if failed:
            metrics.OUTBOX_FAILURES.inc(len(failed))
            log.warning(
                "outbox publish failed",
                extra={"failed": len(failed), "acked": len(acked), "error": str(failed[0][1])},
            )
        return len(acked)

    async def mark(
        self, acked: Sequence[int], failed: Sequence[tuple[OutboxRow, BaseException]]
    ) -> None:
        now = datetime.now(UTC)
        t = self._table
        async with self._engine.begin() as connection:
            if acked:
                await connection.execute(
                    update(t)
                    .where(t.c.seq.in_(acked), t.c.claimed_by == self.relay_id)
                    .values(sent_at=now, claimed_by=None, claimed_until=None, last_error=None)
                )
            for row, error in failed:
                delay = backoff_delay(row.attempts, self.settings)
                await connection.execute(
                    update(t)
                    .where(t.c.seq == row.seq, t.c.claimed_by == self.relay_id)
                    .values(
                        attempts=row.attempts + 1,
                        available_at=now + timedelta(seconds=delay),
                        claimed_by=None,
                        claimed_until=None,
                        last_error=f"{type(error).__name__}: {error}"[:2000],
                    )
                )

    async def update_metrics(self) -> tuple[int, float]:
        t = self._table
        async with self._engine.connect() as connection:
            count, oldest = (
                await connection.execute(
                    select(func.count(), func.min(t.c.created_at)).where(t.c.sent_at.is_(None))
                )
            ).one()
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:  # SQLite returns naive datetimes
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        metrics.OUTBOX_BACKLOG.set(count)
        metrics.OUTBOX_OLDEST_AGE.set(age)
        return int(count), age

    async def purge_sent(self) -> int:
        """Sent rows are kept for a while so they can be replayed, then removed."""
        cutoff = datetime.now(UTC) - self.settings.retention
        t = self._table
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(t).where(and_(t.c.sent_at.is_not(None), t.c.sent_at < cutoff))
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set; database or broker outages are waited out."""
        self.last_cycle_at = time.monotonic()
        await asyncio.gather(*(self._work(stop) for _ in range(max(1, self.settings.workers))))

    async def _work(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            published = 0
            # Cleared before the cycle, not after: a commit that wakes the relay while it
            # publishes must start the next cycle at once rather than wait for the poll.
            self._wake.clear()
            try:
                published = await self.relay_once()
                # Backlog gauges cost two queries: once a second is enough for a scrape.
                if time.monotonic() - self._metrics_at >= 1.0:
                    self._metrics_at = time.monotonic()
                    await self.update_metrics()
                if time.monotonic() - self._last_purge > 3600:
                    self._last_purge = time.monotonic()
                    await self.purge_sent()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay cycle failed")
            self.last_cycle_at = time.monotonic()
            if published >= self.settings.batch_size:
                continue  # more is waiting
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=self.settings.poll_interval, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            if self._wake.is_set() and self.settings.linger > 0:
                await asyncio.sleep(self.settings.linger)


async def requeue_sent(
    engine: AsyncEngine, tables: KitTables, *, since: datetime, event_type: str | None = None
) -> int:
    """Replay path: mark already-sent events as pending again (consumers' inboxes absorb
    what they have already seen)."""
    t = tables.outbox
    conditions = [t.c.sent_at.is_not(None), t.c.created_at >= since]
    if event_type:
        conditions.append(t.c.event_type == event_type)
    async with engine.begin() as connection:
        result = await connection.execute(
            update(t)
            .where(*conditions)
            .values(sent_at=None, available_at=datetime.now(UTC), attempts=0)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def broker_publisher(publisher: AmqpPublisher, timeout: float = 10.0) -> Publish:
    async def publish(row: OutboxRow) -> None:
        await publisher.publish(
            exchange=row.exchange,
            routing_key=row.routing_key,
            body=row.body,
            message_id=row.event_id,
            content_type=row.content_type,
            headers=row.headers,
            timeout=timeout,
        )

    return publish
