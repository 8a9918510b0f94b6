"""The campaign's survey plan, as intake announces it (campaign.settings_changed.v1), through
the real broker into scheduling's own database (SQLite and PostgreSQL): the notices cite it; a
redelivered event and an older state arriving late change nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from cchc_intake.bootstrap import create_app as create_intake_app
from cchc_intake.config import IntakeSettings
from cchc_scheduling.adapters.orm import kit_tables
from cchc_scheduling.service_layer.services import Services
from cchc_shared.contracts import CampaignSettingsChangedV1
from cchc_shared.persistence.campaign_settings import CampaignSettings
from cchc_testkit.fakes import campaign_settings_changed

from .harness import SECRETARIAT, Harness, headers, running_service, submitted
from .test_scheduling_service import TEAM, pdf_text, seed_pool, visits_body

pytestmark = pytest.mark.integration

ADMIN = headers("admin")
CAMPAIGN_2024 = {
    "year": 2024,
    "submission_opens_on": "2024-01-01",
    "submission_closes_on": "2024-05-31",
    "survey_starts_on": "2024-06-01",
    "survey_ends_on": "2024-10-31",
    "plan_number": "311/KH-SNV",
    "plan_signed_on": "2024-04-15",
}
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


async def test_a_campaign_opened_over_intakes_api_is_cited_by_the_notices(
    database_url: str, amqp_url: str, tmp_path: Path
) -> None:
    """Intake's HTTP API and outbox relay, the broker, scheduling's consumer and its notices:
    the plan an admin gives a new campaign is what the notices of its rounds cite."""
    intake = create_intake_app(
        IntakeSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
            amqp_url=amqp_url,
            data_dir=tmp_path,
            relay_poll_interval=0.1,
        )
    )
    async with (
        running_service(database_url, amqp_url) as service,
        LifespanManager(intake, startup_timeout=60, shutdown_timeout=60) as running_intake,
    ):
        transport = httpx.ASGITransport(app=running_intake.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            refused = await client.post(
                "/api/v1/campaigns", json={**CAMPAIGN_2024, "plan_number": "1582"}, headers=ADMIN
            )
            assert refused.status_code == 422, refused.text
            assert refused.json()["detail"][0]["field"] == "plan_number"
            opened = await client.post("/api/v1/campaigns", json=CAMPAIGN_2024, headers=ADMIN)
            assert opened.status_code == 201, opened.text
            assert opened.json()["version"] == 1

        async def announced() -> bool:
            services: Services = service.app.state.services
            async with services.uow() as uow:
                found = await uow.campaign_settings.get(2024)
            return found is not None and found.plan_number == "311/KH-SNV"

        await service.eventually(announced, "the 2024 campaign's plan")
        items = {
            "q1": submitted("760", "procedures", "Bộ phận Một cửa hiện đại Quận 1", 2024),
            "ben_nghe": submitted("26740", "digital_government", "Phường số hóa hồ sơ", 2024),
            "stp": submitted("STP", "institutional", "Rà soát văn bản trực tuyến", 2024),
        }
        for item in items.values():
            await service.publish(item)

        async def pooled() -> bool:
            known = {i["initiative_id"] for i in await service.pool(2024)}
            return {str(i.initiative_id) for i in items.values()} <= known

        await service.eventually(pooled, "the 2024 pool")
        visits = [
            {**v, "date": v["date"].replace("2023-06-05", "2024-06-05").replace(
                "2023-06-06", "2024-06-06")}
            for v in visits_body(items)
        ]  # fmt: skip
        created = await service.client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2024, "team": TEAM, "visits": visits},
            headers=SECRETARIAT,
        )
        assert created.status_code == 201, created.text
        round_id = created.json()["round_id"]
        confirmed = await service.client.post(
            f"/api/v1/rounds/{round_id}/confirm", headers=SECRETARIAT
        )
        assert confirmed.status_code == 200, confirmed.text
        notice = await service.client.get(
            f"/api/v1/rounds/{round_id}/notices/agencies/STP.pdf", headers=SECRETARIAT
        )
        assert notice.status_code == 200, notice.text
        assert "Căn cứ Kế hoạch số 311/KH-SNV ngày 15 tháng 4 năm 2024 của Sở Nội vụ" in pdf_text(
            notice.content
        )
