"""The evaluation service booted through its composition root against the real broker and a
real database, with an HTTP client, a publisher of CloudEvents on ``cchc.events`` and a test
queue that observes the events the service publishes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from jsonschema import Draft202012Validator

from cchc_evaluation.bootstrap import create_app
from cchc_evaluation.config import EvaluationSettings
from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import (
    EvaluationRecordedV1,
    EventData,
    ReplicationRecommendedV1,
    encode_event,
)
from cchc_shared.contracts.events import EVENTS_EXCHANGE, SelectionDecidedV1

DOCS = Path(__file__).resolve().parents[4] / "docs" / "events"
OBSERVED_KEYS = (
    EvaluationRecordedV1.routing_key,
    ReplicationRecommendedV1.routing_key,
    SelectionDecidedV1.routing_key,
)
SOURCES = {"initiative": "/cchc/intake", "campaign": "/cchc/intake", "round": "/cchc/scheduling"}


def committed_schema(name: str) -> Draft202012Validator:
    schema = json.loads((DOCS / f"{name}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def headers(role: str, *, agency: str | None = None, member: str | None = None) -> dict[str, str]:
    token = issue_token(AuthSettings(), role, agency=agency, member=member)
    return {"Authorization": f"Bearer {token}"}


SECRETARIAT = headers("secretariat")


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    exchange: aio_pika.abc.AbstractExchange
    observed: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    async def publish(
        self, data: EventData, *, event_id: str | None = None, at: datetime | None = None
    ) -> str:
        source = SOURCES[data.routing_key.split(".")[0]]
        message = encode_event(data, source=source, event_id=event_id, occurred_at=at)
        await self.exchange.publish(
            aio_pika.Message(
                body=message.body,
                message_id=message.event_id,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=message.routing_key,
        )
        return message.event_id

    async def eventually(
        self, check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30.0
    ) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.1)

    async def round_known(self, round_id: object, **expected: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}

        async def check() -> bool:
            answer = await self.client.get(f"/api/v1/rounds/{round_id}", headers=SECRETARIAT)
            if answer.status_code != 200:
                return False
            found.update(answer.json())
            return all(found.get(k) == v for k, v in expected.items())

        await self.eventually(check, f"round {round_id} {expected}")
        return found

    async def initiatives_known(self, *ids: object, year: int = 2023) -> None:
        wanted = {str(i) for i in ids}

        async def check() -> bool:
            answer = await self.client.get(f"/api/v1/campaigns/{year}/ranking", headers=SECRETARIAT)
            known = {item["initiative_id"] for item in answer.json()["items"] if item["initiative"]}
            return wanted <= known

        await self.eventually(check, f"initiatives {wanted}")

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
        EvaluationSettings(
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
            for key in OBSERVED_KEYS:
                await observer.bind(exchange, routing_key=key)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://evaluation"
            ) as client:
                harness = Harness(app, client, exchange)

                async def observe(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                    async with message.process():
                        harness.observed.append(message)

                await observer.consume(observe)
                yield harness
        finally:
            await connection.close()
