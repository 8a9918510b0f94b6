"""The lineage across years: an initiative names the earlier campaign's initiative it builds
on (a resubmission, an improvement, the adoption of a recognised model), through every way
in (HTTP submission, draft, amendment, another platform's event), with fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from cchc_intake.domain.commands import (
    Actor,
    AmendInitiative,
    ChangeDraft,
    SaveDraft,
    SubmitDraft,
    SubmitInitiative,
)
from cchc_intake.domain.model import BuildsOn, Content, Initiative
from cchc_intake.service_layer.handlers import drafts, inbound, reference_data, submissions
from cchc_shared.contracts import (
    CloudEvent,
    InboundInitiativeSubmittedV1,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
)
from cchc_shared.errors import InvalidInput
from cchc_shared.reference import load_agencies

from .fakes import FakeUnitOfWork, inbound_data

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
WARD = Actor("agency_submitter:26740", "26740")


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    await reference_data.seed_reference_data(fake, load_agencies().values(), NOW.date())
    return fake


def earlier(uow: FakeUnitOfWork, *, year: int = 2022, agency_code: str = "26740") -> UUID:
    """An initiative of an earlier campaign, as intake keeps it."""
    initiative = Initiative(
        id=uuid.uuid4(),
        campaign_year=year,
        agency_code=agency_code,
        content=Content(
            kind="model",
            title=f"Mô hình một cửa {year} {agency_code}",
            summary="Tiếp nhận hồ sơ.",
            par_area="procedures",
            applied_since=date(year - 1, 1, 1),
            results="Giảm thời gian.",
        ),
        submitted_at=datetime(year, 5, 1, tzinfo=UTC),
        submitted_by="agency_submitter:" + agency_code,
    )
    uow.initiatives.stored[initiative.id] = initiative
    return initiative.id


def submission(builds_on: object, **overrides: object) -> SubmitInitiative:
    fields: dict[str, object] = {
        "actor": WARD,
        "agency_code": "26740",
        "kind": "model",
        "title": "Mô hình một cửa thông minh, bản cải tiến",
        "summary": "Tiếp nhận hồ sơ trực tuyến.",
        "par_area": "procedures",
        "applied_since": date(2022, 1, 1),
        "results": "Giảm 30% thời gian.",
        "builds_on": builds_on,
        **overrides,
    }
    return SubmitInitiative(**fields)  # type: ignore[arg-type]


async def refused(call: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        await call  # type: ignore[misc]
    return {fault.field: fault.message_vi for fault in caught.value.faults}


async def test_an_improvement_is_carried_in_the_event(uow: FakeUnitOfWork) -> None:
    base = earlier(uow, agency_code="26743")
    initiative = await submissions.submit_initiative(
        submission({"initiative_id": str(base), "relation": "improvement"}), uow, NOW
    )
    assert initiative.content.builds_on == BuildsOn(base, "improvement")
    [event] = uow.events(InitiativeSubmittedV1)
    assert event.builds_on is not None
    assert (event.builds_on.initiative_id, event.builds_on.relation) == (base, "improvement")


async def test_no_lineage_is_absent_from_the_event(uow: FakeUnitOfWork) -> None:
    await submissions.submit_initiative(submission(None), uow, NOW)
    [event] = uow.events(InitiativeSubmittedV1)
    assert event.builds_on is None
    assert "builds_on" not in event.model_dump(exclude_none=True)


@pytest.mark.parametrize(
    ("given", "field", "reason"),
    [
        (
            {"initiative_id": "not-an-id", "relation": "improvement"},
            "builds_on.initiative_id",
            "Mã đề xuất không hợp lệ",
        ),
        (
            {"initiative_id": "", "relation": "improvement"},
            "builds_on.initiative_id",
            "Cần mã của đề xuất năm trước",
        ),
        (
            {"initiative_id": str(uuid.uuid4()), "relation": "copy"},
            "builds_on.relation",
            "Hình thức kế thừa phải là một trong",
        ),
        (
            {"initiative_id": str(uuid.uuid4()), "relation": "improvement"},
            "builds_on.initiative_id",
            "Không tìm thấy đề xuất có mã",
        ),
    ],
)
async def test_a_bad_reference_names_its_field_in_vietnamese(
    uow: FakeUnitOfWork, given: dict[str, str], field: str, reason: str
) -> None:
    faults = await refused(submissions.submit_initiative(submission(given), uow, NOW))
    assert faults[field].startswith(reason)
    assert not uow.events(InitiativeSubmittedV1)


async def test_the_earlier_initiative_must_be_of_an_earlier_year(uow: FakeUnitOfWork) -> None:
    same_year = earlier(uow, year=2023, agency_code="26743")
    faults = await refused(
        submissions.submit_initiative(
            submission({"initiative_id": str(same_year), "relation": "improvement"}), uow, NOW
        )
    )
    assert "phải thuộc đợt của năm trước năm 2023" in faults["builds_on.initiative_id"]


async def test_a_resubmission_is_of_the_agencys_own_and_an_adoption_of_anothers(
    uow: FakeUnitOfWork,
) -> None:
    others = earlier(uow, agency_code="26743")
    own = earlier(uow)
    faults = await refused(
        submissions.submit_initiative(
            submission({"initiative_id": str(others), "relation": "resubmission"}), uow, NOW
        )
    )
    assert faults["builds_on.relation"].startswith("Chỉ được đề xuất lại")
    faults = await refused(
        submissions.submit_initiative(
            submission({"initiative_id": str(own), "relation": "adoption"}), uow, NOW
        )
    )
    assert faults["builds_on.relation"].startswith("Áp dụng mô hình là áp dụng")
    taken = await submissions.submit_initiative(
        submission({"initiative_id": str(others), "relation": "adoption"}), uow, NOW
    )
    assert taken.content.builds_on == BuildsOn(others, "adoption")


async def test_an_amendment_may_name_change_or_clear_the_lineage(uow: FakeUnitOfWork) -> None:
    base = earlier(uow)
    initiative = await submissions.submit_initiative(submission(None), uow, NOW)
    faults = await refused(
        submissions.amend_initiative(
            AmendInitiative(
                WARD,
                initiative.id,
                {"builds_on": {"initiative_id": str(initiative.id), "relation": "improvement"}},
            ),
            uow,
            NOW,
        )
    )
    assert faults["builds_on.initiative_id"] == "Đề xuất không thể kế thừa chính nó"
    await submissions.amend_initiative(
        AmendInitiative(
            WARD, initiative.id, {"builds_on": {"initiative_id": base, "relation": "resubmission"}}
        ),
        uow,
        NOW,
    )
    await submissions.amend_initiative(
        AmendInitiative(WARD, initiative.id, {"builds_on": None}), uow, NOW
    )
    named, cleared = uow.events(InitiativeAmendedV1)
    assert named.builds_on is not None and named.builds_on.relation == "resubmission"
    assert cleared.builds_on is None


async def test_a_draft_keeps_its_reference_and_is_checked_on_submit(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(
        SaveDraft(
            WARD,
            "26740",
            {
                "title": "Bản nháp kế thừa",
                "builds_on": {"initiative_id": str(uuid.uuid4()), "relation": "improvement"},
            },
        ),
        uow,
        NOW,
    )
    complete = {
        "kind": "model",
        "summary": "Tóm tắt.",
        "par_area": "procedures",
        "applied_since": date(2022, 1, 1),
        "results": "Kết quả.",
    }
    await drafts.change_draft(ChangeDraft(WARD, draft.id, complete), uow, NOW)
    faults = await refused(drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, NOW))
    assert set(faults) == {"builds_on.initiative_id"}
    base = earlier(uow)
    await drafts.change_draft(
        ChangeDraft(
            WARD, draft.id, {"builds_on": {"initiative_id": str(base), "relation": "resubmission"}}
        ),
        uow,
        NOW,
    )
    initiative = await drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, NOW)
    assert initiative.content.builds_on == BuildsOn(base, "resubmission")


def inbound_event(**overrides: object) -> tuple[CloudEvent, InboundInitiativeSubmittedV1]:
    data = inbound_data(**overrides)
    event = CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source="https://motcua.hochiminhcity.gov.vn",
        type=InboundInitiativeSubmittedV1.event_type(),
        data=data,
    )
    return event, InboundInitiativeSubmittedV1.model_validate(data)


async def test_an_inbound_initiative_names_its_lineage_and_is_checked(
    uow: FakeUnitOfWork,
) -> None:
    base = earlier(uow, agency_code="26743")
    event, data = inbound_event(builds_on={"initiative_id": str(base), "relation": "adoption"})
    initiative = await inbound.accept_inbound(event, data, uow, NOW)
    assert initiative is not None and initiative.content.builds_on == BuildsOn(base, "adoption")
    [published] = uow.events(InitiativeSubmittedV1)
    assert published.builds_on is not None and published.builds_on.initiative_id == base
    event, data = inbound_event(
        title="Khác",
        builds_on={"initiative_id": str(uuid.uuid4()), "relation": "improvement"},
    )
    faults = await refused(inbound.accept_inbound(event, data, uow, NOW))
    assert faults["builds_on.initiative_id"].startswith("Không tìm thấy đề xuất")
