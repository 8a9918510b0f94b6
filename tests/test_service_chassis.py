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

SERVICES = ("intake", "scheduling", "evaluation", "reporting", "notifications")


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
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
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


async def test_a_server_error_carries_the_security_headers_and_the_error_format(
    tmp_path: Path,
) -> None:
    """A route that raises: the 500 (answered outside the middleware) still has the headers."""
    from fastapi import APIRouter
    from sqlalchemy import MetaData

    from cchc_shared.chassis.http import SECURITY_HEADERS, create_app
    from cchc_shared.chassis.runtime import ServiceRuntime
    from cchc_shared.chassis.settings import ServiceSettings
    from cchc_shared.persistence.tables import define_kit_tables

    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    metadata = MetaData()
    settings = ServiceSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    runtime = ServiceRuntime.build(settings, metadata, define_kit_tables(metadata), None)
    app = create_app(runtime, title="t", routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/api/v1/boom")
    assert answer.status_code == 500
    assert answer.json()["detail"][0]["field"] == "server"
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value, name
