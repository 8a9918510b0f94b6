"""RabbitMQ definitions generated from the services' routing tables: exchanges, quorum queues
with their dead-letter queues and bindings, and one least-privilege user per service, per
external platform and per subscriber. ``deploy/rabbitmq/definitions.json`` is rendered from here.

Topic permissions narrow what each user may write on the topic exchanges: a service only the
routing keys of the events it owns on ``cchc.events`` and only its own queues' keys on
``cchc.parking``; a platform only the inbound event on ``cchc.inbound``. Nobody may write
``cchc.dlx``: only the broker's own dead-lettering does."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cchc_shared.contracts.events import EVENTS, EVENTS_EXCHANGE, INBOUND_EXCHANGE, PLATFORMS
from cchc_shared.messaging.routing import all_queues, installed_subscriptions
from cchc_shared.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    DEFAULT_DELIVERY_LIMIT,
    PARKING_EXCHANGE,
    queue_arguments,
)

NOTHING = "^$"
EVERYTHING = ".*"


@dataclass(frozen=True)
class Permission:
    configure: str
    write: str
    read: str


def _names(*names: str) -> str:
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


def _prefixed(prefix: str, *names: str) -> str:
    return "^(" + "|".join([re.escape(prefix) + r"\..*", *(re.escape(n) for n in names)]) + ")$"


EXCHANGES = (EVENTS_EXCHANGE, INBOUND_EXCHANGE, DEAD_LETTER_EXCHANGE, PARKING_EXCHANGE)


@dataclass(frozen=True)
class TopicPermission:
    exchange: str
    write: str
    read: str


def service_permission(service: str) -> Permission:
    """A service declares the exchanges and its own queues, publishes only to cchc.events and
    the parking exchange, and reads only its own queues."""
    return Permission(
        configure=_prefixed(service, *EXCHANGES),
        write=_prefixed(service, EVENTS_EXCHANGE, PARKING_EXCHANGE),
        read=_prefixed(service, *EXCHANGES),
    )


def owned_routing_keys(publisher: str) -> list[str]:
    return sorted({model.routing_key for model in EVENTS if model.publisher == publisher})


def service_topic_permissions(service: str) -> list[TopicPermission]:
    """The events it owns on cchc.events (it binds its queues to any); its own queues'
    dead-letter keys on cchc.parking; nothing on cchc.inbound (intake binds it with '#')."""
    own_keys = owned_routing_keys(service)
    own_queues = r"^" + re.escape(service) + r"\."
    return [
        TopicPermission(EVENTS_EXCHANGE, _names(*own_keys) if own_keys else NOTHING, EVERYTHING),
        TopicPermission(PARKING_EXCHANGE, own_queues, own_queues),
        TopicPermission(INBOUND_EXCHANGE, NOTHING, EVERYTHING),
    ]


def platform_topic_permissions() -> list[TopicPermission]:
    return [
        TopicPermission(INBOUND_EXCHANGE, _names(*owned_routing_keys(PLATFORMS)), NOTHING),
        TopicPermission(EVENTS_EXCHANGE, NOTHING, NOTHING),
        TopicPermission(PARKING_EXCHANGE, NOTHING, NOTHING),
    ]


def subscriber_topic_permissions() -> list[TopicPermission]:
    return [
        TopicPermission(EVENTS_EXCHANGE, NOTHING, EVERYTHING),
        TopicPermission(INBOUND_EXCHANGE, NOTHING, NOTHING),
        TopicPermission(PARKING_EXCHANGE, NOTHING, NOTHING),
    ]


def operator_topic_permissions() -> list[TopicPermission]:
    return [
        TopicPermission(name, NOTHING, NOTHING)
        for name in (EVENTS_EXCHANGE, INBOUND_EXCHANGE, PARKING_EXCHANGE)
    ]


def platform_permission() -> Permission:
    """Another city platform may only publish to cchc.inbound."""
    return Permission(configure=NOTHING, write=_names(INBOUND_EXCHANGE), read=NOTHING)


def subscriber_permission(name: str) -> Permission:
    """A subscriber declares and reads its own queues (named ``<name>.*``) bound to cchc.events."""
    return Permission(
        configure=_prefixed(name), write=_prefixed(name), read=_prefixed(name, EVENTS_EXCHANGE)
    )


def operator_permission() -> Permission:
    """``cchc dlq``: reads dead-letter queues and sends messages back through the default
    exchange to the queue they came from."""
    return Permission(configure=NOTHING, write=r"^amq\.default$", read=r"^.*\.dlq$")


def password_hash(password: str, salt: bytes) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256 format: base64(salt + sha256(salt + password))."""
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _user(name: str, password: str) -> dict[str, Any]:
    salt = hashlib.sha256(name.encode()).digest()[:4]
    return {
        "name": name,
        "password_hash": password_hash(password, salt),
        "hashing_algorithm": "rabbit_password_hashing_sha256",
        "tags": [],
    }


def render_definitions(
    *,
    vhost: str = "/",
    user_prefix: str = "cchc-",
    platforms: Sequence[str] = ("platform-example",),
    subscribers: Sequence[str] = ("subscriber-example",),
    passwords: dict[str, str] | None = None,
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
) -> dict[str, Any]:
    """Development passwords default to the user's name: production rotates them
    (``rabbitmqctl change_password``) from its secret store."""
    passwords = passwords or {}
    users: list[dict[str, Any]] = []
    permissions: list[dict[str, Any]] = []
    topic_permissions: list[dict[str, Any]] = []

    def grant(user: str, permission: Permission, topics: list[TopicPermission]) -> None:
        users.append(_user(user, passwords.get(user, user)))
        permissions.append({"user": user, "vhost": vhost, **permission.__dict__})
        topic_permissions.extend({"user": user, "vhost": vhost, **t.__dict__} for t in topics)

    for service in installed_subscriptions():
        grant(
            f"{user_prefix}{service}",
            service_permission(service),
            service_topic_permissions(service),
        )
    for platform in platforms:
        grant(f"{user_prefix}{platform}", platform_permission(), platform_topic_permissions())
    for subscriber in subscribers:
        grant(
            f"{user_prefix}{subscriber}",
            subscriber_permission(f"{user_prefix}{subscriber}"),
            subscriber_topic_permissions(),
        )
    grant(f"{user_prefix}operator", operator_permission(), operator_topic_permissions())

    exchanges = [
        {
            "name": name,
            "vhost": vhost,
            "type": "topic",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
        for name in (EVENTS_EXCHANGE, INBOUND_EXCHANGE, PARKING_EXCHANGE)
    ] + [
        {
            "name": DEAD_LETTER_EXCHANGE,
            "vhost": vhost,
            "type": "direct",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
    ]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for spec in all_queues():
        queues.append(
            {
                "name": spec.name,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": queue_arguments(spec, delivery_limit),
            }
        )
        queues.append(
            {
                "name": spec.dead_letter_queue,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": {"x-queue-type": "quorum"},
            }
        )
        bindings.append(
            {
                "source": spec.exchange,
                "vhost": vhost,
                "destination": spec.name,
                "destination_type": "queue",
                "routing_key": spec.binding_key,
                "arguments": {},
            }
        )
        bindings.extend(
            {
                "source": exchange,
                "vhost": vhost,
                "destination": spec.dead_letter_queue,
                "destination_type": "queue",
                "routing_key": spec.name,
                "arguments": {},
            }
            for exchange in (DEAD_LETTER_EXCHANGE, PARKING_EXCHANGE)
        )
    return {
        "rabbit_version": "3.10.0",
        "users": users,
        "vhosts": [{"name": vhost}],
        "permissions": permissions,
        "topic_permissions": topic_permissions,
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
    }


def render_definitions_json(**options: Any) -> str:
    return json.dumps(render_definitions(**options), ensure_ascii=False, indent=2) + "\n"
