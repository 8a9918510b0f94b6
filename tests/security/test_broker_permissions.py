"""Broker permissions per user, from the deploy definitions.

``tests/test_broker_definitions.py`` imports the rendered definitions into the real broker and
proves the main matrix (a platform writes only to cchc.inbound; a service publishes its events
and reads its own queues; a subscriber binds its own queue; the operator replays parked
messages). This adds what it leaves out:

* statically, over every user and every queue of the topology (RabbitMQ matches permission
  patterns as unanchored regular expressions, hence ``re.search``): no service can read
  another service's queues or dead-letter queues, or publish to cchc.inbound as if it were a
  platform; a platform, the operator and a subscriber configure nothing of the platform's;
  the committed ``deploy/rabbitmq/definitions.json`` grants exactly what is rendered;
* live, on the real broker: a platform can neither declare a queue nor bind one to
  cchc.events; a service cannot read another service's dead-letter queue.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused

from cchc_shared.contracts.events import EVENTS
from cchc_shared.messaging.routing import all_queues, installed_subscriptions
from cchc_testkit.bus import imported_definitions, user_url, vhost_of
from cchc_tools.definitions import render_definitions

from .figures import count

PREFIX = "cchc-"
DEFINITIONS = render_definitions(user_prefix=PREFIX)
GRANTS = {p["user"]: p for p in DEFINITIONS["permissions"]}
SERVICES = tuple(installed_subscriptions())
QUEUES = {spec.name: spec for spec in all_queues()}
ALL_QUEUE_NAMES = sorted({*QUEUES, *(f"{name}.dlq" for name in QUEUES)})
EXCHANGES = sorted(e["name"] for e in DEFINITIONS["exchanges"])
COMMITTED = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "definitions.json"


def allows(user: str, kind: str, resource: str) -> bool:
    count("broker permissions", "permission checks")
    return re.search(GRANTS[user][kind], resource) is not None


def owner(queue: str) -> str:
    return queue.split(".", 1)[0]


def test_every_user_has_exactly_one_grant() -> None:
    users = [u["name"] for u in DEFINITIONS["users"]]
    assert sorted(users) == sorted(GRANTS)
    assert len(DEFINITIONS["permissions"]) == len(GRANTS)
    assert not any(u.get("tags") for u in DEFINITIONS["users"] if "administrator" in u["tags"])


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_reads_and_configures_only_its_own_queues(service: str) -> None:
    user = f"{PREFIX}{service}"
    for queue in ALL_QUEUE_NAMES:
        own = owner(queue) == service
        assert allows(user, "read", queue) == own, (service, queue)
        assert allows(user, "configure", queue) == own, (service, queue)
    # It publishes to cchc.events (and dead-letters), never to cchc.inbound as a platform.
    assert allows(user, "write", "cchc.events")
    assert not allows(user, "write", "cchc.inbound")
    assert not allows(user, "write", "amq.default")


def test_platforms_subscribers_and_the_operator_touch_nothing_else() -> None:
    platforms = [u for u in GRANTS if u.startswith(f"{PREFIX}platform")]
    subscribers = [u for u in GRANTS if u.startswith(f"{PREFIX}subscriber")]
    assert platforms and subscribers
    for platform in platforms:
        for resource in [*ALL_QUEUE_NAMES, *EXCHANGES, f"{platform}.mine"]:
            assert not allows(platform, "configure", resource), (platform, resource)
            assert not allows(platform, "read", resource), (platform, resource)
        writable = [r for r in [*ALL_QUEUE_NAMES, *EXCHANGES] if allows(platform, "write", r)]
        assert writable == ["cchc.inbound"]
    for subscriber in subscribers:
        for resource in [*ALL_QUEUE_NAMES, *EXCHANGES]:
            assert not allows(subscriber, "configure", resource), (subscriber, resource)
            assert not allows(subscriber, "write", resource), (subscriber, resource)
        readable = [r for r in [*ALL_QUEUE_NAMES, *EXCHANGES] if allows(subscriber, "read", r)]
        assert readable == ["cchc.events"]
        assert allows(subscriber, "configure", f"{subscriber}.recommendations")
    operator = f"{PREFIX}operator"
    for resource in [*ALL_QUEUE_NAMES, *EXCHANGES]:
        assert not allows(operator, "configure", resource)
        assert allows(operator, "read", resource) == resource.endswith(".dlq"), resource
        assert not allows(operator, "write", resource)


TOPICS = {(t["user"], t["exchange"]): t for t in DEFINITIONS["topic_permissions"]}


def topic_allows(user: str, exchange: str, kind: str, routing_key: str) -> bool:
    count("broker permissions", "permission checks")
    return re.search(TOPICS[(user, exchange)][kind], routing_key) is not None


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_writes_only_its_own_events_and_dead_letters(service: str) -> None:
    user = f"{PREFIX}{service}"
    for model in (m for m in EVENTS if m.exchange == "cchc.events"):
        owned = model.publisher == service
        assert topic_allows(user, "cchc.events", "write", model.routing_key) == owned, model
    for queue in QUEUES:
        assert topic_allows(user, "cchc.parking", "write", queue) == (owner(queue) == service)
    assert not topic_allows(user, "cchc.inbound", "write", "initiative.submitted.v1")
    # Nobody but the broker's dead-lettering writes the dead-letter exchange.
    assert not allows(user, "write", "cchc.dlx")


def test_a_platform_writes_only_the_inbound_event() -> None:
    platform = f"{PREFIX}platform-example"
    assert topic_allows(platform, "cchc.inbound", "write", "initiative.submitted.v1")
    for model in EVENTS:
        if model.routing_key != "initiative.submitted.v1":
            assert not topic_allows(platform, "cchc.inbound", "write", model.routing_key)
    assert not topic_allows(platform, "cchc.events", "write", "initiative.submitted.v1")


@pytest.mark.skipif(not COMMITTED.exists(), reason="deploy/rabbitmq/definitions.json not found")
def test_committed_definitions_grant_what_is_rendered() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    vhost = committed["permissions"][0]["vhost"]
    prefix = committed["users"][0]["name"].split("-", 1)[0] + "-"
    rendered = render_definitions(vhost=vhost, user_prefix=prefix)
    assert sorted(committed["permissions"], key=lambda p: p["user"]) == sorted(
        rendered["permissions"], key=lambda p: p["user"]
    )
    assert committed["topic_permissions"] == rendered["topic_permissions"]


# ---------------------------------------------------------------------------------------
# Live, on the real broker


@pytest.fixture
async def imported(amqp_url: str) -> AsyncIterator[tuple[str, str]]:
    vhost = vhost_of(amqp_url)
    prefix = f"s{uuid.uuid4().hex[:6]}-"
    async with imported_definitions(render_definitions(vhost=vhost, user_prefix=prefix)):
        yield vhost, prefix


async def refused(user: str, vhost: str, action: str, queue: str = "") -> bool:
    connection = await aio_pika.connect(user_url(user, vhost))
    try:
        channel = await connection.channel()
        if action == "declare":
            await channel.declare_queue(queue, durable=True)
        elif action == "bind":
            declared = await channel.declare_queue(exclusive=True)  # server-named
            await declared.bind("cchc.events", routing_key="#")
        elif action == "read":
            declared = await channel.declare_queue(queue, passive=True)
            await declared.get(fail=False, no_ack=False, timeout=5)
        count("broker permissions", "live attempts let through")
        return False
    except (ChannelAccessRefused, aio_pika.exceptions.ChannelClosed):
        count("broker permissions", "live attempts refused by the broker")
        return True
    finally:
        await connection.close()


@pytest.mark.integration
async def test_live_platform_cannot_declare_or_bind_and_services_cannot_read_foreign_dlqs(
    imported: tuple[str, str],
) -> None:
    vhost, prefix = imported
    platform = f"{prefix}platform-example"
    assert await refused(platform, vhost, "declare", f"{platform}.sniff")
    assert await refused(platform, vhost, "declare", "intake.inbound")
    assert await refused(platform, vhost, "bind")
    for reader, foreign in (
        ("scheduling", "intake.inbound.dlq"),
        ("evaluation", next(q for q in QUEUES if q.startswith("scheduling.")) + ".dlq"),
        ("reporting", next(q for q in QUEUES if q.startswith("evaluation.")) + ".dlq"),
        ("intake", next(q for q in QUEUES if q.startswith("reporting.")) + ".dlq"),
    ):
        assert await refused(f"{prefix}{reader}", vhost, "read", foreign), (reader, foreign)
    # Control: the owner can read its own dead-letter queue.
    assert not await refused(f"{prefix}intake", vhost, "read", "intake.inbound.dlq")
