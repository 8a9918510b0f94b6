"""The kit's publisher against a real RabbitMQ: what it sends, and every way it refuses."""

from __future__ import annotations

import asyncio

import aio_pika
import pytest

from cchc_shared.messaging.broker import PERSISTENT, AmqpPublisher, PublishError

pytestmark = pytest.mark.integration


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
                await publisher.publish(
                    exchange=exchange,
                    routing_key=routing_key,
                    body=b"{}",
                    message_id=f"to-{exchange}",
                    content_type="application/json",
                    timeout=5,
                )
        # The closed channel is reopened in the background; the relay retries a failed row
        # after a backoff, and so does this.
        queue = await channel.declare_queue("test.publisher.after", durable=True)
        for _ in range(50):
            try:
                await publisher.publish(
                    exchange="",
                    routing_key=queue.name,
                    body=b"{}",
                    message_id="after",
                    content_type="application/json",
                    timeout=5,
                )
                break
            except PublishError:
                await asyncio.sleep(0.1)
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
