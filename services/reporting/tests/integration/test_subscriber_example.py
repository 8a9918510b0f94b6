"""The documented example subscriber (docs/examples/subscriber.py) binds its own queue to
cchc.events and prints each recommendation, once, against the real broker."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from cchc_shared.contracts import encode_event
from cchc_shared.messaging.topology import declare_topology

from ..campaign import SPEC, recommended, submitted
from ..conftest import publish

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).resolve().parents[4] / "docs" / "examples" / "subscriber.py"


async def test_example_subscriber_prints_each_recommendation_once(amqp_url: str) -> None:
    await declare_topology(amqp_url)  # the exchanges exist once any service has started
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--queue",
        "subscriber-example.test",
        "--count",
        "2",
        env={**os.environ, "CCHC_AMQP_URL": amqp_url, "PYTHONIOENCODING": "utf-8"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready = await asyncio.wait_for(process.stdout.readline(), 30)
        assert ready.decode().startswith("listening on subscriber-example.test"), ready
        first = encode_event(recommended("D", 87.0, 3, "district_level"), source="/cchc/evaluation")
        await publish(
            amqp_url,
            [
                encode_event(submitted("B"), source="/cchc/intake"),  # not bound: never seen
                first,
                first,  # a redelivery: printed once
                encode_event(recommended("A", 85.33, 3, "city_wide"), source="/cchc/evaluation"),
            ],
        )
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    lines = out.decode("utf-8").splitlines()
    assert len(lines) == 2, lines
    assert "87.00" in lines[0] and SPEC["D"].title in lines[0] and "cấp huyện" in lines[0]
    assert "85.33" in lines[1] and "toàn Thành phố" in lines[1]
    assert SPEC["B"].title not in out.decode("utf-8")
