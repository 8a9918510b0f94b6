"""Whether the secretary scores, as the campaign says (campaign.settings_changed.v1), through
the real broker into the evaluation service's database (SQLite and PostgreSQL) and its HTTP
API: refused by default, allowed once the campaign says so; a redelivered event and an older
state arriving late change nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from cchc_evaluation.adapters.orm import kit_tables
from cchc_evaluation.service_layer.services import Services
from cchc_shared.persistence.campaign_settings import CampaignSettings
from cchc_testkit.fakes import campaign_settings_changed

from ..builders import days_from_today, evaluation_body, member, scheduled, submitted, visit
from .harness import Harness, headers, running_service

pytestmark = pytest.mark.integration


@pytest.fixture
async def system(database_url: str, amqp_url: str) -> Any:
    async with running_service(database_url, amqp_url) as harness:
        yield harness


async def kept(system: Harness) -> CampaignSettings | None:
    services: Services = system.app.state.services
    async with services.uow() as uow:
        return await uow.campaign_settings.get(2023)


async def consumed(system: Harness, event_id: str) -> int:
    services: Services = system.app.state.services
    async with services.uow() as uow:
        found = await uow.connection.execute(  # type: ignore[attr-defined]
            select(func.count())
            .select_from(kit_tables.inbox)
            .where(kit_tables.inbox.c.event_id == event_id)
        )
        return int(found.scalar_one())


async def test_the_secretary_scores_only_where_the_campaign_says_so(system: Harness) -> None:
    initiative = submitted("26740", "Mô hình “Một lần đến, một lần xong”")
    await system.publish(initiative)
    team = [
        member("snv-pgd-01", "Ngô Thị Hoàng Các", "head"),
        member("stttt-02", "Đỗ Hoàng Nam"),
        member("snv-tk-03", "Nguyễn Thu Trang", "secretary"),
    ]
    planned = scheduled(team, [visit(initiative.initiative_id, "26740", days_from_today(-1))])
    await system.publish(planned)
    await system.round_known(planned.round_id)
    [visit_id] = [v.visit_id for v in planned.visits]
    body = evaluation_body(visit_id, 12, 12, 20, 20, 16)
    as_secretary = headers("surveyor", member="snv-tk-03")

    refused = await system.client.post("/api/v1/evaluations", json=body, headers=as_secretary)
    assert refused.status_code == 403, refused.text
    [fault] = refused.json()["detail"]
    assert fault["field"] == "visit_id"
    assert fault["message"].startswith("Thư ký đoàn khảo sát không chấm điểm")
    allowing = campaign_settings_changed(2, secretary_scores=True)
    allowing_id = await system.publish(allowing)

    async def allowed() -> bool:
        found = await kept(system)
        return found is not None and found.secretary_scores

    await system.eventually(allowed, "the campaign's settings")
    await system.publish(allowing, event_id=allowing_id)  # redelivered
    late = await system.publish(campaign_settings_changed(1))  # the opening, arriving late

    async def late_consumed() -> bool:
        return await consumed(system, late) == 1

    await system.eventually(late_consumed, "the late opening consumed")
    assert await kept(system) == CampaignSettings(2023, 2, secretary_scores=True)
    assert await consumed(system, allowing_id) == 1

    recorded = await system.client.post("/api/v1/evaluations", json=body, headers=as_secretary)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["evaluator_id"] == "snv-tk-03"
    assert uuid.UUID(recorded.json()["evaluation_id"])
