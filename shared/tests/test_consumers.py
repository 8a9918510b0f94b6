"""The kit's consumers through FastStream's in-memory ``TestRabbitBroker``: the same subscriber,
decoder and handler path as on RabbitMQ, without a broker. What the broker itself does
(delivery limits, dead-lettering, redelivery) is tested against RabbitMQ elsewhere."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from faststream.rabbit import TestRabbitBroker

from cchc_shared.contracts import CloudEvent, EventData, InitiativeWithdrawnV1
from cchc_shared.contracts.envelope import CONTENT_TYPE_CLOUDEVENTS, FieldError, encode_event
from cchc_shared.contracts.events import EVENTS_EXCHANGE, RoundCancelledV1
from cchc_shared.messaging import metrics
from cchc_shared.messaging.consumer import (
    ERRORS_HEADER,
    ORIGINAL_QUEUE_HEADER,
    REASON_HEADER,
    IncomingMessage,
    PermanentError,
)
from cchc_shared.messaging.routing import RoutingTable, subscriptions
from cchc_shared.messaging.topology import DEAD_LETTER_EXCHANGE, PARKING_EXCHANGE
from cchc_shared.messaging.trust import ORIGINAL_USER_HEADER, BusTrust
from cchc_testkit.fakes import routed_consumers

from .probe import withdrawal

SERVICE = "kit-test"


@dataclass
class Services:
    seen: list[tuple[str, EventData]] = field(default_factory=list)
    failures_left: int = 0


async def on_withdrawn(services: Services, event: CloudEvent, data: InitiativeWithdrawnV1) -> None:
    if services.failures_left:
        services.failures_left -= 1
        raise ConnectionError("database went away")
    if data.agency_code == "XX":
        raise PermanentError([FieldError("$.data.agency_code", "unknown agency XX")])
    services.seen.append((event.id, data))


async def on_cancelled(services: Services, event: CloudEvent, data: RoundCancelledV1) -> None:
    services.seen.append((event.id, data))


ROUTES: RoutingTable[Services] = {
    InitiativeWithdrawnV1: on_withdrawn,
    RoundCancelledV1: on_cancelled,
}


def outcomes(queue: str) -> dict[str, float]:
    return {
        outcome: metrics.EVENTS_CONSUMED.labels(queue, outcome)._value.get()
        for outcome in ("handled", "parked", "retry")
    }


async def publish(test_broker: Any, body: bytes, routing_key: str, **options: Any) -> None:
    await test_broker.publish(
        body,
        exchange=EVENTS_EXCHANGE,
        routing_key=routing_key,
        content_type=options.pop("content_type", CONTENT_TYPE_CLOUDEVENTS),
        message_id=options.pop("message_id", str(uuid.uuid4())),
        **options,
    )


def test_one_subscriber_per_queue_of_the_routing_table() -> None:
    services = Services()
    kit, _ = routed_consumers(SERVICE, ROUTES, services)
    queues = [spec.name for spec in subscriptions(SERVICE, ROUTES)]
    assert queues == [f"{SERVICE}.initiative.withdrawn.v1", f"{SERVICE}.round.cancelled.v1"]
    assert sorted(sub.queue.name for sub in kit.broker.subscribers) == sorted(queues)
    for sub in kit.broker.subscribers:
        arguments = sub.queue.arguments or {}
        assert arguments["x-queue-type"] == "quorum"
        assert arguments["x-dead-letter-exchange"] == DEAD_LETTER_EXCHANGE
        assert arguments["x-delivery-limit"] == kit.delivery_limit


async def test_a_valid_event_reaches_its_handler_as_its_model() -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services)
    message = encode_event(withdrawal(), source="/cchc/intake")
    queue = f"{SERVICE}.initiative.withdrawn.v1"
    before = outcomes(queue)
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, message.body, message.routing_key, message_id=message.event_id)
    [(event_id, data)] = services.seen
    assert event_id == message.event_id
    assert isinstance(data, InitiativeWithdrawnV1)
    assert outcomes(queue)["handled"] == before["handled"] + 1
    assert parking.parked == []


async def test_each_queue_dispatches_to_its_own_handler() -> None:
    services = Services()
    kit, _ = routed_consumers(SERVICE, ROUTES, services)
    cancelled = RoundCancelledV1.model_validate(
        {
            "round_id": str(uuid.uuid4()),
            "campaign_year": 2023,
            "sequence": 2,
            "reason": "Đoàn khảo sát đổi lịch",
            "cancelled_at": "2023-06-01T02:00:00Z",
        }
    )
    message = encode_event(cancelled, source="/cchc/scheduling")
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, message.body, message.routing_key)
    assert [type(data) for _, data in services.seen] == [RoundCancelledV1]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", ""),
        (b'{"specversion": "1.0"}', "$.id"),
        (
            encode_event(withdrawal(), source="/cchc/intake").body.replace(
                b'"agency_code":"SNV"', b'"agency_code":"not a code"'
            ),
            "$.data.agency_code",
        ),
    ],
)
async def test_an_invalid_message_is_parked_at_once_with_the_field_at_fault(
    body: bytes, field: str
) -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services)
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, body, "initiative.withdrawn.v1")
    assert services.seen == []
    [parked] = parking.parked
    assert parked["exchange"] == PARKING_EXCHANGE
    assert parked["routing_key"] == f"{SERVICE}.initiative.withdrawn.v1"
    assert parked["body"] == body, "the original message is kept unchanged"
    assert parked["headers"][ORIGINAL_QUEUE_HEADER] == f"{SERVICE}.initiative.withdrawn.v1"
    assert field in parked["headers"][ERRORS_HEADER]
    assert parked["headers"][REASON_HEADER]


async def test_a_handler_refusing_the_event_parks_it_with_its_reason() -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services)
    message = encode_event(withdrawal("XX"), source="/cchc/intake")
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, message.body, message.routing_key)
    [parked] = parking.parked
    assert "unknown agency XX" in parked["headers"][REASON_HEADER]


async def test_a_transient_failure_is_handed_back_not_parked() -> None:
    services = Services(failures_left=1)
    kit, parking = routed_consumers(SERVICE, ROUTES, services)
    queue = f"{SERVICE}.initiative.withdrawn.v1"
    before = outcomes(queue)
    message = encode_event(withdrawal(), source="/cchc/intake")
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, message.body, message.routing_key)
        assert outcomes(queue)["retry"] == before["retry"] + 1
        assert services.seen == [] and parking.parked == []
        # The broker would deliver it again; here the test does.
        await publish(test_broker, message.body, message.routing_key)
    assert [event_id for event_id, _ in services.seen] == [message.event_id]
    assert parking.parked == []


PRODUCTION = BusTrust(
    own_user="cchc-kit-test",
    users={"intake": "cchc-intake", "scheduling": "cchc-scheduling", "operator": "cchc-operator"},
)


def untrusted(queue: str, reason: str) -> float:
    return metrics.EVENTS_UNTRUSTED.labels(queue, reason)._value.get()


async def test_an_event_from_another_services_user_is_parked_with_the_reason() -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services, trust=PRODUCTION)
    queue = f"{SERVICE}.initiative.withdrawn.v1"
    before = untrusted(queue, "wrong_user")
    message = encode_event(withdrawal(), source="/cchc/intake")
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, message.body, message.routing_key, user_id="cchc-scheduling")
        await publish(test_broker, message.body, message.routing_key, user_id="cchc-intake")
    assert [event_id for event_id, _ in services.seen] == [message.event_id], "the genuine one"
    [parked] = parking.parked
    assert parked["headers"][ORIGINAL_USER_HEADER] == "cchc-scheduling"
    assert "chỉ do dịch vụ intake phát hành" in parked["headers"][REASON_HEADER]
    assert untrusted(queue, "wrong_user") == before + 1


async def test_a_claimed_source_is_parked_even_in_the_local_run() -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services)
    message = encode_event(withdrawal(), source="/cchc/evaluation")
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, message.body, message.routing_key)
    assert services.seen == []
    [parked] = parking.parked
    assert "$.source" in parked["headers"][REASON_HEADER]


async def test_reserved_headers_of_a_publisher_are_refused_and_never_kept() -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services, trust=PRODUCTION)
    message = encode_event(withdrawal(), source="/cchc/intake")
    forged = {ORIGINAL_QUEUE_HEADER: "reporting.replication.recommended.v1", "x-death": "x"}
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(
            test_broker, message.body, message.routing_key, user_id="cchc-intake", headers=forged
        )
    assert services.seen == []
    [parked] = parking.parked
    assert parked["headers"][ORIGINAL_QUEUE_HEADER] == f"{SERVICE}.initiative.withdrawn.v1"
    assert "x-death" not in parked["headers"]
    assert "x-cchc-original-queue" in parked["headers"][REASON_HEADER]


async def test_a_message_that_crashes_the_decoder_is_parked_at_once() -> None:
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services)
    queue = f"{SERVICE}.initiative.withdrawn.v1"
    before = outcomes(queue)
    deep = b'{"specversion": "1.0", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    async with TestRabbitBroker(kit.broker) as test_broker:
        await publish(test_broker, deep, "initiative.withdrawn.v1")
    assert outcomes(queue)["parked"] == before["parked"] + 1
    assert outcomes(queue)["retry"] == before["retry"]
    [parked] = parking.parked
    assert parked["body"] == deep


def kept(body: bytes, user_id: str | None) -> IncomingMessage:
    return IncomingMessage(
        body=body,
        headers={},
        content_type=CONTENT_TYPE_CLOUDEVENTS,
        message_id=str(uuid.uuid4()),
        exchange=EVENTS_EXCHANGE,
        routing_key="initiative.withdrawn.v1",
        user_id=user_id,
    )


async def test_a_kept_message_is_processed_again_with_the_publisher_verified_on_receipt() -> None:
    """``reprocess``: the same trust check, handler and faults as a delivery, never parked."""
    services = Services()
    kit, parking = routed_consumers(SERVICE, ROUTES, services, trust=PRODUCTION)
    consumer = kit.consumer(f"{SERVICE}.initiative.withdrawn.v1")
    message = encode_event(withdrawal(), source="/cchc/intake")

    [refused] = await consumer.reprocess(kept(message.body, "cchc-scheduling"))
    assert refused.field == "user_id" and "chỉ do dịch vụ intake phát hành" in refused.message
    assert await consumer.reprocess(kept(message.body, None)) != []
    assert services.seen == []

    assert await consumer.reprocess(kept(message.body, "cchc-intake")) == []
    assert [event_id for event_id, _ in services.seen] == [message.event_id]

    faulty = encode_event(withdrawal("XX"), source="/cchc/intake")
    [fault] = await consumer.reprocess(kept(faulty.body, "cchc-intake"))
    assert fault.message == "unknown agency XX"
    services.failures_left = 1
    with pytest.raises(ConnectionError):  # transient: the caller answers, nothing is parked
        await consumer.reprocess(kept(message.body, "cchc-intake"))
    assert parking.parked == []
