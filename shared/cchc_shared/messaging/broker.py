"""The one way the kit publishes: persistent, mandatory, with publisher confirms, on a
robust connection of its own (consumers have another, as RabbitMQ advises)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import aio_pika
import aio_pika.abc
import aiormq
from pamqp.commands import Basic

from cchc_shared.messaging import cluster
from cchc_shared.messaging.trust import broker_user

PERSISTENT = 2  # AMQP delivery mode: the broker writes the message to disk


class PublishError(Exception):
    """The broker did not confirm the message (nack, return, timeout or no connection)."""


class AmqpPublisher:
    """Publishes with confirms; a nack, a return (unroutable) or a timeout raises
    ``PublishError``. Reconnects by itself after a broker restart, to another node of a
    cluster when its node is gone (``cluster``). Every message carries the
    connection's user as ``user_id``: the broker refuses it if that is not who connected,
    so a consumer can tell who published it."""

    def __init__(self, amqp_url: str, *, app_id: str, timeout: float = 10.0) -> None:
        self.amqp_url = amqp_url
        self.user_id = broker_user(amqp_url)
        self.app_id = app_id
        self.timeout = timeout
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None

    async def start(self) -> None:
        self._connection = await cluster.connect(
            self.amqp_url, client_properties={"connection_name": f"{self.app_id} publisher"}
        )
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None

    async def ping(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def publish(
        self,
        *,
        exchange: str,
        routing_key: str,
        body: bytes,
        message_id: str,
        content_type: str,
        headers: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> None:
        if self._channel is None:
            raise PublishError("the publisher is not started")
        timeout = timeout or self.timeout
        properties = Basic.Properties(
            content_type=content_type,
            headers=headers or None,
            delivery_mode=PERSISTENT,
            message_id=message_id,
            app_id=self.app_id,
            user_id=self.user_id,
        )
        try:
            # One deadline for all of it, the wait for a reconnecting channel included.
            async with asyncio.timeout(timeout):
                # The concrete aiormq channel: its abstract base does not declare ``wait``.
                channel = cast(aiormq.Channel, await self._channel.get_underlay_channel())
                # wait=False: the frame is queued and the channel's lock released at once,
                # rather than held until the writer has flushed it; the confirm is still
                # awaited. Under load the relay's batch otherwise goes out one loop turn per
                # message.
                confirmation = await channel.basic_publish(
                    body,
                    exchange=exchange,
                    routing_key=routing_key,
                    properties=properties,
                    mandatory=True,
                    wait=False,
                )
        except TimeoutError as exc:
            raise PublishError(f"no confirm within {timeout}s") from exc
        except Exception as exc:  # nack, return (on_return_raises), closed channel, ...
            raise PublishError(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(confirmation, Basic.Ack):
            raise PublishError(f"broker answered {type(confirmation).__name__}")


def make_publisher(amqp_url: str, *, app_id: str, timeout: float = 10.0) -> AmqpPublisher:
    return AmqpPublisher(amqp_url, app_id=app_id, timeout=timeout)
