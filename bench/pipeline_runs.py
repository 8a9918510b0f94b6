"""The pipeline's throughput and latency on the real services, beside raw baselines, in one run.

    uv run python bench/bench_pipeline.py [--events 2000] [--rate 50] [--seconds 20]
        [--http-requests 1000] [--json PATH] [--quick]
    uv run --with pyinstrument python bench/bench_pipeline.py --profile intake \
        --profiler pyinstrument

Everything runs on a fresh virtual host of the local RabbitMQ (``--private-broker``: a node of
the run's own) and fresh PostgreSQL databases (one per service, one for the raw chain), all
removed at the end:

- baselines: raw aio-pika publish with confirms and raw consume (bench_kit's), and a raw
  one-hop chain: aio-pika + asyncpg, no framework, consume (manual ack, prefetch 64), one
  transaction inserting inbox + effect + outbox rows, publish with confirms, mark sent, ack.
  The chain runs before and after the stages; they are compared with the mean of both;
- each one-hop stage alone on the real service process (the others stopped), its queue
  preloaded: intake (inbound -> initiatives + outbox sent), then scheduling, evaluation and
  reporting on the initiative.submitted events intake left in their queues. A service consumes
  before it reports ready, so a stage is timed from its first inbox row to the moment its
  effects are complete; CPU per message is read from /proc;
- the whole pipeline sustained (all four running): inbound published as fast as confirms
  allow, until reporting's read model holds every initiative;
- latency at a steady inbound rate: publish time to reporting's event_log.received_at;
- intake's HTTP API: POST and GET of initiatives, 16 concurrent clients.

``--stages intake [...]`` runs only the raw chain and those stages (a quick comparison).
``--profile STAGE`` instead runs only that stage (after the intake stage it needs) with the
service under a profiler, and prints where its time goes.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
from pamqp.common import FieldValue

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kit import raw_consume, raw_publish  # puts shared/ on sys.path for tests.probe

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import (
    INBOUND_EXCHANGE,
    InboundInitiativeSubmittedV1,
    InitiativeSubmittedV1,
)
from cchc_shared.messaging.topology import INBOUND_QUEUE, all_queues, queue_for
from cchc_shared.reference import load_agencies
from cchc_testkit.infra import (
    POSTGRES_ADMIN_DSN,
    fresh_postgres_database,
    fresh_service_databases,
    fresh_vhost,
)
from cchc_testkit.nodes import PrivateRabbitMQ
from cchc_testkit.processes import SERVICES, ServiceProcesses

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
    **{s: queue_for(s, SUBMITTED_KEY).name for s in ("scheduling", "evaluation", "reporting")},
}
EFFECT_SQL = {
    "intake": "SELECT count(*) FROM initiatives WHERE origin_id IS NOT NULL",
    "scheduling": "SELECT count(*) FROM pool",
    "evaluation": "SELECT count(*) FROM initiatives",
    "reporting": "SELECT count(*) FROM rm_initiative",
}


# ---- machine ---------------------------------------------------------------------------


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


async def broker_version(amqp_url: str) -> str:
    """From the AMQP handshake: works on a node without the management plugin."""
    connection = await aio_pika.connect(amqp_url)
    try:
        transport = connection.transport
        properties = transport.connection.server_properties if transport else {}
        version = properties.get("version", b"unknown")
    finally:
        await connection.close()
    return version.decode() if isinstance(version, bytes) else str(version)


async def machine_info(amqp_url: str) -> dict[str, Any]:
    rabbitmq = await broker_version(amqp_url)
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        postgres = await admin.fetchval("SHOW server_version")
    finally:
        await admin.close()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib(), 1),
        "python": platform.python_version(),
        "rabbitmq": rabbitmq,
        "postgresql": postgres,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (the field after the command name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


@dataclass
class CpuMeter:
    """CPU used between two readings: by one process (or this one) and by the machine."""

    pid: int | None = None

    def __post_init__(self) -> None:
        self.start = self._read()

    def _read(self) -> tuple[float, float, float]:
        own = time.process_time() if self.pid is None else process_cpu_seconds(self.pid)
        return (own, *machine_cpu_seconds())

    def stop(self) -> dict[str, float]:
        own, busy, total = (b - a for a, b in zip(self.start, self._read(), strict=True))
        wall = total / (os.cpu_count() or 1)
        return {
            "process_cpu_s": own,
            "process_core_pct": 100 * own / wall if wall else 0.0,
            "machine_busy_pct": 100 * busy / total if total else 0.0,
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


# ---- baseline: the raw one-hop chain ---------------------------------------------------

RAW_SCHEMA = """
CREATE TABLE inbox (
    consumer text NOT NULL, event_source text NOT NULL, event_id text NOT NULL,
    received_at timestamptz NOT NULL, PRIMARY KEY (consumer, event_source, event_id));
CREATE TABLE effects (
    id uuid PRIMARY KEY, event_id text NOT NULL, agency_code text NOT NULL,
    title text NOT NULL, data jsonb NOT NULL);
CREATE TABLE outbox (
    seq bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE, routing_key text NOT NULL,
    body bytea NOT NULL, created_at timestamptz NOT NULL, sent_at timestamptz);
"""
QUORUM: dict[str, FieldValue] = {"x-queue-type": "quorum"}


async def raw_chain_run(
    amqp_url: str, count: int, label: str, sink_queues: int = SUBMITTED_SUBSCRIBERS
) -> dict[str, Any]:
    """One raw chain on a database and queues of its own."""
    async with fresh_postgres_database(f"cchc_bench_raw_{label}") as database:
        return await raw_chain(
            amqp_url,
            database.replace("+asyncpg", ""),
            inbound_messages("raw", count),
            label,
            sink_queues,
        )


def mean_run(runs: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The figures of several runs, averaged (the rate as total messages over total time)."""
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float)]
    mean = {k: sum(run[k] for run in runs) / len(runs) for k in keys}
    mean["rate"] = len(runs) / sum(1 / run["rate"] for run in runs)
    return mean


async def raw_chain(
    amqp_url: str, dsn: str, messages: Sequence[Outgoing], label: str, sink_queues: int
) -> dict[str, Any]:
    """Hand-written aio-pika + asyncpg: the least a one-hop stage with inbox, effect and
    outbox in one transaction and a confirmed publish can cost on this machine."""
    count = len(messages)
    # As many connections as a service's SQLAlchemy pool allows (10 + 10 overflow).
    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
    connection = await aio_pika.connect(amqp_url)
    try:
        await pool.execute(RAW_SCHEMA)
        publishing = await connection.channel(publisher_confirms=True)
        prefix = f"bench.chain.{label}"
        source = await publishing.declare_queue(f"{prefix}.in", durable=True, arguments=QUORUM)
        sinks = [
            await publishing.declare_queue(f"{prefix}.sink{n}", durable=True, arguments=QUORUM)
            for n in range(sink_queues)
        ]
        out = await publishing.declare_exchange(
            f"{prefix}.out", aio_pika.ExchangeType.DIRECT, durable=True
        )
        for sink in sinks:
            await sink.bind(out, routing_key=SUBMITTED_KEY)
        await publish_all(publishing.default_exchange, source.name, messages)

        consuming = await connection.channel()
        await consuming.set_qos(prefetch_count=64)
        queue = await consuming.declare_queue(source.name, durable=True, arguments=QUORUM)
        done = asyncio.Event()
        handled = 0
        errors: list[BaseException] = []

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal handled
            try:
                event = json.loads(message.body)
                data = event["data"]
                initiative_id = str(uuid.uuid4())
                out_id = str(uuid.uuid4())
                body = json.dumps(
                    {
                        "specversion": "1.0",
                        "id": out_id,
                        "source": "/bench/raw",
                        "type": SUBMITTED_TYPE,
                        "time": datetime.now(UTC).isoformat(),
                        "data": {**data, "initiative_id": initiative_id},
                    },
                    ensure_ascii=False,
                ).encode()
                async with pool.acquire() as db, db.transaction():
                    fresh = await db.fetchval(
                        "INSERT INTO inbox VALUES ('raw', $1, $2, now()) "
                        "ON CONFLICT DO NOTHING RETURNING 1",
                        event["source"],
                        event["id"],
                    )
                    seq = None
                    if fresh:
                        await db.execute(
                            "INSERT INTO effects VALUES ($1, $2, $3, $4, $5::jsonb)",
                            uuid.UUID(initiative_id),
                            event["id"],
                            data["agency_code"],
                            data["title"],
                            json.dumps(data),
                        )
                        seq = await db.fetchval(
                            "INSERT INTO outbox (event_id, routing_key, body, created_at) "
                            "VALUES ($1, $2, $3, now()) RETURNING seq",
                            out_id,
                            SUBMITTED_KEY,
                            body,
                        )
                if seq is not None:
                    await out.publish(
                        amqp_message(out_id, body), routing_key=SUBMITTED_KEY, mandatory=True
                    )
                    await pool.execute("UPDATE outbox SET sent_at = now() WHERE seq = $1", seq)
                await message.ack()
            except Exception as exc:  # surfaced by the waiter instead of a silent hang
                errors.append(exc)
                done.set()
                return
            handled += 1
            if handled >= count:
                done.set()

        cpu = CpuMeter()
        started = time.perf_counter()
        await queue.consume(on_message)
        await asyncio.wait_for(done.wait(), timeout=max(120, count / 20))
        elapsed = time.perf_counter() - started
        usage = cpu.stop()
        if errors:
            raise RuntimeError(f"raw chain failed: {errors[0]!r}") from errors[0]
        unsent = await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        sunk = min([await queue_depth(amqp_url, sink.name) for sink in sinks])
        if unsent or sunk != count:
            raise RuntimeError(f"raw chain incomplete: {unsent} unsent, {sunk}/{count} in sink")
    finally:
        await connection.close()
        await pool.close()
    return {
        "rate": count / elapsed,
        "seconds": elapsed,
        "cpu_ms_per_msg": 1000 * usage["process_cpu_s"] / count,
        **usage,
    }


# ---- the services ----------------------------------------------------------------------

# Runs a service module under a profiler and writes the report when the service exits.
# uvicorn re-raises a captured SIGTERM after its graceful shutdown: turned into SystemExit
# here so that the report is written.
PROFILE_WRAPPER = """
import runpy, signal, sys
from pathlib import Path
kind, out, module = sys.argv[1:4]
sys.argv = [module, *sys.argv[4:]]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
if kind == "pyinstrument":
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.001, async_mode="disabled")
else:
    import cProfile
    profiler = cProfile.Profile()
profiler.start() if kind == "pyinstrument" else profiler.enable()
try:
    runpy.run_module(module, run_name="__main__", alter_sys=True)
except SystemExit:
    pass
finally:
    if kind == "pyinstrument":
        profiler.stop()
        Path(out).write_text(profiler.output_text(unicode=False, color=False))
    else:
        profiler.disable()
        profiler.dump_stats(out)
"""


class BenchProcesses(ServiceProcesses):
    """ServiceProcesses that can start chosen services under a profiler."""

    def __init__(self, *args: Any, profiles: Mapping[str, tuple[str, Path]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.profiles = dict(profiles)

    def command(self, instance: str) -> list[str]:
        if instance not in self.profiles:
            return super().command(instance)
        kind, out = self.profiles[instance]
        module = f"cchc_{self.service_of(instance)}"
        return [sys.executable, "-c", PROFILE_WRAPPER, kind, str(out), module, "serve"]


class Bench:
    def __init__(self, amqp_url: str, processes: BenchProcesses) -> None:
        self.amqp_url = amqp_url
        self.processes = processes
        self.db: dict[str, asyncpg.Connection] = {}

    async def connect(self, databases: Mapping[str, str], stack: contextlib.AsyncExitStack) -> None:
        for service, url in databases.items():
            self.db[service] = await asyncpg.connect(url.replace("+asyncpg", ""))
            stack.push_async_callback(self.db[service].close)

    async def effects(self, service: str) -> int:
        return int(await self.db[service].fetchval(EFFECT_SQL[service]))

    async def start(self, *services: str) -> None:
        for service in services:
            self.processes.start(service)
        await asyncio.to_thread(self.processes.wait_ready, *services)

    async def stop(self, *services: str) -> None:
        await asyncio.to_thread(self.processes.stop, *services)

    def check_alive(self, *services: str) -> None:
        for service in services:
            code = self.processes.processes[service].poll()
            if code is not None:
                raise RuntimeError(f"{service} exited with {code}")

    async def stage(self, service: str, count: int) -> dict[str, Any]:
        """Start ``service`` alone on its preloaded queue and time the drain into its effects:
        from its first inbox row (consumption starts before readiness is reported) to the
        moment every effect is there (for intake: every outbox row sent too)."""
        depth = await queue_depth(self.amqp_url, STAGE_QUEUES[service])
        if depth != count:
            raise RuntimeError(f"{STAGE_QUEUES[service]} holds {depth} messages, not {count}")
        db = self.db[service]
        before = await self.effects(service)
        self.processes.start(service)
        ready = asyncio.create_task(asyncio.to_thread(self.processes.wait_ready, service))
        pid = self.processes.processes[service].pid
        state: dict[str, Any] = {}

        async def drained() -> bool:
            self.check_alive(service)
            done = await self.effects(service) - before
            if "cpu" not in state and done > 0:  # measured from the first effect: not startup
                state.update(cpu=CpuMeter(pid), cpu_from=done)
            if ready.done() and "at_ready" not in state:
                ready.result()
                state["at_ready"] = done
            if done < count:
                return False
            if service == "intake":
                return not await db.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            return True

        try:
            ended = await poll(drained, max(120, count / 10), f"{service} stage")
            usage = state["cpu"].stop()
            await ready
        finally:
            if not ready.done():
                ready.cancel()
        first = float(await db.fetchval("SELECT extract(epoch FROM min(received_at)) FROM inbox"))
        # One relay cycle marks its rows sent at one instant: rows per cycle tell how well
        # the relay batches (a cycle costs two transactions whatever its size).
        cycles = await db.fetchval("SELECT count(DISTINCT sent_at) FROM outbox")
        timeline = await db.fetchrow(
            "SELECT extract(epoch FROM (SELECT max(received_at) FROM inbox)) AS last_in,"
            " extract(epoch FROM max(sent_at)) AS last_sent FROM outbox"
        )

        await self.stop(service)
        elapsed = ended - first
        return {
            "outbox_rows_per_relay_cycle": (await db.fetchval("SELECT count(*) FROM outbox"))
            / max(1, cycles),
            # How long the relay took, after the last message was taken in, to send the rest.
            "relay_tail_ms": 1000 * float(timeline["last_sent"] - timeline["last_in"])
            if timeline["last_sent"] is not None
            else 0.0,
            "rate": count / elapsed,
            "seconds": elapsed,
            "done_at_ready": state.get("at_ready", count),
            "cpu_ms_per_msg": 1000 * usage["process_cpu_s"] / max(1, count - state["cpu_from"]),
            **usage,
        }

    async def pipeline(self, count: int) -> dict[str, Any]:
        """All four running: publish ``count`` inbound as fast as confirms allow and time
        until reporting's read model holds them all."""
        bases = {s: await self.effects(s) for s in SERVICES}
        messages = inbound_messages("pipeline", count)
        meters = {s: CpuMeter(self.processes.processes[s].pid) for s in SERVICES}
        started = time.time()
        publish_rate = await publish_inbound(self.amqp_url, messages)

        async def reported() -> bool:
            self.check_alive(*SERVICES)
            return await self.effects("reporting") - bases["reporting"] >= count

        ended = await poll(reported, max(180, count / 5), "pipeline", interval=0.05)
        usage = {s: meter.stop() for s, meter in meters.items()}
        await self.settle({s: bases[s] + count for s in SERVICES})
        return {
            "rate": count / (ended - started),
            "seconds": ended - started,
            "publish_rate": publish_rate,
            # CPU of each service per initiative reported, and how busy the machine was
            "cpu_ms_per_msg": {s: 1000 * u["process_cpu_s"] / count for s, u in usage.items()},
            "services_cores": sum(u["process_core_pct"] for u in usage.values()) / 100,
            "machine_busy_pct": usage["reporting"]["machine_busy_pct"],
        }

    async def settle(self, totals: Mapping[str, int], timeout: float = 180) -> None:
        """Wait until every service holds ``totals`` effects (nothing left in flight)."""

        async def settled() -> bool:
            return all([await self.effects(s) >= n for s, n in totals.items()])

        await poll(settled, timeout, "settling", interval=0.2)

    async def latency(self, rate: float, seconds: float) -> dict[str, Any]:
        """Publish at ``rate``/s for ``seconds``; latency of each = reporting's received_at of
        its initiative.submitted minus the wall-clock time its inbound message was sent."""
        messages = inbound_messages("latency", max(1, round(rate * seconds)))
        published_at: dict[str, float] = {}
        connection = await aio_pika.connect(self.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(INBOUND_EXCHANGE, ensure=False)
            confirms = []
            begin = time.monotonic()
            for index, (message_id, body) in enumerate(messages):
                # On a fixed schedule, so a slow confirm does not lower the rate.
                delay = begin + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                published_at[message_id] = time.time()
                confirms.append(
                    asyncio.create_task(
                        exchange.publish(
                            amqp_message(message_id, body),
                            routing_key=SUBMITTED_KEY,
                            mandatory=True,
                        )
                    )
                )
            await asyncio.gather(*confirms)
            sent_rate = len(messages) / (time.monotonic() - begin)
        finally:
            await connection.close()

        received: dict[str, float] = {}

        async def all_received() -> bool:
            origins = dict(
                await self.db["intake"].fetch(
                    "SELECT origin_id, id::text FROM initiatives WHERE origin_id = ANY($1)",
                    list(published_at),
                )
            )
            rows = await self.db["reporting"].fetch(
                "SELECT data->>'initiative_id', extract(epoch FROM received_at) FROM event_log"
                " WHERE event_type = $1 AND data->>'initiative_id' = ANY($2)",
                SUBMITTED_TYPE,
                list(origins.values()),
            )
            by_initiative = {i: float(at) for i, at in rows}
            received.update({o: by_initiative[i] for o, i in origins.items() if i in by_initiative})
            return len(received) == len(messages)

        await poll(all_received, 120, "latency run", interval=0.5)
        latencies = [1000 * (received[m] - published_at[m]) for m in published_at]
        return {
            "messages": len(messages),
            "sent_rate": sent_rate,
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies),
            "legs": await self.latency_legs(published_at, received),
        }

    async def latency_legs(
        self, published_at: Mapping[str, float], received: Mapping[str, float]
    ) -> dict[str, Any]:
        """Where the latency goes: published -> intake's outbox row written (its commit),
        -> the relay's confirmed publish (sent_at), -> reporting's received_at."""
        rows = await self.db["intake"].fetch(
            "SELECT i.origin_id, extract(epoch FROM o.created_at), extract(epoch FROM o.sent_at)"
            " FROM initiatives i JOIN outbox o"
            " ON convert_from(o.body, 'UTF8')::jsonb #>> '{data,initiative_id}' = i.id::text"
            " WHERE o.event_type = $1 AND i.origin_id = ANY($2)",
            SUBMITTED_TYPE,
            list(published_at),
        )
        legs: dict[str, list[float]] = {"to_commit": [], "relay": [], "to_reporting": []}
        order = {origin: index for index, origin in enumerate(published_at)}
        slowest = []
        for origin, written, sent in rows:
            split = (
                1000 * (float(written) - published_at[origin]),
                1000 * (float(sent) - float(written)),
                1000 * (received[origin] - float(sent)),
            )
            for leg, value in zip(legs, split, strict=True):
                legs[leg].append(value)
            slowest.append((sum(split), order[origin], *split))
        figures: dict[str, Any] = {
            leg: {
                "p50_ms": percentile(values, 50),
                "p99_ms": percentile(values, 99),
                "max_ms": max(values, default=float("nan")),
            }
            for leg, values in legs.items()
        }
        # The outliers, to tell a stall in one leg from general slowness.
        figures["slowest"] = [
            {"index": i, "total_ms": t, **dict(zip(legs, split, strict=True))}
            for t, i, *split in sorted(slowest, reverse=True)[:5]
        ]
        return figures


# ---- intake's HTTP API -----------------------------------------------------------------


async def http_load(
    base_url: str,
    count: int,
    concurrency: int,
    request: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    expected: int,
) -> tuple[dict[str, Any], list[httpx.Response]]:
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    latencies: list[float] = []
    responses: list[httpx.Response] = []
    failures: list[str] = []
    next_index = iter(range(count))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60, limits=limits
    ) as client:

        async def worker() -> None:
            for index in next_index:
                started = time.perf_counter()
                response = await request(client, index)
                latencies.append(1000 * (time.perf_counter() - started))
                if response.status_code == expected:
                    responses.append(response)
                else:
                    failures.append(f"{response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {count} requests failed, e.g. {failures[0]}")
    return {
        "rate": count / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "requests": count,
        "concurrency": concurrency,
    }, responses


async def intake_http(base_url: str, count: int) -> dict[str, Any]:
    agencies = [a.code for a in load_agencies().values()]
    year = int(time.strftime("%Y"))
    tag = uuid.uuid4().hex[:8]

    def post(client: httpx.AsyncClient, index: int) -> Awaitable[httpx.Response]:
        return client.post(
            "/api/v1/initiatives",
            json={
                "agency_code": agencies[index % len(agencies)],
                "campaign_year": year,
                "kind": "solution",
                "title": f"Giải pháp đo hiệu năng {tag} số {index}",
                "summary": "Một đề xuất gửi qua API để đo thông lượng của bộ phận tiếp nhận.",
                "par_area": "digital_government",
                "applied_since": "2022-01-01",
                "results": "Rút ngắn thời gian xử lý.",
                "limitations": "",
            },
        )

    posted, responses = await http_load(base_url, count, 16, post, 201)
    ids = [r.json()["initiative_id"] for r in responses]

    def get(client: httpx.AsyncClient, index: int) -> Awaitable[httpx.Response]:
        return client.get(f"/api/v1/initiatives/{ids[index % len(ids)]}")

    read, _ = await http_load(base_url, count, 16, get, 200)
    return {"post": posted, "get": read}


# ---- report ----------------------------------------------------------------------------


def rows_of(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: value, unit, baseline and ratio (or target)."""
    rows: list[dict[str, Any]] = []

    def row(
        name: str,
        value: float,
        unit: str,
        baseline: str = "",
        ratio: float | None = None,
        note: str = "",
    ) -> None:
        rows.append(
            {
                "figure": name,
                "value": value,
                "unit": unit,
                "baseline": baseline,
                "ratio": ratio,
                "note": note,
            }
        )

    raw = results.get("raw")
    chain = results.get("raw_chain")
    if raw:
        row("raw publish (aio-pika, confirms)", raw["publish"], "msg/s")
        row("raw consume (aio-pika, ack)", raw["consume"], "msg/s")
    one_queue = results.get("raw_chain_one_queue")
    if one_queue:
        row(
            "raw one-hop chain, event to 1 queue",
            one_queue["rate"],
            "msg/s",
            "",
            None,
            _cpu_note(one_queue),
        )
    for when, run in results.get("raw_chain_runs", {}).items():
        row(
            f"raw one-hop chain, {when} the stages*", run["rate"], "msg/s", "", None, _cpu_note(run)
        )
    if chain:
        ratio = chain["rate"] / raw["consume"] if raw else None
        row(
            "raw one-hop chain (aio-pika+asyncpg), mean",
            chain["rate"],
            "msg/s",
            "raw consume",
            ratio,
            _cpu_note(chain),
        )
    for service, stage in results.get("stages", {}).items():
        ratio = stage["rate"] / chain["rate"] if chain else None
        row(
            f"stage {service} (one hop, alone)",
            stage["rate"],
            "msg/s",
            "raw one-hop chain",
            ratio,
            _cpu_note(stage),
        )
    pipe = results.get("pipeline")
    if pipe:
        ratio = pipe["rate"] / chain["rate"] if chain else None
        note = (
            f"inbound published at {pipe['publish_rate']:.0f}/s; services used "
            f"{pipe['services_cores']:.1f} cores, machine {pipe['machine_busy_pct']:.0f}% busy"
        )
        row(
            "pipeline sustained (4 services)",
            pipe["rate"],
            "events/s",
            "raw one-hop chain",
            ratio,
            note,
        )
    lat = results.get("latency")
    if lat:
        note = f"{lat['messages']} msgs at {lat['sent_rate']:.0f}/s"
        for key in ("p50", "p95", "p99", "max"):
            target = f"target < {P99_TARGET_MS:.0f} ms" if key == "p99" else ""
            row(f"latency inbound->reporting {key}", lat[f"{key}_ms"], "ms", target, None, note)
    if lat and lat.get("legs"):
        names = {
            "to_commit": "published -> intake commit",
            "relay": "intake commit -> relay sent",
            "to_reporting": "relay sent -> reporting",
        }
        for leg, figures in lat["legs"].items():
            if leg == "slowest":
                continue
            note = f"p50 {figures['p50_ms']:.0f} ms, max {figures['max_ms']:.0f} ms"
            row(f"  leg {names[leg]} p99", figures["p99_ms"], "ms", "", None, note)
    http = results.get("http")
    if http:
        for verb in ("post", "get"):
            figures = http[verb]
            path = "/api/v1/initiatives" + ("/{id}" if verb == "get" else "")
            note = f"p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms"
            note += f", {figures['concurrency']} clients"
            row(f"intake HTTP {verb.upper()} {path}", figures["rate"], "req/s", "", None, note)
    return rows


def _cpu_note(figures: Mapping[str, float]) -> str:
    note = (
        f"{figures['cpu_ms_per_msg']:.2f} ms CPU/msg, process {figures['process_core_pct']:.0f}%"
        f" of a core, machine {figures['machine_busy_pct']:.0f}% busy"
    )
    if figures.get("outbox_rows_per_relay_cycle"):
        note += (
            f", {figures['outbox_rows_per_relay_cycle']:.0f} events per relay cycle, relay done"
            f" {figures['relay_tail_ms']:.0f} ms after the last message in"
        )
    return note


def targets_of(results: Mapping[str, Any]) -> dict[str, Any]:
    targets: dict[str, Any] = {}
    chain, stages = results.get("raw_chain"), results.get("stages")
    if chain and stages:
        ratios = {s: f["rate"] / chain["rate"] for s, f in stages.items()}
        slowest = min(ratios, key=lambda s: ratios[s])
        targets["stages_vs_raw_chain"] = {
            "target": f">= {STAGE_TARGET:.0%} of the raw one-hop chain for every stage",
            "holds": all(r >= STAGE_TARGET for r in ratios.values()),
            "slowest": slowest,
            "slowest_ratio": ratios[slowest],
        }
    if results.get("latency"):
        p99 = results["latency"]["p99_ms"]
        targets["latency_p99"] = {
            "target": f"p99 < {P99_TARGET_MS:.0f} ms",
            "holds": p99 < P99_TARGET_MS,
            "p99_ms": p99,
        }
    return targets


def print_report(results: Mapping[str, Any]) -> None:
    machine = results["machine"]
    print(
        f"\nmachine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, "
        f"Python {machine['python']}, RabbitMQ {machine['rabbitmq']}, "
        f"PostgreSQL {machine['postgresql']}, load average {machine['load_average_at_start']}"
    )
    print(f"parameters: {results['parameters']}\n")
    print(f"{'figure':<46}{'value':>10}  {'unit':<9}{'baseline':<22}{'ratio':>6}  note")
    for r in results["rows"]:
        ratio = f"{r['ratio']:.0%}" if r["ratio"] is not None else ""
        print(
            f"{r['figure']:<46}{r['value']:>10.0f}  {r['unit']:<9}{r['baseline']:<22}"
            f"{ratio:>6}  {r['note']}"
        )
    if results.get("raw_chain_runs"):
        print(
            f"* the raw chain's outgoing event goes to {SUBMITTED_SUBSCRIBERS} quorum queues, as"
            " initiative.submitted.v1 does; the stages are compared with the mean of both runs"
        )
    print()
    for name, target in results["targets"].items():
        verdict = "HOLDS" if target["holds"] else "DOES NOT HOLD"
        detail = (
            f"slowest {target['slowest']} at {target['slowest_ratio']:.0%}"
            if name == "stages_vs_raw_chain"
            else f"p99 {target['p99_ms']:.0f} ms"
        )
        print(f"target {target['target']}: {verdict} ({detail})")


# ---- the run ---------------------------------------------------------------------------


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "parameters": {
            "events": args.events,
            "rate": args.rate,
            "seconds": args.seconds,
            "http_requests": args.http_requests,
            "broker": "private node" if args.private_broker else "fresh vhost of the local node",
        },
    }
    count = args.events
    profiles = {args.profile: (args.profiler, args.profile_out)} if args.profile else {}
    async with contextlib.AsyncExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cchc-bench-")))
        if args.private_broker:
            node = PrivateRabbitMQ(work / "rabbitmq")
            step("starting a private RabbitMQ node")
            await asyncio.to_thread(node.start)
            stack.push_async_callback(asyncio.to_thread, node.stop)
            amqp_url = node.url
        else:
            amqp_url = await stack.enter_async_context(fresh_vhost("cchc-bench"))
        results["machine"] = await machine_info(amqp_url)
        databases = await stack.enter_async_context(fresh_service_databases(SERVICES, "cchc_bench"))
        processes = BenchProcesses(
            amqp_url,
            databases,
            work / "var",
            auth_secret=SECRET,
            extra_env={"CCHC_LOG_LEVEL": "WARNING"},
            profiles=profiles,
        )
        stack.push_async_callback(asyncio.to_thread, processes.stop)
        bench = Bench(amqp_url, processes)
        try:
            if args.latency_only:
                step(f"latency at {args.rate}/s for {args.seconds} s")
                await bench.start(*SERVICES)
                await bench.connect(databases, stack)
                results["latency"] = await bench.latency(args.rate, args.seconds)
                return results
            if not args.profile and not args.stages:
                step(f"raw publish and consume, {count} messages")
                publish = await raw_publish(amqp_url, count)
                consume = await raw_consume(amqp_url, count)
                results["raw"] = {"publish": publish, "consume": consume}
            # The raw chain runs before and after the stages, and the stages are compared
            # with the mean of both: the machine's speed drifts (a shared VM), and a stage
            # measured between the two is compared with the machine as it was around it.
            runs: dict[str, dict[str, Any]] = {}
            if not args.profile:
                if not args.stages:
                    step("raw one-hop chain to a single queue (for reference)")
                    results["raw_chain_one_queue"] = await raw_chain_run(
                        amqp_url, count, "one", sink_queues=1
                    )
                step("raw one-hop chain (before the stages)")
                runs["before"] = await raw_chain_run(amqp_url, count, "before")
            step("services: start all once (migrations, seed data, every queue), then stop")
            await bench.start(*SERVICES)
            await bench.stop(*SERVICES)
            await bench.connect(databases, stack)
            step(f"preloading {count} inbound messages")
            await publish_inbound(amqp_url, inbound_messages("stage", count))
            stages: dict[str, Any] = {}
            results["stages"] = stages
            if args.profile:
                chosen: Sequence[str] = ("intake", args.profile)
            else:
                chosen = ("intake", *args.stages) if args.stages else SERVICES
            for service in dict.fromkeys(chosen):
                step(f"stage {service}")
                stages[service] = await bench.stage(service, count)
            if runs:
                step("raw one-hop chain (after the stages)")
                runs["after"] = await raw_chain_run(amqp_url, count, "after")
                results["raw_chain_runs"] = runs
                results["raw_chain"] = mean_run(list(runs.values()))
            if args.profile:
                results["profile"] = str(profiles[args.profile][1])
            if args.profile or args.stages:
                return results
            step(f"whole pipeline, {count} inbound messages")
            await bench.start(*SERVICES)
            results["pipeline"] = await bench.pipeline(count)
            step(f"latency at {args.rate}/s for {args.seconds} s")
            results["latency"] = await bench.latency(args.rate, args.seconds)
            step(f"intake HTTP, {args.http_requests} requests x 2, other services stopped")
            await bench.stop("scheduling", "evaluation", "reporting")
            results["http"] = await intake_http(processes.url("intake"), args.http_requests)
        except BaseException:
            if processes.logs:
                print(processes.dump_logs(tail=40), file=sys.stderr)
            raise
    return results


def print_profile(path: Path, profiler: str, lines: int = 40) -> None:
    if profiler == "pyinstrument":
        print(path.read_text())
        return
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="messages per throughput run")
    parser.add_argument("--rate", type=float, default=50, help="inbound msg/s, latency run")
    parser.add_argument("--seconds", type=float, default=20, help="length of the latency run")
    parser.add_argument("--http-requests", type=int, default=1000, help="POSTs, then as many GETs")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="small numbers: a smoke run")
    parser.add_argument(
        "--private-broker",
        action="store_true",
        help="a RabbitMQ node of the run's own instead of a vhost of the local one",
    )
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=SERVICES,
        help="only the raw chain and these stages (each needs intake's before it)",
    )
    parser.add_argument("--latency-only", action="store_true", help="only the latency run")
    parser.add_argument("--profile", choices=SERVICES, help="profile this stage only")
    parser.add_argument("--profiler", choices=["cprofile", "pyinstrument"], default="cprofile")
    parser.add_argument("--profile-out", type=Path, help="default var/profile-<stage>.*")
    args = parser.parse_args()
    if args.profile:
        suffix = "txt" if args.profiler == "pyinstrument" else "prof"
        out = args.profile_out or REPO / "var" / f"profile-{args.profile}.{suffix}"
        out.parent.mkdir(parents=True, exist_ok=True)
        args.profile_out = out.resolve()
    if args.quick:
        args.events, args.seconds, args.http_requests = 200, 5, 200
    results = asyncio.run(run(args))
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["rows"] = rows_of(results)
    results["targets"] = targets_of(results)
    print_report(results)
    if args.profile:
        print_profile(Path(results["profile"]), args.profiler)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
