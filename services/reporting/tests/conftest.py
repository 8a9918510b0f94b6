"""Fixtures of the reporting tests: the real app (lifespan running) on a real broker and
database, tokens, and a publisher of CloudEvents on cchc.events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from cchc_reporting.bootstrap import create_app
from cchc_reporting.config import ReportingSettings
from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import EncodedMessage
from cchc_shared.contracts.events import EVENTS_EXCHANGE

AUTH = AuthSettings()


def bearer(role: str, agency: str | None = None, member: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(AUTH, role, agency=agency, member=member)}"}


SECRETARIAT = bearer("secretariat")
ADMIN = bearer("admin")


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def publish(amqp_url: str, messages: Iterable[EncodedMessage]) -> None:
    """Publish as another service's relay does: persistent, confirmed, one at a time so the
    delivery order is the given one."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for m in messages:
            await exchange.publish(
                aio_pika.Message(
                    m.body,
                    content_type=m.content_type,
                    message_id=m.event_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    headers=m.headers or None,
                ),
                routing_key=m.routing_key,
                mandatory=True,
            )
    finally:
        await connection.close()


@pytest.fixture
def settings(database_url: str, amqp_url: str, tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(
        database_url=database_url,
        amqp_url=amqp_url,
        data_dir=tmp_path,
        relay_poll_interval=0.2,
    )


@pytest.fixture
async def app(settings: ReportingSettings) -> AsyncIterator[FastAPI]:
    """The service's app with its lifespan running (``app.state`` holds its parts)."""
    application = create_app(settings, auth=AUTH)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60) as manager:
        application.state.asgi = manager.app  # with the lifespan state attached to requests
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app.state.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as http:
        yield http


async def logged_events(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/v1/admin/log", headers=ADMIN)
    assert response.status_code == 200, response.text
    count: Any = response.json()["events"]
    return int(count)


async def wait_logged(client: httpx.AsyncClient, count: int, timeout: float = 30.0) -> None:
    async def enough() -> bool:
        return await logged_events(client) >= count

    await wait_for(enough, timeout, f"{count} logged events")
