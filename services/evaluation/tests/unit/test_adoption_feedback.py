"""Replication fed back into the PAR Index: a model recognised after campaign Y, once a unit
(or one of its wards) reports it adopted, counts ``per_adopted`` in the unit's contribution to
campaign Y + 1; an amendment that withdraws the adoption takes the points back; a report that
arrives before its decision counts once the decision does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cchc_evaluation.domain.commands import Actor
from cchc_evaluation.service_layer import handlers, queries
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import ParIndexContributionUpdatedV1
from cchc_shared.contracts.events import AdoptionReportedV1, ReplicationDecidedV1

from ..builders import as_cloud_event
from ..fakes import FakeUnitOfWork, over, recompute

CONSUMER = "evaluation.test"
NOW = datetime.now(UTC)
CONFIG = Services(uow=FakeUnitOfWork, clock=lambda: NOW)
SECRETARIAT = Actor("secretariat:snv", "secretariat")
MODEL = uuid.uuid4()
DECISION = uuid.uuid4()


def _decided() -> ReplicationDecidedV1:
    return ReplicationDecidedV1.model_validate(
        {
            "decision_id": str(DECISION),
            "decision_number": "4821/QĐ-UBND",
            "signed_on": "2023-12-20",
            "signer_name": "Phan Văn Mãi",
            "signer_title": "CHỦ TỊCH",
            "campaign_year": 2023,
            "models": [
                {
                    "initiative_id": str(MODEL),
                    "campaign_year": 2023,
                    "agency_code": "26740",
                    "title": "Mô hình “Phường không hẹn lần hai”",
                    "kind": "model",
                    "par_area": "procedures",
                    "scope": "commune_level",
                    "targets": ["26764", "26767"],
                    "deadline": "2024-12-31",
                }
            ],
            "recorded_at": "2023-12-22T03:00:00Z",
        }
    )


def _reported(agency: str, quarter: str, revision: int, status: str) -> AdoptionReportedV1:
    return AdoptionReportedV1.model_validate(
        {
            "report_id": str(uuid.uuid4()),
            "decision_id": str(DECISION),
            "initiative_id": str(MODEL),
            "agency_code": agency,
            "quarter": quarter,
            "revision": revision,
            "status": status,
            "reason": "Không phù hợp địa bàn." if status == "not_suitable" else "",
            "started_on": None if status in ("not_started", "not_suitable") else "2024-02-01",
            "reported_at": "2024-07-01T02:00:00Z",
        }
    )


def contributions(uow: FakeUnitOfWork, code: str) -> list[ParIndexContributionUpdatedV1]:
    return [
        e
        for e in uow.published
        if isinstance(e, ParIndexContributionUpdatedV1) and e.agency_code == code
    ]


async def _send(uow: FakeUnitOfWork, data: ReplicationDecidedV1 | AdoptionReportedV1) -> None:
    handler = (
        handlers.on_replication_decided
        if isinstance(data, ReplicationDecidedV1)
        else handlers.on_adoption_reported
    )
    await handler(over(uow, CONFIG), CONSUMER, as_cloud_event(data), data)  # type: ignore[arg-type]
    await recompute(uow, CONFIG)


async def test_an_adopted_model_counts_in_the_districts_next_campaign() -> None:
    uow = FakeUnitOfWork()
    await _send(uow, _decided())
    # Two wards of Quận 12 (761): one adopts, one finds it unsuitable.
    await _send(uow, _reported("26764", "2024-Q1", 1, "in_progress"))
    assert contributions(uow, "761") == []  # in progress is not adopted
    await _send(uow, _reported("26764", "2024-Q2", 1, "adopted"))
    await _send(uow, _reported("26767", "2024-Q1", 1, "not_suitable"))
    [first] = contributions(uow, "761")
    assert (first.campaign_year, first.adopted, first.points, first.version) == (2024, 1, 0.5, 1)
    assert first.rule.per_adopted == 0.5
    # The table the API serves agrees with what was announced.
    table = await queries.par_index_table(over(uow, CONFIG), SECRETARIAT, 2024)
    [row] = [r for r in table if r.agency_code == "761"]
    assert (row.adopted, row.points) == (1, 0.5)
    # An older quarter arriving late changes nothing; an amendment of the latest does.
    await _send(uow, _reported("26764", "2024-Q1", 2, "not_started"))
    assert len(contributions(uow, "761")) == 1
    await _send(uow, _reported("26764", "2024-Q2", 2, "in_progress"))
    latest = contributions(uow, "761")[-1]
    assert (latest.adopted, latest.points, latest.version) == (0, 0.0, 2)


async def test_a_report_before_its_decision_counts_once_the_decision_arrives() -> None:
    uow = FakeUnitOfWork()
    await _send(uow, _reported("26764", "2024-Q3", 1, "adopted"))
    assert contributions(uow, "761") == []
    await _send(uow, _decided())
    [counted] = contributions(uow, "761")
    assert (counted.campaign_year, counted.adopted) == (2024, 1)
