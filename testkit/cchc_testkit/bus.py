"""The broker as it is deployed, seen from a test: the users of the rendered definitions
(names prefixed, one virtual host) and publishing as one of them, to see what the broker lets
through and what it refuses."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote, unquote, urlparse

import aio_pika
from aiormq.exceptions import AMQPError

from cchc_shared.contracts import CONTENT_TYPE_CLOUDEVENTS, EventData, encode_event
from cchc_shared.contracts.events import EVENTS_EXCHANGE, service_source
from cchc_testkit.infra import RABBITMQ_HOST, rabbitmqctl


def vhost_of(amqp_url: str) -> str:
    """The virtual host an AMQP URL names."""
    return unquote(urlparse(amqp_url).path.lstrip("/"))


def user_url(user: str, vhost: str) -> str:
    """The URL of ``vhost`` for a user of the definitions rendered for tests (its name is its
    password)."""
    return f"amqp://{user}:{user}@{RABBITMQ_HOST}/{quote(vhost, safe='')}"


@asynccontextmanager
async def imported_definitions(definitions: dict[str, Any]) -> AsyncIterator[None]:
    """Rendered broker definitions imported into the real broker (``rabbitmqctl
    import_definitions``), and their users deleted again at the end; their virtual host goes
    with it (``fresh_vhost``)."""
    await asyncio.to_thread(
        rabbitmqctl, "import_definitions", "--format", "json", stdin=json.dumps(definitions)
    )
    try:
        yield
    finally:
        for user in definitions["users"]:
            await asyncio.to_thread(rabbitmqctl, "delete_user", user["name"])


class BrokerUsers:
    """The definitions' users in ``vhost``, each named ``<prefix><name>`` with its name as its
    password (as the rendered definitions for tests have them)."""

    def __init__(self, vhost: str, prefix: str) -> None:
        self.vhost, self.prefix = vhost, prefix

    def user(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def url(self, name: str) -> str:
        return user_url(self.user(name), self.vhost)

    async def publish(
        self, name: str, exchange: str, routing_key: str, body: bytes = b"{}", **properties: Any
    ) -> bool:
        """Publish one message connected as ``name`` (``properties`` are the AMQP ones, e.g. a
        ``user_id`` it claims): True when the broker confirmed it, False when it refused it."""
        connection = await aio_pika.connect(self.url(name))
        try:
            channel = await connection.channel(publisher_confirms=True)
            target = (
                channel.default_exchange
                if exchange == ""
                else await channel.get_exchange(exchange, ensure=False)
            )
            await target.publish(
                aio_pika.Message(
                    body,
                    content_type=CONTENT_TYPE_CLOUDEVENTS,
                    message_id=properties.pop("message_id", str(uuid.uuid4())),
                    **properties,
                ),
                routing_key=routing_key,
                timeout=10,
            )
            return True
        except (AMQPError, aio_pika.exceptions.AMQPException):
            return False
        finally:
            await connection.close()

    async def publish_as(
        self, name: str, exchange: str, routing_key: str, body: bytes = b"{}", **properties: Any
    ) -> bool:
        """:meth:`publish` as ``name`` with its own ``user_id``, as the kit's publishers set
        it: what a consumer trusting the broker's user check believes to be ``name``'s."""
        return await self.publish(
            name, exchange, routing_key, body, user_id=self.user(name), **properties
        )


# The service whose events they are, by the routing key's entity.
_EVENT_SOURCES = {"initiative": "/cchc/intake", "round": "/cchc/scheduling"}


async def publish_as_services(
    amqp_url: str, *events: EventData, publisher: str | None = None
) -> None:
    """Publish ``events`` on ``cchc.events`` as their services' relays would (CloudEvents,
    persistent, confirmed): a state that the services' own rules would not make now (a visit
    today, a past campaign), as the other services receive it. ``publisher``: the service
    whose events they are, where the routing key's entity does not tell (evaluation's
    ``replication.recommended.v1``)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for data in events:
            source = (
                service_source(publisher)
                if publisher
                else _EVENT_SOURCES[data.routing_key.split(".")[0]]
            )
            message = encode_event(data, source=source)
            await exchange.publish(
                aio_pika.Message(
                    body=message.body,
                    message_id=message.event_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=message.routing_key,
            )
    finally:
        await connection.close()
