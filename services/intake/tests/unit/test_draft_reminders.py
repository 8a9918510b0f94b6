"""The reminder of unsubmitted drafts, with the fakes: due once the campaign's reminder
window opens and not before, once per draft and deadline however often the sweep runs, none
for a draft submitted or discarded, none after the deadline, a new one when the deadline
moves later, and what the event tells the agency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cchc_intake.domain.commands import Actor, DiscardDraft, SaveDraft, SubmitDraft
from cchc_intake.domain.contacts import agency_email
from cchc_intake.service_layer.handlers import drafts, reference_data
from cchc_intake.service_layer.handlers.reminders import (
    remind_unsubmitted_drafts,
    reminder_event_id,
)
from cchc_shared.contracts import DraftReminderDueV1, InitiativeSubmittedV1
from cchc_shared.reference import load_agencies

from .fakes import FakeUnitOfWork
from .test_drafts import COMPLETE

DAYS = 7
SAVED = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
CLOSES = date(2023, 10, 31)  # the 2023 campaign's submission deadline (seeded)
WARD = Actor("agency_submitter:26740", "26740")
DISTRICT = Actor("agency_submitter:760", "760")


def at(day: date, hour: int = 9) -> datetime:
    """``hour`` o'clock in Ho Chi Minh City on ``day``."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    await reference_data.seed_reference_data(fake, load_agencies().values(), SAVED.date())
    fake.published.clear()
    return fake


async def sweep(uow: FakeUnitOfWork, day: date, hour: int = 9) -> list[DraftReminderDueV1]:
    before = len(uow.events(DraftReminderDueV1))
    added = await remind_unsubmitted_drafts(uow, at(day, hour), DAYS)
    found = uow.events(DraftReminderDueV1)[before:]
    assert added == len(found)
    return found


async def test_a_reminder_is_due_when_the_window_opens_and_not_before(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(
        SaveDraft(WARD, "26740", {"title": "Tổ công nghệ số cộng đồng"}, campaign_year=2023),
        uow,
        SAVED,
    )
    assert await sweep(uow, date(2023, 5, 11)) == []
    assert await sweep(uow, CLOSES - timedelta(days=DAYS + 1), hour=23) == []
    # 00:30 in the city on the first day of the window is still the day before in UTC.
    [event] = await sweep(uow, CLOSES - timedelta(days=DAYS), hour=0)
    assert event.draft_id == draft.id
    assert (event.campaign_year, event.agency_code) == (2023, "26740")
    assert event.agency_email == agency_email("26740") and event.agency_email
    assert event.title == "Tổ công nghệ số cộng đồng"
    assert event.submission_closes_on == CLOSES
    assert event.missing_fields == ["kind", "summary", "par_area", "applied_since", "results"]
    assert event.reminded_at == at(CLOSES - timedelta(days=DAYS), hour=0)
    [message] = [m for m in uow.messages if m.routing_key == "draft.reminder_due.v1"]
    assert message.event_id == reminder_event_id(draft, CLOSES)


async def test_once_per_draft_however_often_the_sweep_runs(uow: FakeUnitOfWork) -> None:
    mine = await drafts.save_draft(SaveDraft(WARD, "26740", dict(COMPLETE)), uow, SAVED)
    theirs = await drafts.save_draft(SaveDraft(DISTRICT, "760", {}), uow, SAVED)
    first = await sweep(uow, date(2023, 10, 25))
    # A draft naming no campaign belongs to the one taking submissions, as on submit.
    assert {e.draft_id for e in first} == {mine.id, theirs.id}
    complete = next(e for e in first if e.draft_id == mine.id)
    assert complete.missing_fields == [] and complete.title == COMPLETE["title"]
    untitled = next(e for e in first if e.draft_id == theirs.id)
    assert untitled.title is None and "title" in untitled.missing_fields
    for day in (date(2023, 10, 25), date(2023, 10, 28), CLOSES):
        assert await sweep(uow, day) == []
    assert len(uow.events(DraftReminderDueV1)) == 2


async def test_none_for_a_draft_submitted_or_discarded_before_the_window(
    uow: FakeUnitOfWork,
) -> None:
    submitted = await drafts.save_draft(SaveDraft(WARD, "26740", dict(COMPLETE)), uow, SAVED)
    discarded = await drafts.save_draft(SaveDraft(WARD, "26740", {"title": "Bỏ"}), uow, SAVED)
    kept = await drafts.save_draft(SaveDraft(WARD, "26740", {"title": "Còn viết"}), uow, SAVED)
    await drafts.submit_draft(SubmitDraft(WARD, submitted.id), uow, at(date(2023, 10, 1)))
    await drafts.discard_draft(DiscardDraft(WARD, discarded.id), uow, at(date(2023, 10, 2)))
    [event] = await sweep(uow, date(2023, 10, 26))
    assert event.draft_id == kept.id
    assert len(uow.events(InitiativeSubmittedV1)) == 1


async def test_none_after_the_deadline(uow: FakeUnitOfWork) -> None:
    await drafts.save_draft(
        SaveDraft(WARD, "26740", {"title": "Sau hạn"}, campaign_year=2023),
        uow,
        at(date(2023, 11, 2)),
    )
    assert await sweep(uow, date(2023, 11, 2)) == []


async def test_a_deadline_moved_later_makes_a_new_reminder_due(uow: FakeUnitOfWork) -> None:
    draft = await drafts.save_draft(
        SaveDraft(WARD, "26740", {"title": "Gia hạn"}, campaign_year=2023), uow, SAVED
    )
    [first] = await sweep(uow, date(2023, 10, 30))
    later = date(2023, 11, 30)
    campaign = uow.campaigns.by_year[2023]
    uow.campaigns.by_year[2023] = campaign.change(submission_closes_on=later)
    assert await sweep(uow, date(2023, 11, 1)) == []  # the new window is not open yet
    [second] = await sweep(uow, later - timedelta(days=3))
    assert (first.submission_closes_on, second.submission_closes_on) == (CLOSES, later)
    assert reminder_event_id(draft, CLOSES) != reminder_event_id(draft, later)
    assert await sweep(uow, later) == []


def test_the_window_never_opens_before_submissions_do(uow: FakeUnitOfWork) -> None:
    campaign = uow.campaigns.by_year[2023].change(
        submission_opens_on=date(2023, 10, 28), submission_closes_on=date(2023, 10, 31)
    )
    assert not campaign.draft_reminder_due_on(date(2023, 10, 27), DAYS)
    assert campaign.draft_reminder_due_on(date(2023, 10, 28), DAYS)
    assert campaign.draft_reminder_due_on(date(2023, 10, 31), DAYS)
    assert not campaign.draft_reminder_due_on(date(2023, 11, 1), DAYS)
