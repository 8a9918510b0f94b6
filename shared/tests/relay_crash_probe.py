"""Runs an outbox relay that publishes one batch and is killed (SIGKILL) before it can
mark the rows sent: the worst moment for a crash."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from cchc_shared.messaging.broker import make_publisher
from cchc_shared.messaging.outbox import OutboxRelay, OutboxRow, RelaySettings, broker_publisher

_spec = importlib.util.spec_from_file_location("kit_probe", Path(__file__).with_name("probe.py"))
assert _spec is not None and _spec.loader is not None
probe_module = importlib.util.module_from_spec(_spec)
sys.modules["kit_probe"] = probe_module
_spec.loader.exec_module(probe_module)


class CrashingRelay(OutboxRelay):
    async def mark(
        self, acked: Sequence[int], failed: Sequence[tuple[OutboxRow, BaseException]]
    ) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


async def main(database_url: str, amqp_url: str) -> None:
    probe = await probe_module.Probe.create(database_url, amqp_url)
    broker = make_publisher(amqp_url, app_id="crashing-relay")
    await broker.start()
    relay = CrashingRelay(
        probe.engine, probe_module.kit, broker_publisher(broker), RelaySettings(lease_seconds=1.0)
    )
    await relay.relay_once()
    raise SystemExit("the relay should have been killed")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
