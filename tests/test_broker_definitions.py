"""The generated RabbitMQ definitions import into the real broker, and the permission
matrix holds: each user can do its job and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from cchc_testkit.bus import imported_definitions, user_url, vhost_of
from cchc_testkit.infra import rabbitmqctl
from cchc_tools.definitions import render_definitions

pytestmark = pytest.mark.integration


@pytest.fixture
async def imported(amqp_url: str) -> AsyncIterator[tuple[str, str]]:
    vhost = vhost_of(amqp_url)
    prefix = f"t{uuid.uuid4().hex[:6]}-"
    async with imported_definitions(render_definitions(vhost=vhost, user_prefix=prefix)):
        yield vhost, prefix


async def can_publish(user: str, vhost: str, exchange: str, routing_key: str) -> bool:
    connection = await aio_pika.connect(user_url(user, vhost))
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = (
            channel.default_exchange
            if exchange == ""
            else await channel.get_exchange(exchange, ensure=False)
        )
        await target.publish(aio_pika.Message(b"{}"), routing_key=routing_key, timeout=5)
        return True
    except (ChannelAccessRefused, aio_pika.exceptions.ChannelClosed):
        return False
    finally:
        await connection.close()


async def can_read(user: str, vhost: str, queue: str) -> bool:
    connection = await aio_pika.connect(user_url(user, vhost))
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        await declared.get(fail=False, no_ack=False, timeout=5)
        return True
    except (ChannelAccessRefused, aio_pika.exceptions.ChannelClosed):
        return False
    finally:
        await connection.close()


async def test_definitions_import_and_permission_matrix_holds(
    imported: tuple[str, str],
) -> None:
    vhost, prefix = imported
    queues = rabbitmqctl("list_queues", "-p", vhost, "name", "arguments")
    assert "intake.inbound" in queues and "x-delivery-limit" in queues and "quorum" in queues
    assert "reporting.replication.recommended.v1.dlq" in queues

    platform, intake, scheduling = (
        f"{prefix}platform-example",
        f"{prefix}intake",
        f"{prefix}scheduling",
    )
    subscriber = f"{prefix}subscriber-example"
    # A platform writes only to cchc.inbound.
    assert await can_publish(platform, vhost, "cchc.inbound", "initiative.submitted.v1")
    assert not await can_publish(platform, vhost, "cchc.events", "initiative.submitted.v1")
    assert not await can_read(platform, vhost, "intake.inbound")
    assert not await can_read(platform, vhost, "scheduling.initiative.submitted.v1")
    # A service publishes its events and reads its own queues only.
    assert await can_publish(intake, vhost, "cchc.events", "initiative.submitted.v1")
    assert not await can_publish(intake, vhost, "cchc.inbound", "initiative.submitted.v1")
    assert await can_read(intake, vhost, "intake.inbound")
    assert not await can_read(intake, vhost, "scheduling.initiative.submitted.v1")
    assert await can_read(scheduling, vhost, "scheduling.initiative.submitted.v1")
    assert not await can_read(scheduling, vhost, "intake.inbound")
    # A subscriber binds its own queue to cchc.events and cannot touch the services' queues.
    connection = await aio_pika.connect(user_url(subscriber, vhost))
    try:
        channel = await connection.channel()
        own = await channel.declare_queue(f"{subscriber}.recommendations", durable=True)
        await own.bind("cchc.events", routing_key="replication.recommended.v1")
    finally:
        await connection.close()
    assert not await can_read(subscriber, vhost, "reporting.replication.recommended.v1")
    assert not await can_publish(subscriber, vhost, "cchc.events", "replication.recommended.v1")
    # The operator replays parked messages and reads nothing else.
    operator = f"{prefix}operator"
    assert await can_read(operator, vhost, "intake.inbound.dlq")
    assert await can_publish(operator, vhost, "", "intake.inbound")
    assert not await can_read(operator, vhost, "intake.inbound")
