"""The message entrypoint through FastStream's in-memory ``TestRabbitBroker``: the service's
``ROUTES`` on the kit's consumers, real encoded CloudEvents, the in-memory unit of work. The same
subscriber, decoder and handler path as on RabbitMQ, without a broker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cchc_scheduling.adapters.notices import NoticeSettings
from cchc_scheduling.domain.errors import ConcurrentChange
from cchc_scheduling.domain.model import PoolStatus, Round
from cchc_scheduling.entrypoints.messages import ROUTES
from cchc_scheduling.service_layer.services import SchedulingPolicy, Services
from cchc_shared.contracts.envelope import EncodedMessage, encode_event
from cchc_shared.contracts.events import (
    EventData,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.errors import Fault
from cchc_shared.messaging.consumer import ERRORS_HEADER, REASON_HEADER, Consumers
from cchc_shared.messaging.topology import PARKING_EXCHANGE
from cchc_shared.persistence.campaign_settings import CampaignSettings
from cchc_testkit.fakes import (
    ParkingRecorder,
    campaign_settings_changed,
    deliver,
    routed_consumers,
)

from .fakes import FakeUnitOfWork

SUBMITTED_AT = datetime(2023, 4, 20, 9, tzinfo=UTC)


def consumers(uow: FakeUnitOfWork) -> tuple[Consumers, ParkingRecorder]:
    services = Services(uow=lambda: uow, policy=SchedulingPolicy(), notices=NoticeSettings())
    return routed_consumers("scheduling", ROUTES, services)


def from_intake(data: EventData) -> EncodedMessage:
    return encode_event(data, source="/cchc/intake")


def submission(**changes: Any) -> InitiativeSubmittedV1:
    fields = {
        "initiative_id": uuid.uuid4(),
        "campaign_year": 2023,
        "agency_code": "760",
        "kind": "model",
        "title": "Bộ phận Một cửa hiện đại Quận 1",
        "summary": "Tóm tắt",
        "par_area": "procedures",
        "applied_since": date(2022, 1, 1),
        "results": "Kết quả",
        "limitations": "",
        "submitted_at": SUBMITTED_AT,
        **changes,
    }
    return InitiativeSubmittedV1(**fields)


async def test_a_submission_reaches_the_pool() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    data = submission()
    await deliver(kit, from_intake(data))
    stored = uow.pool.rows[data.initiative_id]
    assert (stored.title, stored.agency_code, stored.status) == (
        data.title,
        "760",
        PoolStatus.IN_POOL,
    )
    assert parking.parked == []


async def test_a_redelivered_event_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    data = submission()
    message = from_intake(data)
    await deliver(kit, message)
    before, commits = dict(uow.pool.rows), uow.commits
    await deliver(kit, message)  # the same source and id, as a redelivery carries
    assert uow.pool.rows == before
    assert uow.commits == commits
    assert len(uow.inbox) == 1
    assert parking.parked == []


async def test_an_event_naming_another_agency_is_parked_with_the_field() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    data = submission()
    moved = InitiativeAmendedV1(
        **{**data.model_dump(), "agency_code": "STP"},
        amended_at=SUBMITTED_AT + timedelta(days=1),
    )
    refused = from_intake(moved)
    await deliver(kit, from_intake(data), refused)
    assert uow.pool.rows[data.initiative_id].agency_code == "760", "the pool is unchanged"
    [parked] = parking.parked
    assert parked["exchange"] == PARKING_EXCHANGE
    assert parked["routing_key"] == "scheduling.initiative.amended.v1"
    assert parked["body"] == refused.body
    assert "$.data.agency_code" in parked["headers"][ERRORS_HEADER]
    assert "Sáng kiến thuộc đơn vị 760" in parked["headers"][REASON_HEADER]
    assert len(uow.inbox) == 1, "the refused event is not recorded as consumed"


async def test_a_round_changed_meanwhile_is_retried_not_parked() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    data = submission()
    withdrawn = from_intake(
        InitiativeWithdrawnV1(
            initiative_id=data.initiative_id,
            campaign_year=2023,
            agency_code="760",
            withdrawn_at=SUBMITTED_AT + timedelta(days=1),
        )
    )

    async def changed_meanwhile(initiative_id: uuid.UUID) -> list[Round]:
        raise ConcurrentChange(Fault("version", "Đợt khảo sát vừa thay đổi", "round changed"))

    await deliver(kit, from_intake(data))
    uow.rounds.with_visit_of = changed_meanwhile  # type: ignore[method-assign]
    await deliver(kit, withdrawn)
    assert parking.parked == []
    assert uow.pool.rows[data.initiative_id].status is PoolStatus.IN_POOL, "rolled back"
    del uow.rounds.with_visit_of  # the broker delivers it again, and now it applies
    await deliver(kit, withdrawn)
    assert uow.pool.rows[data.initiative_id].status is PoolStatus.WITHDRAWN


async def test_the_campaigns_plan_is_kept_once_and_only_a_newer_state_replaces_it() -> None:
    uow = FakeUnitOfWork()
    kit, parking = consumers(uow)
    named = from_intake(
        campaign_settings_changed(2, plan_number="1582/KH-SNV", plan_signed_on=date(2023, 5, 10))
    )
    await deliver(kit, named)
    commits = uow.commits
    await deliver(kit, named)  # redelivered
    assert uow.commits == commits
    await deliver(kit, from_intake(campaign_settings_changed(1)))  # the opening, late
    assert uow.campaign_settings.rows[2023] == CampaignSettings(
        2023, 2, "1582/KH-SNV", date(2023, 5, 10)
    )
    await deliver(kit, from_intake(campaign_settings_changed(3, secretary_scores=True)))
    assert uow.campaign_settings.rows[2023] == CampaignSettings(2023, 3, secretary_scores=True)
    assert len(uow.inbox) == 3
    assert parking.parked == []
