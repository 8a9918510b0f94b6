"""The machine's description and CPU meters (from /proc) for the pipeline benchmark."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
from pipeline_common import CLOCK_TICKS

from cchc_testkit.infra import POSTGRES_ADMIN_DSN

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
