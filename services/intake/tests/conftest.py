"""Fixtures of the intake tests: the real app (lifespan running) on a real broker and
database, tokens, and a tap that records what intake publishes on cchc.events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from cchc_intake.bootstrap import create_app
from cchc_intake.config import IntakeSettings
from cchc_shared.auth import AuthSettings, issue_token

AUTH = AuthSettings()


def token(role: str, agency: str | None = None, **kwargs: Any) -> str:
    return issue_token(AUTH, role, agency=agency, **kwargs)


def bearer(role: str, agency: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, agency)}"}


def initiative_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "model",
        "title": "Mô hình “Phường Bến Nghé không hẹn lần hai”",
        "summary": "Tiếp nhận và trả kết quả thủ tục hành chính trong ngày.",
        "par_area": "procedures",
        "applied_since": "2022-03-01",
        "results": "98% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 96%.",
        "limitations": "Chưa liên thông dữ liệu với một số sở, ngành.",
    }
    body.update(overrides)
    return body


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class EventTap:
    """A private queue on cchc.events bound to initiative.# and draft.#: what intake
    published."""

    messages: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    def of_type(self, routing_key: str) -> list[dict[str, Any]]:
        return [json.loads(m.body) for m in self.messages if m.routing_key == routing_key]

    async def wait(
        self, routing_key: str, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        async def enough() -> bool:
            return len(self.of_type(routing_key)) >= count

        await wait_for(enough, timeout, f"{count} {routing_key}")
        return self.of_type(routing_key)


@pytest.fixture
async def tap(amqp_url: str, app: FastAPI) -> AsyncIterator[EventTap]:
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue("", exclusive=True)
    await queue.bind("cchc.events", routing_key="initiative.#")
    await queue.bind("cchc.events", routing_key="draft.#")
    found = EventTap()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        found.messages.append(message)
        await message.ack()

    await queue.consume(on_message)
    yield found
    await connection.close()


@dataclass
class Clock:
    """A settable clock; defaults to the real time."""

    fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)

    def set(self, day: date, hour: int = 9) -> None:
        """Fix the clock at ``hour`` o'clock in Ho Chi Minh City on ``day``."""
        self.fixed = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url: str, amqp_url: str, tmp_path: Path) -> IntakeSettings:
    return IntakeSettings(
        database_url=database_url,
        amqp_url=amqp_url,
        data_dir=tmp_path,
        relay_poll_interval=0.2,
        attachment_max_bytes=256 * 1024,
    )


@pytest.fixture
def application(settings: IntakeSettings, clock: Clock) -> FastAPI:
    """The app as built (its ``state.services`` for driving the service layer directly)."""
    return create_app(settings, auth=AUTH, clock=clock)


@pytest.fixture
async def app(application: FastAPI) -> AsyncIterator[FastAPI]:
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60) as manager:
        yield manager.app  # type: ignore[misc]


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
        yield http
