"""The service's routing table on the kit's consumers, through FastStream's in-memory
``TestRabbitBroker``: the same subscriber, decoder and handler path as on RabbitMQ, with the
fake unit of work in the ``Services`` object the composition root would build."""

from __future__ import annotations

from cchc_reporting.adapters.documents import DocumentBuilder
from cchc_reporting.domain.facts import WithdrawalFact
from cchc_reporting.entrypoints.messages import ROUTES
from cchc_reporting.service_layer.queries import CampaignViews
from cchc_reporting.service_layer.services import Services
from cchc_shared.contracts import InitiativeWithdrawnV1
from cchc_shared.contracts.envelope import EncodedMessage
from cchc_shared.messaging.consumer import ERRORS_HEADER, REASON_HEADER, Consumers
from cchc_shared.messaging.topology import PARKING_EXCHANGE
from cchc_testkit.fakes import ParkingRecorder, deliver, routed_consumers

from ..campaign import YEAR, at, message, uid
from .test_handlers import FakeUnitOfWork


def consumers(uow: FakeUnitOfWork) -> tuple[Consumers, ParkingRecorder]:
    services = Services(
        uow=lambda: uow, views=CampaignViews(lambda: uow), documents=DocumentBuilder()
    )
    return routed_consumers("reporting", ROUTES, services)


REASON = "Đơn vị rút để hoàn thiện thêm"


def withdrawal() -> EncodedMessage:
    """A real encoded CloudEvent (``encode_event``), as intake's relay publishes it."""
    data = InitiativeWithdrawnV1(
        initiative_id=uid("F"),
        campaign_year=YEAR,
        agency_code="26734",
        reason=REASON,
        withdrawn_at=at(10, 25),
    )
    return message("withdraw-F", data, at(10, 25))


async def test_a_valid_event_is_logged_and_projected() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    m = withdrawal()
    await deliver(kit, m)
    assert [e.event_id for e in uow.log.events] == [m.event_id]
    [fact] = uow.facts.facts.of_kind(WithdrawalFact)
    assert isinstance(fact, WithdrawalFact) and fact.reason == REASON
    assert uow.commits == 1 and parking.parked == []


async def test_a_redelivery_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    m = withdrawal()
    await deliver(kit, m, m)
    assert len(uow.log.events) == 1
    assert uow.commits == 1 and parking.parked == []


async def test_a_refused_event_is_parked_with_the_field_at_fault() -> None:
    """The reporting domain records every event its contract accepts (a read model refuses
    no fact), so what is refused is an event that breaks its contract: it is parked before
    any handler runs, naming the field."""
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    m = withdrawal()
    body = m.body.replace(b'"agency_code":"', b'"agency_code":"not a code ', 1)
    await deliver(kit, m, body=body)
    assert uow.log.events == [] and uow.commits == 0
    [parked] = parking.parked
    assert parked["exchange"] == PARKING_EXCHANGE
    assert parked["routing_key"] == "reporting.initiative.withdrawn.v1"
    assert parked["body"] == body
    assert "$.data.agency_code" in parked["headers"][ERRORS_HEADER]
    assert parked["headers"][REASON_HEADER]


def test_one_queue_per_public_event() -> None:
    kit, _ = consumers(FakeUnitOfWork())
    queues = sorted(sub.queue.name for sub in kit.broker.subscribers)
    assert queues == sorted(f"reporting.{model.routing_key}" for model in ROUTES)
