"""Drafts with the fakes: saved and changed without an event, submitted with exactly one
InitiativeSubmitted, every missing field named at once, seen only by their agency and staff."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cchc_intake.domain.commands import (
    Actor,
    ChangeDraft,
    DiscardDraft,
    SaveDraft,
    SubmitDraft,
)
from cchc_intake.domain.errors import DuplicateTitle
from cchc_intake.service_layer import queries
from cchc_intake.service_layer.handlers import drafts, reference_data, submissions
from cchc_shared.contracts import InitiativeSubmittedV1
from cchc_shared.errors import InvalidInput, NotFound
from cchc_shared.reference import load_agencies

from .fakes import FakeUnitOfWork
from .test_handlers import submission

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
WARD = Actor("agency_submitter:26740", "26740", name="Cán bộ Phường 1")
OTHER_WARD = Actor("agency_submitter:26743", "26743")
STAFF = Actor("secretariat")
COMMITTEE = Actor("committee_viewer", sees_drafts=False)
COMPLETE = {
    "kind": "model",
    "title": "Mô hình một cửa thông minh",
    "summary": "Tiếp nhận hồ sơ trực tuyến.",
    "par_area": "procedures",
    "applied_since": date(2022, 1, 1),
    "results": "Giảm 30% thời gian.",
}


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    await reference_data.seed_reference_data(fake, load_agencies().values(), NOW.date())
    fake.published.clear()
    return fake


async def test_a_draft_keeps_what_is_given_and_publishes_nothing(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(
        SaveDraft(WARD, "26740", {"title": "  Mô hình một cửa  "}), uow, NOW
    )
    assert draft.fields == {"title": "Mô hình một cửa"}
    changed = await drafts.change_draft(
        ChangeDraft(WARD, draft.id, {"kind": "solution", "summary": ""}), uow, LATER
    )
    assert changed.fields == {"kind": "solution", "title": "Mô hình một cửa", "summary": ""}
    assert changed.version == 2 and changed.updated_at == LATER
    assert uow.published == []
    actions = [(e.action, e.actor) for e in uow.audit.entries if e.entity_id == str(draft.id)]
    assert actions == [("draft_saved", WARD.subject), ("draft_changed", WARD.subject)]


async def test_a_bad_value_in_a_draft_is_refused_by_name(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        await drafts.save_draft(
            SaveDraft(WARD, "26740", {"par_area": "nowhere", "applied_since": date(2099, 1, 1)}),
            uow,
            NOW,
        )
    assert {f.field for f in refused.value.faults} == {"par_area", "applied_since"}
    assert all(f.message_vi and f.message_en for f in refused.value.faults)
    assert uow.drafts.stored == {}


async def test_submit_names_every_missing_field_at_once(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(SaveDraft(WARD, "26740", {"title": "Một cửa"}), uow, NOW)
    with pytest.raises(InvalidInput) as refused:
        await drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, LATER)
    assert [f.field for f in refused.value.faults] == [
        "kind",
        "summary",
        "par_area",
        "applied_since",
        "results",
    ]
    assert draft.id in uow.drafts.stored and uow.published == []


async def test_submit_publishes_one_initiative_submitted_as_a_direct_one(
    uow: FakeUnitOfWork,
) -> None:
    draft = await drafts.save_draft(SaveDraft(WARD, "26740", dict(COMPLETE)), uow, NOW)
    initiative = await drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, LATER)
    [event] = uow.published
    assert isinstance(event, InitiativeSubmittedV1)
    assert event.initiative_id == draft.id == initiative.id
    assert event.submitted_at == LATER and event.campaign_year == 2023
    direct = await submissions.submit_initiative(
        submission(OTHER_WARD, agency_code="26743"), uow, LATER
    )
    [_, direct_event] = uow.events(InitiativeSubmittedV1)
    ignore = {"initiative_id", "agency_code", "agency_email"}  # the agency and its address
    assert event.model_dump(exclude=ignore) == direct_event.model_dump(exclude=ignore)
    assert direct.status.value == initiative.status.value == "submitted"
    assert uow.drafts.stored == {}
    with pytest.raises(NotFound):  # submitted once: the draft is gone
        await drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, LATER)
    assert len(uow.published) == 2


async def test_submit_applies_the_window_and_the_title_rule(uow: FakeUnitOfWork) -> None:
    late = datetime(2023, 11, 2, 3, 0, tzinfo=UTC)
    draft = await drafts.save_draft(
        SaveDraft(WARD, "26740", dict(COMPLETE), campaign_year=2023), uow, NOW
    )
    with pytest.raises(InvalidInput) as refused:
        await drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, late)
    assert [f.field for f in refused.value.faults] == ["campaign_year"]
    await submissions.submit_initiative(submission(WARD), uow, NOW)
    with pytest.raises(DuplicateTitle):
        await drafts.submit_draft(SubmitDraft(WARD, draft.id), uow, LATER)
    assert draft.id in uow.drafts.stored
    assert len(uow.events(InitiativeSubmittedV1)) == 1


async def test_saving_a_draft_outside_the_window_is_allowed(uow: FakeUnitOfWork) -> None:
    late = datetime(2023, 11, 2, 3, 0, tzinfo=UTC)
    draft = await drafts.save_draft(
        SaveDraft(WARD, "26740", {"title": "Sau hạn"}, campaign_year=2023), uow, late
    )
    assert draft.id in uow.drafts.stored


async def test_drafts_are_seen_by_their_agency_and_staff_only(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(SaveDraft(WARD, "26740", {"title": "Riêng"}), uow, NOW)
    async with uow:
        assert (await queries.visible_draft(uow, STAFF, draft.id)).id == draft.id
        for outsider in (OTHER_WARD, COMMITTEE):
            with pytest.raises(NotFound):
                await queries.visible_draft(uow, outsider, draft.id)
    with pytest.raises(NotFound):
        await drafts.change_draft(ChangeDraft(OTHER_WARD, draft.id, {"title": "x"}), uow, NOW)
    with pytest.raises(NotFound):
        await drafts.discard_draft(DiscardDraft(OTHER_WARD, draft.id), uow, NOW)


async def test_a_discarded_draft_is_gone_and_audited(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(SaveDraft(STAFF, "26740", {"title": "Bỏ"}), uow, NOW)
    await drafts.discard_draft(DiscardDraft(WARD, draft.id), uow, LATER)
    assert uow.drafts.stored == {} and uow.published == []
    [*_, last] = uow.audit.entries
    assert (last.action, last.actor, last.entity_id) == (
        "draft_discarded",
        WARD.subject,
        str(draft.id),
    )
