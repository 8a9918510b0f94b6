"""The scheduling service booted through its composition root against the real broker and a
real database, with an HTTP client, a publisher of intake's events on ``cchc.events`` and a
test queue that observes the round events the service publishes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from jsonschema import Draft202012Validator

from cchc_scheduling.bootstrap import create_app
from cchc_scheduling.config import SchedulingSettings
from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import EncodedMessage, EventData, encode_event
from cchc_shared.contracts.events import EVENTS_EXCHANGE, InitiativeSubmittedV1

DOCS = Path(__file__).resolve().parents[4] / "docs" / "events"
ROUND_KEYS = ("round.scheduled.v1", "round.rescheduled.v1", "round.cancelled.v1")


def committed_schema(name: str) -> Draft202012Validator:
    schema = json.loads((DOCS / f"{name}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def headers(role: str, *, agency: str | None = None, member: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(AuthSettings(), role, agency, member)}"}


SECRETARIAT = headers("secretariat")


def submitted(agency: str, area: str, title: str, year: int = 2023) -> InitiativeSubmittedV1:
    return InitiativeSubmittedV1(
        initiative_id=uuid.uuid4(),
        campaign_year=year,
        agency_code=agency,
        kind="model",
        title=title,
        summary="Tiếp nhận và trả kết quả hồ sơ trực tuyến toàn trình.",
        par_area=area,
        applied_since=date(2022, 3, 1),
        results="Rút ngắn 40% thời gian giải quyết hồ sơ.",
        limitations="Một số người dân cao tuổi còn lúng túng.",
        submitted_at=datetime(2023, 4, 20, 9, 0, tzinfo=UTC),
    )


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    exchange: aio_pika.abc.AbstractExchange
    observed: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    def encode(self, data: EventData) -> EncodedMessage:
        return encode_event(data, source="/cchc/intake")

    async def send(self, message: EncodedMessage) -> None:
        await self.exchange.publish(
            aio_pika.Message(
                body=message.body,
                message_id=message.event_id,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=message.routing_key,
        )

    async def publish(self, data: EventData) -> EncodedMessage:
        message = self.encode(data)
        await self.send(message)
        return message

    async def eventually(
        self, check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0
    ) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.1)

    async def pool(self, year: int = 2023) -> list[dict[str, Any]]:
        answer = await self.client.get(
            "/api/v1/pool", params={"campaign_year": year}, headers=SECRETARIAT
        )
        assert answer.status_code == 200, answer.text
        result: list[dict[str, Any]] = answer.json()
        return result

    async def in_pool(self, *ids: object, status: str = "in_pool") -> None:
        wanted = {str(i) for i in ids}

        async def check() -> bool:
            known = {i["initiative_id"] for i in await self.pool() if i["status"] == status}
            return wanted <= known

        await self.eventually(check, f"initiatives {wanted} {status}")

    def bodies(self, routing_key: str) -> list[dict[str, Any]]:
        return [json.loads(m.body) for m in self.observed if m.routing_key == routing_key]

    async def published(self, routing_key: str, count: int) -> list[dict[str, Any]]:
        async def check() -> bool:
            return len(self.bodies(routing_key)) >= count

        await self.eventually(check, f"{count} × {routing_key}")
        return self.bodies(routing_key)


@asynccontextmanager
async def running_service(
    database_url: str, amqp_url: str, **settings: Any
) -> AsyncIterator[Harness]:
    app = create_app(
        SchedulingSettings(
            database_url=database_url,
            CCHC_AMQP_URL=amqp_url,
            relay_poll_interval=0.1,
            **settings,
        )
    )
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
        connection = await aio_pika.connect_robust(amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(EVENTS_EXCHANGE)
            observer = await channel.declare_queue("", exclusive=True)
            for key in ROUND_KEYS:
                await observer.bind(exchange, routing_key=key)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://scheduling"
            ) as client:
                harness = Harness(app, client, exchange)

                async def observe(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                    async with message.process():
                        harness.observed.append(message)

                await observer.consume(observe)
                yield harness
        finally:
            await connection.close()
