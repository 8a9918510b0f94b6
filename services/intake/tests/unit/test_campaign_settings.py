"""A campaign's survey plan and scoring rule: validated in the domain, announced at every
change (CampaignSettingsChanged) with the next version."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest

from cchc_intake.domain.commands import Actor, ChangeCampaign, CreateCampaign
from cchc_intake.domain.model import Campaign
from cchc_intake.service_layer.handlers import campaigns, reference_data
from cchc_shared.contracts import CampaignSettingsChangedV1
from cchc_shared.errors import InvalidInput
from cchc_shared.reference import load_agencies

from .fakes import FakeUnitOfWork

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
ADMIN = Actor("admin:1", name="Quản trị")
WINDOWS = {
    "submission_opens_on": date(2024, 1, 1),
    "submission_closes_on": date(2024, 5, 31),
    "survey_starts_on": date(2024, 6, 1),
    "survey_ends_on": date(2024, 10, 31),
}


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    await reference_data.seed_reference_data(fake, load_agencies().values(), NOW.date())
    return fake


def campaign(**overrides: object) -> Campaign:
    fields: dict[str, object] = {"year": 2024, "title": Campaign.default_title(2024), **WINDOWS}
    fields.update(overrides)
    return Campaign(**fields)  # type: ignore[arg-type]


def faults_of(refused: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {f.field: f.message_vi for f in refused.value.faults}


def test_a_plan_number_is_kept_as_the_department_writes_it() -> None:
    plan = campaign(plan_number="  1582/KH-SNV ", plan_signed_on=date(2024, 5, 10))
    assert plan.plan_number == "1582/KH-SNV"
    fullwidth = campaign(plan_number="１５８２/KH-SNV", plan_signed_on=date(2024, 5, 10))
    assert fullwidth.plan_number == "1582/KH-SNV"  # NFKC, as every text the platform keeps


@pytest.mark.parametrize(
    "number", ["KH-SNV", "1582/SNV", "1582/kh-snv", "01582/KH-SNV", "1582 /KH-SNV", "1582/KH-"]
)
def test_a_number_not_like_a_plan_number_is_refused_in_vietnamese(number: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        campaign(plan_number=number, plan_signed_on=date(2024, 5, 10))
    message = faults_of(refused)["plan_number"]
    assert "1582/KH-SNV" in message and "không đúng dạng" in message
    assert unicodedata.is_normalized("NFC", message)


def test_a_plan_signed_after_the_survey_starts_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        campaign(plan_number="1582/KH-SNV", plan_signed_on=date(2024, 6, 2))
    assert faults_of(refused) == {
        "plan_signed_on": "Ngày ban hành Kế hoạch (02/06/2024) không được sau ngày bắt đầu "
        "khảo sát (01/06/2024)"
    }
    assert campaign(plan_number="1582/KH-SNV", plan_signed_on=date(2024, 6, 1))


def test_the_plan_is_cited_by_number_and_date_together() -> None:
    with pytest.raises(InvalidInput) as no_date:
        campaign(plan_number="1582/KH-SNV")
    assert set(faults_of(no_date)) == {"plan_signed_on"}
    with pytest.raises(InvalidInput) as no_number:
        campaign(plan_signed_on=date(2024, 5, 10))
    assert set(faults_of(no_number)) == {"plan_number"}


async def test_seeding_announces_the_seeded_campaigns(uow: FakeUnitOfWork) -> None:
    [seeded] = uow.events(CampaignSettingsChangedV1)
    assert (seeded.campaign_year, seeded.version, seeded.plan_number) == (2023, 1, None)
    assert seeded.secretary_scores is False
    await reference_data.seed_reference_data(uow, load_agencies().values(), NOW.date())
    assert len(uow.events(CampaignSettingsChangedV1)) == 1  # seeded once, announced once


async def test_opening_a_campaign_announces_its_whole_settings(uow: FakeUnitOfWork) -> None:
    opened = await campaigns.create_campaign(
        CreateCampaign(
            ADMIN,
            2024,
            **WINDOWS,
            plan_number="97/KH-SNV",
            plan_signed_on=date(2024, 3, 4),
            secretary_scores=True,
        ),
        uow,
    )
    event = uow.events(CampaignSettingsChangedV1)[-1]
    assert event == opened.settings_changed(event.changed_at)
    assert (event.version, event.plan_number, event.plan_signed_on) == (
        1,
        "97/KH-SNV",
        date(2024, 3, 4),
    )
    assert event.secretary_scores is True
    assert event.subject() == "2024"


async def test_each_change_is_the_next_version_and_a_no_change_is_none(
    uow: FakeUnitOfWork,
) -> None:
    await campaigns.change_campaign(
        ChangeCampaign(ADMIN, 2023, plan_number="1582/KH-SNV", plan_signed_on=date(2023, 5, 10)),
        uow,
    )
    changed = await campaigns.change_campaign(
        ChangeCampaign(ADMIN, 2023, secretary_scores=True), uow
    )
    assert (changed.version, changed.plan_number, changed.secretary_scores) == (
        3,
        "1582/KH-SNV",
        True,
    )
    again = await campaigns.change_campaign(ChangeCampaign(ADMIN, 2023, secretary_scores=True), uow)
    assert again.version == 3
    announced = [
        e.version for e in uow.events(CampaignSettingsChangedV1) if e.campaign_year == 2023
    ]
    assert announced == [1, 2, 3]
    history = await uow.audit.history("campaign", "2023")
    assert [h["action"] for h in history] == ["opened", "changed", "changed"]
    assert history[-1]["snapshot"]["plan_number"] == "1582/KH-SNV"


async def test_a_refused_change_announces_nothing(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        await campaigns.change_campaign(
            ChangeCampaign(ADMIN, 2023, plan_number="1582", plan_signed_on=date(2023, 5, 10)),
            uow,
        )
    assert set(faults_of(refused)) == {"plan_number"}
    assert len(uow.events(CampaignSettingsChangedV1)) == 1  # the seeding's only
    assert uow.campaigns.by_year[2023].version == 1
