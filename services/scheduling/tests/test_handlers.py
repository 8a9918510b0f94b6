"""The use cases driven with an in-memory unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cchc_scheduling.domain.errors import InvalidTransition
from cchc_scheduling.domain.model import PoolStatus, RoundStatus, Seat, TeamRole, Visit
from cchc_scheduling.domain.rules import PlanViolations
from cchc_scheduling.service_layer import queries
from cchc_scheduling.service_layer.handlers import plans, pool, roster, rounds
from cchc_scheduling.service_layer.services import SchedulingPolicy
from cchc_shared.auth import Principal, Role
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import (
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
)
from cchc_shared.errors import Conflict, InvalidInput

from .factories import member
from .fakes import FakeUnitOfWork

POLICY = SchedulingPolicy()
STAFF = Principal("snv.lan", Role.SECRETARIAT, display_name="Nguyễn Thị Lan")
NEXT_YEAR = datetime.now(UTC).year + 1
SUBMITTED_AT = datetime(2023, 4, 20, 9, tzinfo=UTC)


def event(data, event_id: str | None = None) -> CloudEvent:
    return CloudEvent(
        specversion="1.0",
        id=event_id or str(uuid.uuid4()),
        source="/cchc/intake",
        type=data.event_type(),
        data=data.model_dump(mode="json"),
    )


def submission(agency="760", area="procedures", year=2023, **kw) -> InitiativeSubmittedV1:
    fields = {
        "initiative_id": uuid.uuid4(),
        "campaign_year": year,
        "agency_code": agency,
        "kind": "model",
        "title": "Một cửa điện tử",
        "summary": "Tóm tắt",
        "par_area": area,
        "applied_since": date(2022, 1, 1),
        "results": "Kết quả",
        "limitations": "",
        "submitted_at": SUBMITTED_AT,
        **kw,
    }
    return InitiativeSubmittedV1(**fields)


def amendment(of: InitiativeSubmittedV1, at: datetime, **kw) -> InitiativeAmendedV1:
    return InitiativeAmendedV1(**{**of.model_dump(), "amended_at": at, **kw})


async def test_a_duplicate_submission_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    data = submission()
    same = event(data, "evt-1")
    await pool.initiative_submitted(uow, same, data)
    before = dict(uow.pool.rows)
    await pool.initiative_submitted(uow, same, data)
    assert uow.pool.rows == before and uow.commits == 1


async def test_amendments_keep_the_newest_content_whatever_the_order() -> None:
    uow = FakeUnitOfWork()
    data = submission()
    late = amendment(
        data, SUBMITTED_AT + timedelta(days=2), title="Tên mới", par_area="organisation"
    )
    await pool.initiative_submitted(uow, event(late), late)  # arrives first
    await pool.initiative_submitted(uow, event(data), data)  # the older submission
    stored = uow.pool.rows[data.initiative_id]
    assert (stored.title, stored.par_area) == ("Tên mới", "organisation")


async def test_a_withdrawal_before_the_submission_keeps_it_out_of_the_pool() -> None:
    uow = FakeUnitOfWork()
    data = submission()
    withdrawn = InitiativeWithdrawnV1(
        initiative_id=data.initiative_id,
        campaign_year=2023,
        agency_code="760",
        withdrawn_at=SUBMITTED_AT + timedelta(days=1),
    )
    await pool.initiative_withdrawn(uow, event(withdrawn), withdrawn)
    await pool.initiative_submitted(uow, event(data), data)
    assert uow.pool.rows[data.initiative_id].status is PoolStatus.WITHDRAWN


def working_days(year: int, count: int) -> list[date]:
    days = list(POLICY.calendar(year).working_days(date(year, 6, 1), date(year, 10, 31)))
    return days[:count]


async def confirmed_round(uow: FakeUnitOfWork, year: int, items) -> uuid.UUID:
    for m in (
        member("head", "SNV", ("procedures", "organisation"), head=True),
        member("it", "STTTT", ("digital_government",)),
        member("clerk", "SNV", ("procedures",), secretary=True),
    ):
        await uow.members.add(m)
    day1, day2 = working_days(year, 2)
    visits = [
        Visit(uuid.uuid4(), items[0].initiative_id, items[0].agency_code, day1, time(8), ""),
        Visit(uuid.uuid4(), items[1].initiative_id, items[1].agency_code, day2, time(8), ""),
    ]
    team = [
        Seat("head", TeamRole.HEAD),
        Seat("it", TeamRole.MEMBER),
        Seat("clerk", TeamRole.SECRETARY),
    ]
    round_ = await rounds.create_round(uow, year, team, visits, "", POLICY, STAFF)
    assert all(v.place.startswith("Trụ sở ") for v in round_.visits)
    await rounds.confirm_round(uow, round_.round_id, POLICY, STAFF)
    return round_.round_id


async def test_confirming_numbers_the_round_and_publishes_round_scheduled() -> None:
    uow = FakeUnitOfWork()
    items = [submission("760"), submission("26740", "digital_government")]
    for item in items:
        await pool.initiative_submitted(uow, event(item), item)
    round_id = await confirmed_round(uow, 2023, items)
    [scheduled] = uow.published
    assert isinstance(scheduled, RoundScheduledV1)
    assert scheduled.round_id == round_id and scheduled.sequence == 1
    assert [m.role for m in scheduled.team] == ["head", "member", "secretary"]
    with pytest.raises(InvalidTransition):
        await rounds.confirm_round(uow, round_id, POLICY, STAFF)
    with pytest.raises(InvalidInput, match="reason"):
        await rounds.update_round(uow, round_id, [], [], None, "", POLICY, STAFF)
    await rounds.cancel_round(uow, round_id, "Thay đổi kế hoạch", STAFF)
    assert isinstance(uow.published[-1], RoundCancelledV1)
    with pytest.raises(InvalidTransition):
        await rounds.update_round(uow, round_id, [], [], None, "lý do", POLICY, STAFF)
    # who did each, by subject and display name; a refused change left no entry
    history = await uow.audit.history("round", str(round_id))
    assert [(h["action"], h["actor"], h["actor_name"]) for h in history] == [
        ("drafted", "snv.lan", "Nguyễn Thị Lan"),
        ("confirmed", "snv.lan", "Nguyễn Thị Lan"),
        ("cancelled", "snv.lan", "Nguyễn Thị Lan"),
    ]
    assert history[-1]["reason"] == "Thay đổi kế hoạch"
    assert (
        history[1]["snapshot"]["status"] == "confirmed" and history[1]["snapshot"]["sequence"] == 1
    )


async def test_a_withdrawn_initiative_leaves_its_unvisited_visit() -> None:
    uow = FakeUnitOfWork()
    items = [
        submission("760", year=NEXT_YEAR),
        submission("26740", "digital_government", year=NEXT_YEAR),
    ]
    for item in items:
        await pool.initiative_submitted(uow, event(item), item)
    round_id = await confirmed_round(uow, NEXT_YEAR, items)
    withdrawn = InitiativeWithdrawnV1(
        initiative_id=items[0].initiative_id,
        campaign_year=NEXT_YEAR,
        agency_code="760",
        reason="Đơn vị đề nghị rút",
        withdrawn_at=datetime.now(UTC),
    )
    await pool.initiative_withdrawn(uow, event(withdrawn), withdrawn)
    round_ = uow.rounds.rows[round_id]
    assert [v.initiative_id for v in round_.visits] == [items[1].initiative_id]
    rescheduled = uow.published[-1]
    assert isinstance(rescheduled, RoundRescheduledV1)
    assert "rút" in rescheduled.reason and len(rescheduled.visits) == 1
    assert uow.pool.rows[items[0].initiative_id].status is PoolStatus.WITHDRAWN


async def test_a_past_visit_stays_when_its_initiative_is_withdrawn() -> None:
    uow = FakeUnitOfWork()
    items = [submission("760"), submission("26740", "digital_government")]
    for item in items:
        await pool.initiative_submitted(uow, event(item), item)
    round_id = await confirmed_round(uow, 2023, items)
    withdrawn = InitiativeWithdrawnV1(
        initiative_id=items[0].initiative_id,
        campaign_year=2023,
        agency_code="760",
        withdrawn_at=datetime.now(UTC),
    )
    await pool.initiative_withdrawn(uow, event(withdrawn), withdrawn)
    assert len(uow.rounds.rows[round_id].visits) == 2  # already visited in 2023
    assert uow.rounds.rows[round_id].status is RoundStatus.CONFIRMED


async def test_drafts_that_break_rules_are_refused_with_each_rule() -> None:
    uow = FakeUnitOfWork()
    item = submission("STTTT", "digital_government")
    await pool.initiative_submitted(uow, event(item), item)
    await uow.members.add(member("it", "STTTT", ("digital_government",)))
    visit = Visit(uuid.uuid4(), item.initiative_id, "STTTT", date(2023, 9, 1), time(8), "")
    with pytest.raises(PlanViolations) as refused:
        await rounds.create_round(
            uow, 2023, [Seat("it", TeamRole.MEMBER)], [visit], "", POLICY, STAFF
        )
    assert {v.rule.value for v in refused.value.violations} == {
        "team_head",
        "working_day",
        "conflict_of_interest",
    }


async def test_the_default_roster_is_seeded_once() -> None:
    from cchc_scheduling.bootstrap import default_roster

    uow = FakeUnitOfWork()
    members = default_roster()
    assert await roster.seed_roster(uow, members) == len(members) == 14
    assert await roster.seed_roster(uow, members) == 0
    heads = [m for m in members if m.may_head]
    assert {m.agency_code for m in heads} == {"SNV"}
    agencies = {m.agency_code for m in members}
    assert {"SNV", "STP", "STTTT", "STC", "VPUB"} <= agencies
    assert {a for m in members for a in m.expertise} == {
        "institutional",
        "procedures",
        "organisation",
        "civil_service",
        "public_finance",
        "digital_government",
    }


async def test_a_proposal_is_accepted_once() -> None:
    uow = FakeUnitOfWork()
    for m in __import__("cchc_scheduling.bootstrap").bootstrap.default_roster():
        await uow.members.add(m)
    items = [submission("760"), submission("774", "public_finance"), submission("STP")]
    for item in items:
        await pool.initiative_submitted(uow, event(item), item)
    request = plans.PlanRequest(2023, last_day=date(2023, 6, 30), time_limit=3)
    proposal_id, body = await plans.propose_plan(uow, request, POLICY, "secretariat")
    assert sum(len(r["visits"]) for r in body["rounds"]) == 3
    drafts = await plans.accept_proposal(uow, proposal_id, POLICY, STAFF)
    assert {v.initiative_id for r in drafts for v in r.visits} == {i.initiative_id for i in items}
    with pytest.raises(Conflict):
        await plans.accept_proposal(uow, proposal_id, POLICY, STAFF)
    # Everything is planned now: a new proposal for a selection already scheduled is refused.
    with pytest.raises(Conflict):
        await plans.propose_plan(
            uow,
            replace(request, initiative_ids=(items[0].initiative_id,)),
            POLICY,
            "secretariat",
        )


async def test_roster_changes_name_who_made_them() -> None:
    uow = FakeUnitOfWork()
    herself = Principal("surveyor:hoa", Role.SURVEYOR, member_id="hoa", display_name="Lê Thị Hoa")
    await roster.add_member(uow, member("hoa", name="Lê Thị Hoa"), STAFF)
    await roster.set_unavailable(uow, "hoa", frozenset({date(2023, 6, 5)}), herself)
    await roster.deactivate_member(uow, "hoa", STAFF)
    history = await queries.member_history(uow, "hoa")
    assert [(h["action"], h["actor"], h["actor_name"]) for h in history] == [
        ("added", "snv.lan", "Nguyễn Thị Lan"),
        ("unavailable_set", "surveyor:hoa", "Lê Thị Hoa"),
        ("deactivated", "snv.lan", "Nguyễn Thị Lan"),
    ]
    assert history[1]["snapshot"]["unavailable"] == ["2023-06-05"]
    assert history[2]["snapshot"]["active"] is False
