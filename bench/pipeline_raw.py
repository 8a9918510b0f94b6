"""The pipeline benchmark's baseline: the raw one-hop chain (aio-pika + asyncpg)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
from pamqp.common import FieldValue
from pipeline_common import (
    SUBMITTED_KEY,
    SUBMITTED_SUBSCRIBERS,
    SUBMITTED_TYPE,
    Outgoing,
    amqp_message,
    inbound_messages,
    publish_all,
    queue_depth,
)
from pipeline_machine import CpuMeter

from cchc_testkit.infra import fresh_postgres_database

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
