"""The campaign's survey plan, as intake announces it (campaign.settings_changed.v1), through
the real broker into scheduling's own database (SQLite and PostgreSQL): the notices cite it; a
redelivered event and an older state arriving late change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from cchc_scheduling.adapters.orm import kit_tables
from cchc_scheduling.service_layer.services import Services
from cchc_shared.contracts import CampaignSettingsChangedV1
from cchc_shared.persistence.campaign_settings import CampaignSettings
from cchc_testkit.fakes import campaign_settings_changed

from .harness import SECRETARIAT, Harness, running_service
from .test_scheduling_service import TEAM, pdf_text, seed_pool, visits_body

pytestmark = pytest.mark.integration

CITATION = "Kế hoạch số 1582/KH-SNV ngày 10 tháng 5 năm 2023 của Sở Nội vụ"


def settings_changed(version: int, **changes: Any) -> CampaignSettingsChangedV1:
    return campaign_settings_changed(version, **changes)


async def kept(service: Harness) -> CampaignSettings | None:
    services: Services = service.app.state.services
    async with services.uow() as uow:
        return await uow.campaign_settings.get(2023)


async def inbox_count(service: Harness, event_id: str) -> int:
    services: Services = service.app.state.services
    async with services.uow() as uow:
        found = await uow.connection.execute(
            select(func.count())
            .select_from(kit_tables.inbox)
            .where(kit_tables.inbox.c.event_id == event_id)
        )
        return int(found.scalar_one())


async def until_consumed(service: Harness, event_id: str) -> None:
    async def check() -> bool:
        return await inbox_count(service, event_id) == 1

    await service.eventually(check, f"event {event_id} consumed")


async def until_version(service: Harness, version: int) -> None:
    async def check() -> bool:
        found = await kept(service)
        return found is not None and found.version == version

    await service.eventually(check, f"campaign settings version {version}")


async def test_the_notices_cite_the_campaigns_plan_and_a_late_older_state_changes_nothing(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(
        database_url, amqp_url, plan_number="9/KH-SNV", plan_signed_on=date(2023, 1, 2)
    ) as service:
        newer = await service.publish(
            settings_changed(2, plan_number="1582/KH-SNV", plan_signed_on=date(2023, 5, 10))
        )
        await until_version(service, 2)
        await service.send(newer)  # redelivered: the inbox has it
        older = await service.publish(settings_changed(1))  # the opening, arriving late
        await until_consumed(service, older.event_id)
        assert await kept(service) == CampaignSettings(
            2023, 2, "1582/KH-SNV", date(2023, 5, 10), secretary_scores=False
        )
        assert await inbox_count(service, newer.event_id) == 1

        items = await seed_pool(service)
        client = service.client
        created = await client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": TEAM, "visits": visits_body(items)},
            headers=SECRETARIAT,
        )
        assert created.status_code == 201, created.text
        round_id = created.json()["round_id"]
        confirmed = await client.post(f"/api/v1/rounds/{round_id}/confirm", headers=SECRETARIAT)
        assert confirmed.status_code == 200, confirmed.text
        notice = await client.get(
            f"/api/v1/rounds/{round_id}/notices/agencies/STP.pdf", headers=SECRETARIAT
        )
        assert notice.status_code == 200, notice.text
        text = pdf_text(notice.content)
        assert f"Căn cứ {CITATION}" in text
        assert "9/KH-SNV" not in text  # the service's fallback is for a campaign with none


async def test_a_campaign_that_names_no_plan_falls_back_to_the_service_settings(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(
        database_url, amqp_url, plan_number="1582/KH-SNV", plan_signed_on=date(2023, 5, 10)
    ) as service:
        await service.publish(settings_changed(1))
        await until_version(service, 1)
        items = await seed_pool(service)
        client = service.client
        created = await client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": TEAM, "visits": visits_body(items)},
            headers=SECRETARIAT,
        )
        round_id = created.json()["round_id"]
        await client.post(f"/api/v1/rounds/{round_id}/confirm", headers=SECRETARIAT)
        notice = await client.get(
            f"/api/v1/rounds/{round_id}/notices/agencies/STP.pdf", headers=SECRETARIAT
        )
        assert CITATION in pdf_text(notice.content)
