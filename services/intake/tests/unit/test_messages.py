"""The message entrypoint through FastStream's in-memory TestRabbitBroker: intake's ROUTES
on the kit's consumers, the same subscriber, decoder and handler path as on RabbitMQ, with
the fake unit of work behind it (no broker, no database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cchc_intake.entrypoints.messages import ROUTES
from cchc_intake.service_layer.handlers import reference_data
from cchc_intake.service_layer.services import Services
from cchc_shared.contracts import (
    InboundInitiativeSubmittedV1,
    InitiativeRejectedV1,
    InitiativeSubmittedV1,
)
from cchc_shared.contracts.envelope import EncodedMessage, encode_event
from cchc_shared.messaging.consumer import (
    ERRORS_HEADER,
    ORIGINAL_QUEUE_HEADER,
    REASON_HEADER,
    Consumers,
)
from cchc_shared.messaging.topology import INBOUND_QUEUE, PARKING_EXCHANGE
from cchc_shared.reference import load_agencies
from cchc_testkit.fakes import ParkingRecorder, deliver, routed_consumers

from .fakes import FakeStorage, FakeUnitOfWork, inbound_data

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
PLATFORM = "https://motcua.hochiminhcity.gov.vn"


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    await reference_data.seed_reference_data(fake, load_agencies().values(), NOW.date())
    return fake


@pytest.fixture
def routed(uow: FakeUnitOfWork) -> tuple[Consumers, ParkingRecorder]:
    services = Services(
        uow=lambda: uow, storage=FakeStorage(), attachment_max_bytes=1024, clock=lambda: NOW
    )
    return routed_consumers("intake", ROUTES, services)


@pytest.fixture
def consumers(routed: tuple[Consumers, ParkingRecorder]) -> Consumers:
    return routed[0]


@pytest.fixture
def parking(routed: tuple[Consumers, ParkingRecorder]) -> ParkingRecorder:
    return routed[1]


def submitted(**overrides: object) -> EncodedMessage:
    data = InboundInitiativeSubmittedV1.model_validate(inbound_data(**overrides))
    return encode_event(data, source=PLATFORM)


async def test_an_inbound_initiative_is_taken_in(
    consumers: Consumers, uow: FakeUnitOfWork, parking: ParkingRecorder
) -> None:
    message = submitted()
    await deliver(consumers, message)
    [initiative] = uow.initiatives.stored.values()
    assert initiative.origin is not None
    assert (initiative.origin.source, initiative.origin.id) == (PLATFORM, message.event_id)
    assert initiative.content.title == "Giải pháp tra cứu hồ sơ qua Zalo"
    [announced] = uow.events(InitiativeSubmittedV1)
    assert announced.initiative_id == initiative.id
    assert parking.parked == []


async def test_a_redelivery_changes_nothing(
    consumers: Consumers, uow: FakeUnitOfWork, parking: ParkingRecorder
) -> None:
    message = submitted()
    await deliver(consumers, message, message)
    assert len(uow.initiatives.stored) == 1
    assert len(uow.events(InitiativeSubmittedV1)) == 1
    assert uow.events(InitiativeRejectedV1) == []
    assert parking.parked == []


async def test_an_event_the_domain_refuses_is_parked_with_the_field_at_fault(
    consumers: Consumers, uow: FakeUnitOfWork, parking: ParkingRecorder
) -> None:
    message = submitted(agency_code="99999")  # well-formed, but no such agency
    await deliver(consumers, message)
    assert uow.initiatives.stored == {}
    [parked] = parking.parked
    assert parked["exchange"] == PARKING_EXCHANGE
    assert parked["routing_key"] == parked["headers"][ORIGINAL_QUEUE_HEADER] == INBOUND_QUEUE
    assert parked["body"] == message.body
    [fault] = json.loads(parked["headers"][ERRORS_HEADER])
    assert fault["field"] == "$.data.agency_code"
    assert "Mã cơ quan 99999" in fault["message"] and "unknown agency code" in fault["message"]
    # The platform hears of it once, with the same field at fault.
    [rejection] = uow.events(InitiativeRejectedV1)
    assert (rejection.origin_source, rejection.origin_id) == (PLATFORM, message.event_id)
    assert [e.field for e in rejection.errors] == ["$.data.agency_code"]


async def test_a_message_nested_too_deep_to_read_is_parked_at_once_and_answered(
    consumers: Consumers, uow: FakeUnitOfWork, parking: ParkingRecorder
) -> None:
    """5,000 levels of JSON: no retry until the delivery limit; one InitiativeRejected."""
    message = submitted()
    deep = b'{"specversion": "1.0", "id": "deep-1", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    await deliver(consumers, message, body=deep)
    assert uow.initiatives.stored == {}
    [parked] = parking.parked
    assert parked["body"] == deep
    [rejection] = uow.events(InitiativeRejectedV1)
    assert rejection.origin_id == message.event_id  # the AMQP message id: the body is unreadable
    assert rejection.errors[0].field == ""


async def test_a_platform_claiming_a_services_source_is_refused(
    consumers: Consumers, uow: FakeUnitOfWork, parking: ParkingRecorder
) -> None:
    data = InboundInitiativeSubmittedV1.model_validate(inbound_data())
    await deliver(consumers, encode_event(data, source="/cchc/intake"))
    assert uow.initiatives.stored == {}
    [parked] = parking.parked
    assert "$.source" in parked["headers"][REASON_HEADER]
    [rejection] = uow.events(InitiativeRejectedV1)
    assert [e.field for e in rejection.errors] == ["$.source"]
