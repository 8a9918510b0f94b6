"""The one way the kit publishes: persistent, mandatory, with publisher confirms, on a
robust connection of its own (consumers have another, as RabbitMQ advises)."""

from __future__ import annotations

from typing import Any

import aio_pika
import aio_pika.abc
from pamqp.commands import Basic


class PublishError(Exception):
    """The broker did not confirm the message (nack, return, timeout or no connection)."""


class AmqpPublisher:
    """Publishes with confirms; a nack, a return (unroutable) or a timeout raises
    ``PublishError``. Reconnects by itself after a broker restart."""

    def __init__(self, amqp_url: str, *, app_id: str, timeout: float = 10.0) -> None:
        self.amqp_url = amqp_url
        self.app_id = app_id
        self.timeout = timeout
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._exchanges: dict[str, aio_pika.abc.AbstractExchange] = {}

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.amqp_url, client_properties={"connection_name": f"{self.app_id} publisher"}
        )
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._exchanges = {"": self._channel.default_exchange}

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None
        self._exchanges = {}

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
        try:
            target = self._exchanges.get(exchange)
            if target is None:  # topology is declared by declare_topology(), never here
                target = await self._channel.get_exchange(exchange, ensure=False)
                self._exchanges[exchange] = target
            confirmation = await target.publish(
                aio_pika.Message(
                    body,
                    headers=headers or None,
                    content_type=content_type,
                    message_id=message_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    app_id=self.app_id,
                ),
                routing_key=routing_key,
                mandatory=True,
                timeout=timeout,
            )
        except TimeoutError as exc:
            raise PublishError(f"no confirm within {timeout}s") from exc
        except Exception as exc:  # nack, return (on_return_raises), closed channel, ...
            raise PublishError(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(confirmation, Basic.Ack):
            raise PublishError(f"broker answered {type(confirmation).__name__}")


def make_publisher(amqp_url: str, *, app_id: str, timeout: float = 10.0) -> AmqpPublisher:
    return AmqpPublisher(amqp_url, app_id=app_id, timeout=timeout)
