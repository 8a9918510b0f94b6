"""Runs on the real services: each stage alone, the whole pipeline, latency at a rate."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
from pipeline_common import (
    EFFECT_SQL,
    STAGE_QUEUES,
    SUBMITTED_KEY,
    SUBMITTED_TYPE,
    amqp_message,
    inbound_messages,
    percentile,
    poll,
    publish_inbound,
    queue_depth,
)
from pipeline_machine import CpuMeter

from cchc_shared.contracts.events import INBOUND_EXCHANGE
from cchc_testkit.processes import SERVICES, ServiceProcesses

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

    async def pipeline(
        self, count: int, label: str = "pipeline", instances: Sequence[str] = SERVICES
    ) -> dict[str, Any]:
        """All four running (``instances``: every replica of them): publish ``count``
        inbound as fast as confirms allow and time until reporting's read model holds them
        all. ``label`` makes the run's titles its own."""
        bases = {s: await self.effects(s) for s in SERVICES}
        messages = inbound_messages(label, count)
        meters = {i: CpuMeter(self.processes.processes[i].pid) for i in instances}
        started = time.time()
        publish_rate = await publish_inbound(self.amqp_url, messages)

        async def reported() -> bool:
            self.check_alive(*instances)
            return await self.effects("reporting") - bases["reporting"] >= count

        ended = await poll(reported, max(180, count / 5), "pipeline", interval=0.05)
        usage = {i: meter.stop() for i, meter in meters.items()}
        await self.settle({s: bases[s] + count for s in SERVICES})
        cpu_s = {s: 0.0 for s in SERVICES}
        for instance, u in usage.items():
            cpu_s[self.processes.service_of(instance)] += u["process_cpu_s"]
        return {
            "rate": count / (ended - started),
            "seconds": ended - started,
            "publish_rate": publish_rate,
            # CPU of each service (all its replicas) per initiative reported, and how busy
            # the machine was
            "cpu_ms_per_msg": {s: 1000 * c / count for s, c in cpu_s.items()},
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
