"""A list of broker nodes in CCHC_AMQP_URL: how it is read, and that every connection of the
kit (publisher, consumers, topology) gets through to a node that answers when the first does
not. The failover of a running connection to a surviving node of a real three-node cluster is
the cluster suite's (tests/cluster)."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import pytest
from pydantic import ValidationError

from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.contracts.events import InboundInitiativeSubmittedV1
from cchc_shared.messaging import cluster
from cchc_shared.messaging.broker import AmqpPublisher
from cchc_shared.messaging.consumer import Consumers, EventRoute
from cchc_shared.messaging.topology import declare_topology, queue_for
from cchc_shared.messaging.trust import broker_user
from cchc_testkit.nodes import free_port


def test_one_url_is_a_list_of_one() -> None:
    assert cluster.broker_addresses("amqp://u:p@h:5672/v") == ["amqp://u:p@h:5672/v"]


def test_a_comma_separated_list_keeps_its_order_and_ignores_spaces() -> None:
    setting = "amqp://u:p@a:5672/v, amqp://u:p@b:5673/v ,amqp://u:p@c:5674/v,"
    assert cluster.broker_addresses(setting) == [
        "amqp://u:p@a:5672/v",
        "amqp://u:p@b:5673/v",
        "amqp://u:p@c:5674/v",
    ]
    assert broker_user(setting) == "u"


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ("", "trống"),
        ("amqp://u:secret@a:5672/v,rabbit-1:5672", "không phải địa chỉ"),
        ("http://a:5672/", "không phải địa chỉ"),
        ("amqp://u:p@a/v,amqp://w:p@b/v", "cùng người dùng và cùng vhost"),
        ("amqp://u:p@a/v,amqp://u:p@b/other", "cùng người dùng và cùng vhost"),
    ],
)
def test_a_setting_that_names_no_usable_nodes_is_refused_with_the_reason(
    setting: str, reason: str
) -> None:
    with pytest.raises(cluster.BrokerAddressError, match=reason) as refused:
        cluster.broker_addresses(setting)
    assert "secret" not in str(refused.value)  # a password never reaches a log


def test_service_settings_refuse_a_bad_list_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_AMQP_URL", "amqp://u:p@a/v,amqp://w:p@b/v")
    with pytest.raises(ValidationError, match="CCHC_AMQP_URL"):
        ServiceSettings()


def _unreachable_first(amqp_url: str) -> str:
    """A node that refuses every connection, then the real one."""
    dead = amqp_url.replace(amqp_url.split("@", 1)[1].split("/", 1)[0], f"127.0.0.1:{free_port()}")
    return f"{dead},{amqp_url}"


@pytest.mark.integration
async def test_publisher_topology_and_consumers_reach_the_node_that_answers(
    amqp_url: str,
) -> None:
    setting = _unreachable_first(amqp_url)
    spec = queue_for("cluster-probe", f"probe.{uuid.uuid4().hex[:8]}")
    await declare_topology(setting, [spec])

    publisher = AmqpPublisher(setting, app_id="cluster-probe")
    await publisher.start()

    async def handler(event: object, data: object) -> None:
        raise AssertionError("no CloudEvent is sent: the message is parked before this")

    consumers = Consumers(
        setting,
        [
            EventRoute(
                spec,
                {InboundInitiativeSubmittedV1.event_type(): InboundInitiativeSubmittedV1},
                handler,
            )
        ],
        publisher=publisher,
        name="cluster-probe",
    )
    await consumers.start()
    try:
        assert consumers.connected
        connection = consumers.broker._connection
        assert isinstance(connection, cluster.FailoverConnection)
        assert connection.node == amqp_url.split("@", 1)[1].split("/", 1)[0]
        await publisher.publish(
            exchange=spec.exchange,
            routing_key=spec.binding_key,
            body=b"{}",
            message_id="m-1",
            content_type="application/json",
        )
        # The message reached the queue through the second node; the consumer took it (and,
        # it being no CloudEvent, parked it: what matters here is that it was delivered).
        probe = await aio_pika.connect(amqp_url)
        try:
            channel = await probe.channel()
            for _ in range(50):
                declared = await channel.declare_queue(spec.dead_letter_queue, passive=True)
                if declared.declaration_result.message_count:
                    break
                await asyncio.sleep(0.1)
            assert declared.declaration_result.message_count == 1
        finally:
            await probe.close()
    finally:
        await consumers.stop()
        await publisher.stop()


@pytest.mark.integration
async def test_no_node_answering_fails_at_once() -> None:
    setting = ",".join(f"amqp://guest:guest@127.0.0.1:{free_port()}/" for _ in range(3))
    with pytest.raises(ConnectionError):
        await cluster.connect(setting)
