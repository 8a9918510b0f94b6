"""The running parts of one service: database, broker, consumers, outbox relay.

A service's ``bootstrap.py`` builds one ServiceRuntime; the HTTP app's lifespan starts
and stops it. Start order: migrations, topology, publisher and relay, background tasks,
consumers. Stop order is the reverse, and the consumers wait for the messages in hand so no
message is lost or dead-lettered by a shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import MetaData, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.contracts.events import EVENTS
from cchc_shared.errors import DomainError
from cchc_shared.messaging import routing
from cchc_shared.messaging.broker import AmqpPublisher, make_publisher
from cchc_shared.messaging.consumer import Consumers, EventRoute
from cchc_shared.messaging.outbox import OutboxRelay, RelaySettings, broker_publisher
from cchc_shared.messaging.routing import RoutingTable
from cchc_shared.messaging.topology import declare_topology
from cchc_shared.persistence.database import create_engine, is_in_memory
from cchc_shared.persistence.migrations import require_current_schema, upgrade_async
from cchc_shared.persistence.tables import KitTables
from cchc_shared.persistence.unit_of_work import SqlAlchemyUnitOfWork

log = logging.getLogger("cchc.runtime")
S = TypeVar("S")
U = TypeVar("U", bound=SqlAlchemyUnitOfWork)


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    metadata: MetaData
    tables: KitTables
    migrations: Path | None
    engine: AsyncEngine
    relay_engine: AsyncEngine
    publisher: AmqpPublisher
    relay: OutboxRelay
    consumers: Consumers
    # Work that must finish before the first message is consumed (e.g. seeding reference data).
    before_consuming: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The service's own loops, each run as ``task(stop)`` from after the relay starts until
    # ``stop`` is set (before the relay stops; cancelled if it does not end in time).
    background: list[Callable[[asyncio.Event], Awaitable[None]]] = field(default_factory=list)
    started: bool = False
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _relay_task: asyncio.Task[None] | None = None
    _background_stop: asyncio.Event = field(default_factory=asyncio.Event)
    _background_tasks: list[asyncio.Future[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: ServiceSettings,
        metadata: MetaData,
        tables: KitTables,
        migrations: Path | None,
    ) -> ServiceRuntime:
        engine = create_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
        # The relay has connections of its own: behind the handlers in the shared pool's
        # queue it would claim and mark late and publish in bursts, after the fact.
        relay_engine = (
            engine
            if is_in_memory(settings.resolved_database_url)
            else create_engine(settings.resolved_database_url, pool_size=settings.relay_workers)
        )
        publisher = make_publisher(
            settings.amqp_url, app_id=settings.service_name, timeout=settings.publish_timeout
        )
        relay = OutboxRelay(
            relay_engine,
            tables,
            broker_publisher(publisher, settings.publish_timeout),
            RelaySettings(
                batch_size=settings.relay_batch_size,
                poll_interval=settings.relay_poll_interval,
                linger=settings.relay_linger,
                workers=settings.relay_workers,
                backoff_max=settings.relay_backoff_max,
                publish_timeout=settings.publish_timeout,
            ),
        )
        # Built now, not at start: subscribers are registered on it as the routes are added,
        # and the AsyncAPI document is read off it without a connection.
        consumers = Consumers(
            settings.amqp_url,
            publisher=publisher,
            prefetch_count=settings.prefetch_count,
            delivery_limit=settings.delivery_limit,
            graceful_timeout=settings.graceful_timeout,
            name=settings.service_name,
            trust=settings.bus_trust,
        )
        for model in EVENTS:
            if model.publisher == settings.service_name:
                consumers.declare_publisher(model)
        return cls(
            settings=settings,
            metadata=metadata,
            tables=tables,
            migrations=migrations,
            engine=engine,
            relay_engine=relay_engine,
            publisher=publisher,
            relay=relay,
            consumers=consumers,
        )

    @property
    def routes(self) -> list[EventRoute]:
        return self.consumers.routes

    def add_route(self, route: EventRoute) -> None:
        self.consumers.subscribe(route)

    def subscribe(self, table: RoutingTable[S], services: S) -> None:
        """A FastStream subscriber for every queue of the service's routing table."""
        for route in routing.bind(self.settings.service_name, table, services):
            self.add_route(route)

    @property
    def wake_relay(self) -> Callable[[], None]:
        return self.relay.wake

    def units_of_work(self, kind: type[U], **options: Any) -> Callable[[], U]:
        """A factory of the service's unit of work ``kind`` on this runtime's database, with
        its events from this service; a commit with events wakes the relay. ``options`` go
        to ``kind`` as they are (e.g. evaluation's ``on_stale``)."""

        def make() -> U:
            return kind(
                self.engine,
                self.tables,
                source=self.settings.source,
                on_commit=self.wake_relay,
                **options,
            )

        return make

    async def migrate(self) -> None:
        if self.migrations is not None:
            await upgrade_async(self.settings.resolved_database_url, self.migrations)
        else:  # services without migration scripts (tests) create their tables directly
            async with self.engine.begin() as connection:
                await connection.run_sync(self.metadata.create_all)

    async def start(self) -> None:
        if self.settings.run_migrations_on_start:
            await self.migrate()
        elif self.migrations is not None:
            # Production: the migration Job has run, once, before the rollout; a replica
            # never serves on a schema older than its code.
            await require_current_schema(self.engine, self.migrations)
        for hook in self.before_consuming:
            await seed_once_among_replicas(hook)
        own = [r.queue for r in self.routes]
        queues = routing.all_queues() if self.settings.declare_all_queues else own
        await declare_topology(
            self.settings.amqp_url,
            [*queues, *own],
            self.settings.delivery_limit,
        )
        await self.publisher.start()
        self._stop.clear()
        self._relay_task = asyncio.create_task(self.relay.run(self._stop), name="outbox-relay")
        self._background_stop.clear()
        self._background_tasks = [
            asyncio.ensure_future(task(self._background_stop)) for task in self.background
        ]
        if self.routes:
            await self.consumers.start()
        self.started = True
        log.info("service started", extra={"service": self.settings.service_name})

    async def stop(self) -> None:
        # Consumers first: the messages in hand finish (their events reach the outbox).
        if self.routes:
            await self.consumers.stop()
        self._background_stop.set()
        if self._background_tasks:
            _, late = await asyncio.wait(
                self._background_tasks, timeout=self.settings.graceful_timeout
            )
            for task in late:
                task.cancel()
            await asyncio.gather(*self._background_tasks, return_exceptions=True)
            self._background_tasks = []
        self._stop.set()
        if self._relay_task is not None:
            try:
                await asyncio.wait_for(self._relay_task, timeout=self.settings.publish_timeout + 5)
            except TimeoutError:
                self._relay_task.cancel()
            self._relay_task = None
        await self.publisher.stop()
        await self.engine.dispose()
        if self.relay_engine is not self.engine:
            await self.relay_engine.dispose()
        self.started = False
        log.info("service stopped", extra={"service": self.settings.service_name})

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            checks["broker"] = "ok" if await self.publisher.ping() else "unreachable"
        except Exception as exc:
            checks["broker"] = f"error: {type(exc).__name__}"
        if self.routes:
            checks["consumers"] = "ok" if self.consumers.connected else "disconnected"
        relay_alive = self._relay_task is not None and not self._relay_task.done()
        stale = time.monotonic() - self.relay.last_cycle_at > max(
            30.0, self.settings.publish_timeout * 3
        )
        checks["relay"] = "ok" if relay_alive and not stale else "stalled"
        checks["ready"] = all(v == "ok" for v in checks.values())
        return checks


async def seed_once_among_replicas(seed: Callable[[], Awaitable[None]]) -> None:
    """Run a start-up seed (reference data, a default roster) that replicas starting together
    on an empty database may run at once: the one that loses the race on a unique key runs it
    again, and finds what the other wrote."""
    try:
        await seed()
    except (IntegrityError, DomainError) as exc:
        # A repository may answer the unique violation as the domain's conflict (scheduling's
        # roster does): the same race, told in the domain's words.
        if not isinstance(exc, IntegrityError) and not isinstance(exc.__cause__, IntegrityError):
            raise
        log.info("another replica seeded first; seeding again")
        await seed()
