"""The kit's publisher against a real RabbitMQ: what it sends, and every way it refuses."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable

import aio_pika
import pytest

from cchc_shared.messaging.broker import PERSISTENT, AmqpPublisher, PublishError
from cchc_testkit.nodes import PrivateRabbitMQ

pytestmark = pytest.mark.integration


async def publish_once_restored(send: Callable[[], Awaitable[None]]) -> None:
    """Retry a publish while the broker restores a closed channel or connection, as the relay
    retries a failed row after a backoff."""
    for _ in range(100):
        try:
            return await send()
        except PublishError:
            await asyncio.sleep(0.2)
    raise AssertionError("no publish went through within 20 s of the restore")


def json_publish(
    publisher: AmqpPublisher,
    *,
    routing_key: str,
    message_id: str,
    exchange: str = "",
    timeout: float,
) -> Callable[[], Awaitable[None]]:
    """A publish of an empty JSON object, ready to call (and to call again)."""
    return functools.partial(
        publisher.publish,
        exchange=exchange,
        routing_key=routing_key,
        body=b"{}",
        message_id=message_id,
        content_type="application/json",
        timeout=timeout,
    )


async def test_a_confirmed_message_arrives_persistent_with_its_properties(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    publisher = AmqpPublisher(amqp_url, app_id="publisher-test")
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("test.publisher", durable=True)
        queue = await channel.declare_queue("test.publisher.sink", durable=True)
        await queue.bind(exchange, routing_key="a.b")
        await publisher.start()
        await asyncio.gather(
            *(
                publisher.publish(
                    exchange="test.publisher",
                    routing_key="a.b",
                    body=f"mẫu {n}".encode(),
                    message_id=f"id-{n}",
                    content_type="application/cloudevents+json",
                    headers={"x-n": n},
                )
                for n in range(50)
            )
        )
        received = []
        for _ in range(50):
            message = await queue.get(timeout=5, fail=True)
            assert message is not None
            received.append(message)
            await message.ack()
        by_id = {m.message_id: m for m in received}
        assert sorted(by_id) == sorted(f"id-{n}" for n in range(50))
        first = by_id["id-0"]
        assert first.body.decode() == "mẫu 0"
        assert first.delivery_mode == PERSISTENT
        assert first.content_type == "application/cloudevents+json"
        assert first.app_id == "publisher-test"
        assert first.headers == {"x-n": 0}
    finally:
        await publisher.stop()
        await connection.close()


async def test_an_unroutable_message_is_refused(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    publisher = AmqpPublisher(amqp_url, app_id="publisher-test")
    try:
        channel = await connection.channel()
        await channel.declare_exchange("test.publisher.nowhere", durable=True)
        await publisher.start()
        # mandatory: the broker returns an unroutable message; a missing exchange closes the
        # channel. Either way the publish fails.
        for exchange, routing_key in (("test.publisher.nowhere", "no.queue"), ("missing", "x")):
            with pytest.raises(PublishError):
                await json_publish(
                    publisher,
                    exchange=exchange,
                    routing_key=routing_key,
                    message_id=f"to-{exchange}",
                    timeout=5,
                )()
        # The closed channel is reopened in the background; the relay retries a failed row
        # after a backoff, and so does this.
        queue = await channel.declare_queue("test.publisher.after", durable=True)
        await publish_once_restored(
            json_publish(publisher, routing_key=queue.name, message_id="after", timeout=5)
        )
        message = await queue.get(timeout=5, fail=True)
        assert message is not None and message.message_id == "after"
    finally:
        await publisher.stop()
        await connection.close()


async def test_publishing_before_start_is_refused(amqp_url: str) -> None:
    with pytest.raises(PublishError, match="not started"):
        await AmqpPublisher(amqp_url, app_id="publisher-test").publish(
            exchange="", routing_key="x", body=b"", message_id="m", content_type="text/plain"
        )


async def test_a_publish_while_the_broker_is_down_fails_within_its_timeout(
    private_rabbitmq: PrivateRabbitMQ,
) -> None:
    # A node of the test's own: stopping the shared broker would break every other client.
    amqp_url = await asyncio.to_thread(private_rabbitmq.add_vhost)
    connection = await aio_pika.connect(amqp_url)
    queue = await (await connection.channel()).declare_queue("test.publisher.down", durable=True)
    await connection.close()
    publisher = AmqpPublisher(amqp_url, app_id="publisher-test")
    await publisher.start()
    send = json_publish(publisher, routing_key=queue.name, message_id="m", timeout=1.0)
    try:
        await asyncio.to_thread(private_rabbitmq.ctl, "stop_app")
        started = time.monotonic()
        with pytest.raises(PublishError):
            await send()
        assert time.monotonic() - started < 5, "the deadline covers the wait for a reconnect"
    finally:
        await asyncio.to_thread(private_rabbitmq.ctl, "start_app")
        await asyncio.to_thread(private_rabbitmq.ctl, "await_startup")
    await publish_once_restored(send)  # the robust connection comes back by itself
    await publisher.stop()
