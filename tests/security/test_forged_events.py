"""Forged events, tried as an attacker would over AMQP, against the broker as it is deployed:
``deploy/rabbitmq/definitions.json``'s users, permissions and topic permissions imported into a
private virtual host, and each service connected as its own user with the production trust
settings (``CCHC_BUS_USERS``, ``CCHC_PLATFORM_SOURCES``).

* A service user publishing another service's event, claiming another user, writing the
  dead-letter exchange or another service's dead-letter queue: refused by the broker.
* A platform user writing to cchc.events, or anything but the inbound event: refused by the
  broker.
* What the broker lets through but the consumer must not believe (the operator's door into a
  queue; a platform claiming a service's or another platform's source; reserved headers):
  parked by the consumer with the reason, and the real platform's message is still taken in.
* ``cchc dlq replay`` with forged headers sends the message back only to its own queue, once.
* Genuine events still flow from a platform through intake to reporting.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_shared.messaging.consumer import ORIGINAL_QUEUE_HEADER
from cchc_testkit.bus import BrokerUsers, imported_definitions, vhost_of
from cchc_testkit.infra import fresh_vhost
from cchc_testkit.waiting import eventually
from cchc_tools.definitions import render_definitions
from cchc_tools.dlq import list_parked, replay_parked

from .conftest import bearer
from .figures import count
from .test_inbound_fuzzing import envelope, valid_data

pytestmark = pytest.mark.integration

AREA = "forged events"
BOOTED = ("intake", "reporting")
PLATFORM, OTHER_PLATFORM = "platform-dvc", "platform-other"
SOURCES = {PLATFORM: "/platforms/dvc", OTHER_PLATFORM: "/platforms/other"}
RECOMMENDED_QUEUE = "reporting.replication.recommended.v1"
INBOUND_KEY = "initiative.submitted.v1"


class Bus(BrokerUsers):
    def __init__(
        self, vhost: str, prefix: str, clients: dict[str, httpx.AsyncClient], admin_url: str
    ) -> None:
        super().__init__(vhost, prefix)
        self.clients, self.admin_url = clients, admin_url

    async def publish(
        self, name: str, exchange: str, routing_key: str, body: bytes = b"{}", **properties: Any
    ) -> bool:
        count(AREA, "attempts on the broker")
        confirmed = await super().publish(name, exchange, routing_key, body, **properties)
        if not confirmed:
            count(AREA, "refused by the broker")
        return confirmed


def settings_for(service: str, bus: Bus, directory: Path) -> Any:
    config = importlib.import_module(f"cchc_{service}.config")
    settings_class = getattr(config, f"{service.capitalize()}Settings")
    return settings_class(
        database_url=f"sqlite+aiosqlite:///{directory / 'service.db'}",
        CCHC_AMQP_URL=bus.url(service),
        CCHC_DATA_DIR=str(directory),
        CCHC_DECLARE_ALL_QUEUES=False,  # the definitions declare them; a service cannot
        CCHC_BUS_USERS={
            name: bus.user(name)
            for name in (
                "intake",
                "scheduling",
                "evaluation",
                "reporting",
                "replication",
                "operator",
            )
        },
        CCHC_PLATFORM_SOURCES={bus.user(p): [s] for p, s in SOURCES.items()},
    )


@pytest.fixture(scope="module")
async def bus(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bus]:
    async with AsyncExitStack() as stack:
        admin_url = await stack.enter_async_context(fresh_vhost("cchc-forged"))
        vhost = vhost_of(admin_url)
        prefix = f"f{uuid.uuid4().hex[:6]}-"
        definitions = render_definitions(
            vhost=vhost, user_prefix=prefix, platforms=(PLATFORM, OTHER_PLATFORM)
        )
        await stack.enter_async_context(imported_definitions(definitions))
        result = Bus(vhost, prefix, {}, admin_url)
        for service in BOOTED:
            bootstrap = importlib.import_module(f"cchc_{service}.bootstrap")
            directory = tmp_path_factory.mktemp(f"forged-{service}")
            app = bootstrap.create_app(settings_for(service, result, directory))
            manager = await stack.enter_async_context(
                LifespanManager(app, startup_timeout=60, shutdown_timeout=60)
            )
            result.clients[service] = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=manager.app),
                    base_url=f"http://{service}",
                    timeout=60,
                )
            )
        yield result


def inbound(source: str, event_id: str | None = None, **data: Any) -> bytes:
    document = envelope({**valid_data(), **data}, source=source, id=event_id or str(uuid.uuid4()))
    return json.dumps(document, ensure_ascii=False).encode()


def forged_recommendation() -> bytes:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "/cchc/evaluation",
            "type": "vn.hcmc.cchc.replication.recommended.v1",
            "data": {"initiative_id": str(uuid.uuid4())},
        }
    ).encode()


async def parked_in(bus: Bus, queue: str) -> list[Any]:
    return await list_parked(bus.url("operator"), [queue])


async def initiatives_in_reporting(bus: Bus) -> list[dict[str, Any]]:
    year = valid_data()["campaign_year"]
    response = await bus.clients["reporting"].get(
        f"/api/v1/campaigns/{year}/initiatives", headers=bearer("secretariat")
    )
    if response.status_code == 404:  # nothing of the campaign has reached reporting yet
        return []
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_service_cannot_publish_another_services_event(bus: Bus) -> None:
    body = forged_recommendation()
    assert not await bus.publish("reporting", "cchc.events", "replication.recommended.v1", body)
    assert not await bus.publish("reporting", "cchc.events", "round.scheduled.v1", body)
    # Nor claim to be the owner: the broker checks user_id against the connection's user.
    assert not await bus.publish(
        "reporting",
        "cchc.events",
        "replication.recommended.v1",
        body,
        user_id=bus.user("evaluation"),
    )
    # The owner itself may.
    assert await bus.publish_as("evaluation", "cchc.events", "replication.recommended.v1", body)


async def test_nobody_writes_the_dead_letter_exchange_and_parking_stays_home(bus: Bus) -> None:
    for service in ("intake", "reporting"):
        assert not await bus.publish(service, "cchc.dlx", RECOMMENDED_QUEUE)
    assert not await bus.publish("intake", "cchc.parking", RECOMMENDED_QUEUE)
    assert await bus.publish("reporting", "cchc.parking", RECOMMENDED_QUEUE)
    # (that last one is reporting parking into its own dead-letter queue, as the kit does)


async def test_a_platform_writes_only_the_inbound_event(bus: Bus) -> None:
    body = inbound(SOURCES[PLATFORM])
    assert not await bus.publish(PLATFORM, "cchc.events", "initiative.submitted.v1", body)
    assert not await bus.publish(PLATFORM, "cchc.inbound", "replication.recommended.v1", body)
    assert not await bus.publish(PLATFORM, "", "intake.inbound", body)


async def test_the_operators_door_does_not_let_a_forgery_in(bus: Bus) -> None:
    """The operator may put a message into any queue (replays): without the original's user
    the consumer does not believe it is evaluation's, and parks it with the reason."""
    body = forged_recommendation()
    assert await bus.publish_as("operator", "", RECOMMENDED_QUEUE, body)

    async def parked() -> bool:
        return any(
            p.body_preview == body[:200].decode() for p in await parked_in(bus, RECOMMENDED_QUEUE)
        )

    await eventually(parked, "the forgery was never parked", interval=0.2)
    count(AREA, "parked by the consumer")
    [found] = [
        p for p in await parked_in(bus, RECOMMENDED_QUEUE) if p.body_preview == body[:200].decode()
    ]
    assert "chỉ do dịch vụ evaluation phát hành" in found.reason


async def test_a_platform_cannot_take_another_platforms_source(bus: Bus) -> None:
    """The impostor's message is parked; the real platform's message with the same id is then
    taken in, not dropped as a repeat, and reaches reporting (genuine events still flow)."""
    event_id = str(uuid.uuid4())
    title = f"Sáng kiến thật {event_id[:8]}"
    impostor = inbound(SOURCES[PLATFORM], event_id, title=f"Giả mạo {event_id[:8]}")
    assert await bus.publish_as(OTHER_PLATFORM, "cchc.inbound", INBOUND_KEY, impostor)
    claimed_service = inbound("/cchc/intake", title=f"Giả nguồn dịch vụ {event_id[:8]}")
    assert await bus.publish_as(PLATFORM, "cchc.inbound", INBOUND_KEY, claimed_service)
    genuine = inbound(SOURCES[PLATFORM], event_id, title=title)
    assert await bus.publish_as(PLATFORM, "cchc.inbound", INBOUND_KEY, genuine)

    async def arrived() -> bool:
        return any(i["title"] == title for i in await initiatives_in_reporting(bus))

    await eventually(arrived, "the genuine initiative never reached reporting", interval=0.2)
    count(AREA, "genuine, delivered")
    titles = {i["title"] for i in await initiatives_in_reporting(bus)}
    assert not any(t.startswith(("Giả mạo", "Giả nguồn")) for t in titles)
    reasons = [p.reason for p in await parked_in(bus, "intake.inbound")]
    assert any("chưa đăng ký nguồn '/platforms/dvc'" in r for r in reasons)
    assert any("$.source" in r and "dành cho các dịch vụ" in r for r in reasons)
    count(AREA, "parked by the consumer", 2)


async def test_replay_goes_home_whatever_the_headers_say(bus: Bus) -> None:
    """A platform's message with the kit's own headers, pointing at reporting's queue: intake
    refuses it (reserved headers) and parks it without them. A replay sends it back to
    intake.inbound only, once, as the platform's: it is then taken in."""
    marker = uuid.uuid4().hex[:8]
    title = f"Sáng kiến gửi kèm tiêu đề giả {marker}"
    body = inbound(SOURCES[PLATFORM], f"forged-headers-{marker}", title=title)
    headers = {ORIGINAL_QUEUE_HEADER: RECOMMENDED_QUEUE, "x-death": [{"queue": RECOMMENDED_QUEUE}]}
    assert await bus.publish_as(PLATFORM, "cchc.inbound", INBOUND_KEY, body, headers=headers)

    async def parked_here() -> list[Any]:
        return [p for p in await parked_in(bus, "intake.inbound") if marker in p.body_preview]

    async def is_parked() -> bool:
        return bool(await parked_here())

    await eventually(is_parked, "the message with forged headers was never parked", interval=0.2)
    count(AREA, "parked by the consumer")
    [parked] = await parked_here()
    assert "x-cchc-original-queue" in parked.reason
    assert parked.published_by == bus.user(PLATFORM)
    recommended_before = await parked_in(bus, RECOMMENDED_QUEUE)

    replayed = await replay_parked(bus.url("operator"), ["intake.inbound"], [parked.message_id])
    assert [(p.message_id, p.original_queue) for p in replayed] == [
        (parked.message_id, "intake.inbound")
    ]
    count(AREA, "replays, each to its own queue")

    async def arrived() -> bool:
        return any(i["title"] == title for i in await initiatives_in_reporting(bus))

    await eventually(arrived, "the genuine initiative never reached reporting", interval=0.2)
    assert await parked_here() == []
    assert len(await parked_in(bus, RECOMMENDED_QUEUE)) == len(recommended_before)
    # A second request finds nothing left to replay.
    assert await replay_parked(bus.url("operator"), ["intake.inbound"], [parked.message_id]) == []


async def test_a_message_that_crashes_the_decoder_is_parked_at_once_and_answered(
    bus: Bus,
) -> None:
    """JSON nested 5,000 deep: parked on its first delivery (no retries up to the delivery
    limit, no broker dead-lettering with the publisher's headers), one InitiativeRejected."""
    connection = await aio_pika.connect(bus.admin_url)  # a subscriber of the rejections
    try:
        channel = await connection.channel()
        rejections = await channel.declare_queue(exclusive=True)
        await rejections.bind("cchc.events", routing_key="initiative.rejected.v1")
        message_id = f"deep-{uuid.uuid4().hex[:8]}"
        deep = b'{"specversion": "1.0", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
        assert await bus.publish_as(
            PLATFORM, "cchc.inbound", INBOUND_KEY, deep, message_id=message_id
        )

        async def parked_once() -> bool:
            return [p.message_id for p in await parked_in(bus, "intake.inbound")].count(
                message_id
            ) == 1

        await eventually(parked_once, "the deep message was not parked once", interval=0.2)
        count(AREA, "parked by the consumer")
        [parked] = [p for p in await parked_in(bus, "intake.inbound") if p.message_id == message_id]
        assert "dead-lettered by the broker" not in parked.reason, "parked by the kit, at once"
        answers: list[dict[str, Any]] = []

        async def answered() -> bool:
            while (got := await rejections.get(no_ack=True, fail=False, timeout=5)) is not None:
                answers.append(json.loads(got.body))
            return any(a["data"]["origin_id"] == message_id for a in answers)

        await eventually(
            answered, "the deep message was never answered with a rejection", interval=0.2
        )
        await asyncio.sleep(1)  # a second answer, if there were one, would be here by now
        await answered()
        assert [a["data"]["origin_id"] for a in answers].count(message_id) == 1
    finally:
        await connection.close()
