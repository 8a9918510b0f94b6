"""Every service boots through its real composition root: migrations applied, topology
declared, health, readiness and metrics served; and ``cchc run`` starts and stops them."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_testkit.nodes import free_port

pytestmark = pytest.mark.integration

SERVICES = ("intake", "scheduling", "evaluation", "reporting")


@pytest.mark.parametrize("service", SERVICES)
async def test_service_starts_and_reports_health(
    service: str, database_url: str, amqp_url: str
) -> None:
    bootstrap = importlib.import_module(f"cchc_{service}.bootstrap")
    config = importlib.import_module(f"cchc_{service}.config")
    settings_class = getattr(config, f"{service.capitalize()}Settings")
    settings = settings_class(database_url=database_url, CCHC_AMQP_URL=amqp_url)
    app = bootstrap.create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            assert (await client.get("/health/live")).json() == {"status": "ok"}
            ready = await client.get("/health/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {
                "database": "ok",
                "broker": "ok",
                "consumers": "ok",
                "relay": "ok",
                "ready": True,
            }
            metrics = await client.get("/metrics")
            assert "cchc_outbox_backlog" in metrics.text
            assert (await client.get("/openapi.json")).status_code == 200



def _wait_ready(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def _run_and_interrupt(amqp_url: str, data_dir: Path) -> tuple[int, str, bool]:
    ports = {"scheduling": free_port(), "reporting": free_port()}
    env = {
        **os.environ,
        "CCHC_AMQP_URL": amqp_url,
        "CCHC_DATA_DIR": str(data_dir),
        **{f"CCHC_{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cchc_tools.cli", "run", "scheduling", "reporting"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    ready = all(_wait_ready(port, 60) for port in ports.values())
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return process.returncode, output, ready


async def test_cchc_run_starts_services_as_processes_and_stops_cleanly(
    amqp_url: str, tmp_path: Path
) -> None:
    code, output, ready = await asyncio.to_thread(_run_and_interrupt, amqp_url, tmp_path)
    assert ready, output
    assert code == 0, output
    for name in ("scheduling", "reporting"):
        assert f"{name} " in output and "service stopped" in output
        assert (tmp_path / f"{name}.db").exists()
