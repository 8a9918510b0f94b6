"""The service's ROUTES on the kit's consumers, through FastStream's in-memory TestRabbitBroker:
real encoded CloudEvents take the same subscriber, decoder, inbox and parking path as on
RabbitMQ, into the handlers over the fake unit of work."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cchc_evaluation.entrypoints.messages import ROUTES, SERVICE
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import ParIndexContributionUpdatedV1
from cchc_shared.contracts.envelope import encode_event
from cchc_shared.messaging.consumer import ERRORS_HEADER, ORIGINAL_QUEUE_HEADER, Consumers
from cchc_shared.messaging.topology import PARKING_EXCHANGE
from cchc_testkit.fakes import ParkingRecorder, deliver, routed_consumers

from ..builders import member, scheduled, submitted
from ..fakes import FakeUnitOfWork, over, recompute

NOW = datetime.now(UTC)
TEMPLATE = Services(uow=FakeUnitOfWork, clock=lambda: NOW)


def consumers(uow: FakeUnitOfWork) -> tuple[Consumers, ParkingRecorder]:
    return routed_consumers(SERVICE, ROUTES, over(uow, TEMPLATE))


async def test_a_submission_reaches_its_handler_and_announces_the_units_contribution() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    data = submitted("26740", "Một cửa không hẹn lần hai")
    await deliver(kit, encode_event(data, source="/cchc/intake"))
    info = uow.initiatives.rows[data.initiative_id]
    assert (info.title, info.agency_code) == ("Một cửa không hẹn lần hai", "26740")
    assert uow.events(ParIndexContributionUpdatedV1) == []  # the unit is marked: the recomputer
    await recompute(uow, TEMPLATE)
    [contribution] = uow.events(ParIndexContributionUpdatedV1)
    assert (contribution.agency_code, contribution.submitted) == ("760", 1)  # its district
    assert parking.parked == []


async def test_a_redelivered_event_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    data = submitted("26740", "Một cửa không hẹn lần hai")
    message = encode_event(data, source="/cchc/intake")
    await deliver(kit, message)
    commits, published = uow.commits, list(uow.published)
    await deliver(kit, message)  # the same source and id: the inbox drops it
    assert (uow.commits, uow.published) == (commits, published)
    assert list(uow.initiatives.rows) == [data.initiative_id]
    assert parking.parked == []


async def test_a_round_the_domain_refuses_is_parked_with_the_field_at_fault() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    bad = scheduled([member("a", "An", "head"), member("a", "An", "member")], [])
    message = encode_event(bad, source="/cchc/scheduling")
    await deliver(kit, message)
    assert uow.rounds.rows == {} and uow.commits == 0
    [parked] = parking.parked
    queue = f"{SERVICE}.round.scheduled.v1"
    assert (parked["exchange"], parked["routing_key"]) == (PARKING_EXCHANGE, queue)
    assert parked["body"] == message.body, "the original message is kept unchanged"
    assert parked["headers"][ORIGINAL_QUEUE_HEADER] == queue
    assert json.loads(parked["headers"][ERRORS_HEADER]) == [
        {
            "field": "$.data.team[1].member_id",
            "message": "a bị lặp trong đợt khảo sát / a appears twice in the round",
        }
    ]
