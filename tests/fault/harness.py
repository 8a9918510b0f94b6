"""The fault suite's stack and measuring tools.

A stack is a RabbitMQ node and a PostgreSQL cluster of the suite's own (so that it may stop,
kill and restart them) and the four services as OS processes on them. A case sends a stream
of initiatives through ``cchc.inbound`` (or intake's HTTP API), does its harm while the
stream flows, and then counts, in each service's own database, what came out:

- **published**: messages the broker confirmed (the stream, not counting deliberate copies);
- **received**: initiatives that reached the end of the pipeline (reporting's read model);
- **effects**: per service, the rows the stream produced (intake's initiatives, scheduling's
  pool, evaluation's initiatives, reporting's read model);
- **lost**: initiatives missing from any service;
- **duplicate effects**: rows beyond one per initiative, in any service, in reporting's event
  log, or a second ``initiative.submitted`` event (another id) for one initiative seen by an
  outside observer on ``cchc.events``; copies of the *same* event (at-least-once redelivery
  the inboxes absorb) are reported apart, as ``republished``;
- **parked**: messages that arrived in dead-letter queues during the case;
- **recovery s**: from the end of the harm to the moment every effect was there.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg

from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import InboundInitiativeSubmittedV1
from cchc_shared.messaging import cluster
from cchc_shared.messaging.routing import all_queues
from cchc_shared.messaging.topology import EVENTS_EXCHANGE, INBOUND_EXCHANGE
from cchc_shared.messaging.trust import broker_user
from cchc_shared.reference import load_agencies
from cchc_testkit.nodes import PrivatePostgres, PrivateRabbitMQ
from cchc_testkit.processes import SERVICES, ServiceProcesses

SECRET = "fault-suite-secret-" + "y" * 40
PLATFORM_SOURCE = "/platforms/fault-suite"
SUBMITTED_TYPE = "vn.hcmc.cchc.initiative.submitted.v1"
OBSERVER_QUEUE = "fault-observer.initiative.submitted.v1"


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    body: bytes
    exchange: str = INBOUND_EXCHANGE
    routing_key: str = "initiative.submitted.v1"


def inbound_batch(case: str, count: int) -> list[Outgoing]:
    """``count`` valid inbound initiatives, each with its own id and a title of its own."""
    agencies = [a for a in load_agencies().values() if a.code not in {"SNV"}]
    out = []
    for index in range(count):
        agency = agencies[index % len(agencies)]
        data = InboundInitiativeSubmittedV1(
            campaign_year=2023,
            agency_code=agency.code,
            kind="model",
            title=f"Mô hình thử nghiệm sự cố {case} số {index}",
            summary="Một chuỗi sáng kiến gửi qua cchc.inbound trong lúc hệ thống gặp sự cố.",
            par_area="procedures",
            applied_since=datetime(2022, 3, 1).date(),
            results="Giảm thời gian giải quyết hồ sơ.",
            limitations="",
            submitted_at=datetime(2023, 5, 2, 3, tzinfo=UTC),
        )
        encoded = encode_event(data, source=PLATFORM_SOURCE, event_id=str(uuid.uuid4()))
        out.append(Outgoing(encoded.event_id, encoded.body))
    return out


class Observer:
    """An outside subscriber on ``cchc.events``: counts each ``initiative.submitted`` event
    per id and per initiative. When ``echo`` is on, it publishes every event it sees for the
    first time once more, unchanged, so that each consumer receives it twice."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url = amqp_url
        self.copies: Counter[str] = Counter()
        self.event_ids_by_initiative: dict[str, set[str]] = {}
        self.echo = False
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await cluster.connect(self.amqp_url)
        channel = await self._connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(
            OBSERVER_QUEUE, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, routing_key="initiative.submitted.v1")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process(requeue=True):
                try:
                    event = json.loads(message.body)
                    event_id, initiative = event["id"], event["data"]["initiative_id"]
                except (ValueError, KeyError, TypeError):
                    return  # the poison case's garbage: not ours to judge
                first = event_id not in self.copies
                self.copies[event_id] += 1
                self.event_ids_by_initiative.setdefault(initiative, set()).add(event_id)
                if first and self.echo:
                    await exchange.publish(
                        aio_pika.Message(
                            message.body,
                            message_id=message.message_id,
                            content_type=message.content_type,
                            headers=dict(message.headers or {}),
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=message.routing_key or "initiative.submitted.v1",
                        mandatory=True,
                    )

        await queue.consume(on_message)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()


async def publish_stream(
    amqp_url: str,
    messages: Sequence[Outgoing],
    *,
    rate: float,
    fault_at: int,
    fault_due: asyncio.Event,
    deadline: float,
) -> int:
    """Publish each message with confirms at ``rate`` per second, retrying one until the
    broker confirms it (across restarts); sets ``fault_due`` after ``fault_at`` messages."""
    connection = await cluster.connect(amqp_url, reconnect_interval=0.5)
    # As the kit's publishers: the broker checks the user, the consumers believe it.
    user_id = broker_user(amqp_url)
    confirmed = 0
    try:
        channel = await connection.channel(publisher_confirms=True)
        for message in messages:
            while True:
                try:
                    exchange = await channel.get_exchange(message.exchange, ensure=False)
                    await asyncio.wait_for(
                        exchange.publish(
                            aio_pika.Message(
                                message.body,
                                message_id=message.message_id,
                                content_type="application/cloudevents+json",
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                user_id=user_id,
                            ),
                            routing_key=message.routing_key,
                            mandatory=True,
                        ),
                        timeout=5,
                    )
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.3)
            confirmed += 1
            if confirmed == fault_at:
                fault_due.set()
            await asyncio.sleep(1 / rate)
    finally:
        fault_due.set()
        await connection.close()
    return confirmed


@dataclass
class CaseReport:
    case: str
    published: int
    received: int
    effects: dict[str, int]
    lost: int
    duplicate_effects: int
    republished: int
    parked: int
    expected_parked: int
    recovery_s: float
    notes: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        effects = " ".join(f"{s}={n}" for s, n in self.effects.items())
        notes = "".join(f" {k}={v}" for k, v in self.notes.items())
        return (
            f"{self.case:<28} published={self.published} received={self.received} "
            f"lost={self.lost} duplicate_effects={self.duplicate_effects} "
            f"republished={self.republished} parked={self.parked}/{self.expected_parked} "
            f"recovery_s={self.recovery_s:.1f} effects[{effects}]{notes}"
        )


REPORTS: list[CaseReport] = []


class FaultStack:
    def __init__(self, base: Path, broker: PrivateRabbitMQ | None = None) -> None:
        # One node; the cluster suite's stack passes a cluster of them (same interface).
        self.broker = broker or PrivateRabbitMQ(base / "rabbitmq")
        self.postgres = PrivatePostgres()
        self.base = base
        self.services: ServiceProcesses | None = None
        self.observer: Observer | None = None

    @property
    def stream_url(self) -> str:
        """Where the case's stream of inbound initiatives is published, and as whom."""
        return self.broker.url

    @property
    def processes(self) -> ServiceProcesses:
        assert self.services is not None
        return self.services

    async def start(self) -> None:
        await asyncio.to_thread(self.broker.start)
        await self.start_postgres()
        self.services = ServiceProcesses(
            self.broker.url,
            {s: self.postgres.url(f"cchc_{s}") for s in SERVICES},
            self.base / "var",
            auth_secret=SECRET,
            extra_env={"CCHC_LOG_LEVEL": "WARNING"},
        )
        await asyncio.to_thread(self.services.start_all)
        self.observer = Observer(self.broker.url)
        await self.observer.start()

    async def start_postgres(self) -> None:
        """The private PostgreSQL with one database per service."""
        await asyncio.to_thread(self.postgres.start)
        admin = await asyncpg.connect(self.postgres.admin_dsn)
        try:
            for service in SERVICES:
                await admin.execute(f'CREATE DATABASE "cchc_{service}"')
        finally:
            await admin.close()

    async def stop(self) -> None:
        if self.observer is not None:
            await self.observer.stop()
        if self.services is not None:
            await asyncio.to_thread(self.services.stop)
        await asyncio.to_thread(self.broker.stop)
        await asyncio.to_thread(self.postgres.remove)

    async def restart_service(self, instance: str, *, kill: bool) -> None:
        if kill:
            await asyncio.to_thread(self.processes.kill, instance)
        else:
            await asyncio.to_thread(self.processes.stop, instance)
        self.processes.start(instance)
        await asyncio.to_thread(self.processes.wait_ready, instance)

    # ---- measuring -------------------------------------------------------------------

    async def _query(self, service: str, sql: str, *args: Any) -> Any:
        connection = await asyncpg.connect(
            self.postgres.admin_dsn.rsplit("/", 1)[0] + f"/cchc_{service}", timeout=5
        )
        try:
            return await connection.fetchrow(sql, *args)
        finally:
            await connection.close()

    async def initiative_ids(self, origin_ids: Sequence[str]) -> tuple[list[str], int]:
        """Intake's initiatives made from these inbound messages, and the extra rows."""
        rows = await self._query(
            "intake",
            "SELECT array_agg(id::text) AS ids, count(*) - count(DISTINCT origin_id) AS extra "
            "FROM initiatives WHERE origin_id = ANY($1::text[])",
            list(origin_ids),
        )
        return list(rows["ids"] or []), int(rows["extra"])

    async def effects(self, ids: Sequence[str]) -> tuple[dict[str, int], int]:
        """Rows per service for these initiatives, and the duplicate rows found."""
        counts: dict[str, int] = {}
        duplicates = 0
        for service, sql in (
            ("intake", "SELECT count(*) AS n, count(DISTINCT id) AS d FROM initiatives"),
            ("scheduling", "SELECT count(*) AS n, count(DISTINCT initiative_id) AS d FROM pool"),
            ("evaluation", "SELECT count(*) AS n, count(DISTINCT id) AS d FROM initiatives"),
            (
                "reporting",
                "SELECT count(*) AS n, count(DISTINCT initiative_id) AS d FROM rm_initiative",
            ),
            (
                "notifications",
                "SELECT count(*) AS n, count(DISTINCT initiative_id) AS d FROM initiatives",
            ),
        ):
            key = "initiative_id" if "initiative_id" in sql else "id"
            row = await self._query(service, f"{sql} WHERE {key}::text = ANY($1::text[])", ids)
            counts[service] = int(row["d"])
            duplicates += int(row["n"]) - int(row["d"])
        logged = await self._query(
            "reporting",
            "SELECT count(*) AS n, count(DISTINCT data::jsonb->>'initiative_id') AS d "
            "FROM event_log WHERE event_type = $1 AND data::jsonb->>'initiative_id' = ANY($2)",
            SUBMITTED_TYPE,
            list(ids),
        )
        duplicates += int(logged["n"]) - int(logged["d"])
        return counts, duplicates

    async def parked(self) -> int:
        """Messages in every dead-letter queue, counted by passive declarations: exact at
        once, where ``rabbitmqctl list_queues`` reports quorum queues' statistics late."""
        connection = await cluster.connect(self.broker.url)
        try:
            channel = await connection.channel()
            total = 0
            for spec in all_queues():
                queue = await channel.declare_queue(spec.dead_letter_queue, passive=True)
                total += queue.declaration_result.message_count or 0
            return total
        finally:
            await connection.close()

    async def idle_queues(self) -> list[str]:
        """Service queues that have no consumer."""
        queues = await asyncio.to_thread(self.broker.queues)
        return sorted(
            name
            for name, (_, consumers) in queues.items()
            if is_stream_queue(name) and consumers == 0
        )


def is_stream_queue(name: str) -> bool:
    """A work queue of one of the services the stack runs: not a dead-letter queue, not the
    observer's, nor the queue of a service the definitions know but the stack does not start."""
    return name.startswith(tuple(f"{s}." for s in SERVICES)) and not name.endswith(".dlq")


async def wait_until(
    check: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.5
) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await check():
                return True
        except (OSError, asyncpg.PostgresError, RuntimeError, TimeoutError):
            pass  # the thing being measured may still be restarting
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval)


async def run_case(
    stack: FaultStack,
    case: str,
    harm: Callable[[], Awaitable[dict[str, Any] | None]],
    *,
    count: int = 300,
    rate: float = 100.0,
    extra: Sequence[Outgoing] = (),
    duplicate_every_message: bool = False,
    expected_parked: int = 0,
    settle_timeout: float = 90.0,
) -> CaseReport:
    """Stream ``count`` inbound initiatives (plus ``extra`` messages mixed in), do ``harm``
    once a third is out, wait for every effect, then measure and record the case."""
    assert stack.observer is not None
    batch = inbound_batch(case, count)
    stream: list[Outgoing] = []
    for index, message in enumerate(batch):
        stream.append(message)
        if duplicate_every_message:
            stream.append(message)
        if extra and index == count // 2:
            stream.extend(extra)
    parked_before = await stack.parked()
    fault_due = asyncio.Event()
    started = time.monotonic()
    publishing = asyncio.create_task(
        publish_stream(
            stack.stream_url,
            stream,
            rate=rate,
            fault_at=len(stream) // 3,
            fault_due=fault_due,
            deadline=started + settle_timeout,
        )
    )
    await fault_due.wait()
    origin_ids = [m.message_id for m in batch]
    # Proof that the harm struck mid-stream: how much of the stream had gone through.
    ids_so_far, _ = await stack.initiative_ids(origin_ids)
    notes = {"through_when_harmed": len(ids_so_far)}
    notes.update(await harm() or {})
    harm_ended = time.monotonic()
    sent = await publishing

    state: dict[str, Any] = {}

    async def complete() -> bool:
        ids, extra_rows = await stack.initiative_ids(origin_ids)
        counts, duplicates = await stack.effects(ids)
        state.update(ids=ids, counts=counts, duplicates=duplicates + extra_rows)
        return len(ids) == count and all(n == count for n in counts.values())

    await wait_until(complete, settle_timeout)
    recovery = time.monotonic() - harm_ended
    # Late duplicates would show up after completion: give them a moment to appear.
    await asyncio.sleep(1.0)
    await complete()
    resumed = await wait_until(lambda: _no_idle(stack), 60)
    ids = state.get("ids", [])
    observed_ids = [stack.observer.event_ids_by_initiative.get(i, set()) for i in ids]
    second_events = sum(max(0, len(s) - 1) for s in observed_ids)
    republished = sum(stack.observer.copies[e] - 1 for s in observed_ids for e in s)
    parked = await stack.parked() - parked_before
    if parked < expected_parked:  # parking is asynchronous to the stream's last effects
        await wait_until(lambda: _parked_at_least(stack, parked_before + expected_parked), 15)
        parked = await stack.parked() - parked_before
    counts = state.get("counts", dict.fromkeys(SERVICES, 0))
    report = CaseReport(
        case=case,
        published=sent - (count if duplicate_every_message else 0),
        received=counts.get("reporting", 0),
        effects=counts,
        lost=count - min([len(ids), *counts.values()]),
        duplicate_effects=state.get("duplicates", 0) + second_events,
        republished=republished,
        parked=parked,
        expected_parked=expected_parked,
        recovery_s=recovery,
        notes={**notes, "consumers_resumed": resumed},
    )
    REPORTS.append(report)
    print(report.line())
    return report


async def _parked_at_least(stack: FaultStack, count: int) -> bool:
    return await stack.parked() >= count


async def _no_idle(stack: FaultStack) -> bool:
    return not await stack.idle_queues()


def assert_clean(report: CaseReport) -> None:
    assert report.lost == 0, report.line()
    assert report.duplicate_effects == 0, report.line()
    assert report.parked == report.expected_parked, report.line()
    assert report.notes["consumers_resumed"], report.line()
    # The harm struck mid-stream, not after everything had gone through.
    assert report.notes.get("through_when_harmed", 0) < report.received, report.line()
