"""Re-planning: after a withdrawal, a member's new unavailability and a cancelled day, the
repair moves only the visits that must move, counted against a re-plan from scratch, and the
repaired plan keeps every rule (``rules.check_rounds``, 0 violations)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from cchc_scheduling.domain.model import Member, PoolStatus, Round, RoundStatus
from cchc_scheduling.domain.planner import PlannerSettings, PlanResult, ProposedRound, plan
from cchc_scheduling.domain.planner.repair import Repair, repair
from cchc_scheduling.domain.rules import PlanContext, check_rounds

from .test_planner import parent_of, pool, request, roster

SETTINGS = PlannerSettings(seed=1, time_limit_seconds=6, workers=1)


def confirmed(result: PlanResult) -> list[Round]:
    return [
        Round(uuid.uuid4(), 2023, p.team, p.visits, RoundStatus.CONFIRMED, sequence=n + 1)
        for n, p in enumerate(result.rounds)
    ]


def applied(rounds: list[Round], fix: Repair) -> list[Round]:
    """The rounds as they are once the repair is confirmed (the new rounds as drafts)."""
    by_id = {c.round_id: c for c in fix.changes}
    result = []
    for round_ in rounds:
        change = by_id[round_.round_id]
        if change.action != "cancel":
            result.append(replace(round_, team=change.team, visits=change.visits))
    result += [Round(uuid.uuid4(), 2023, p.team, p.visits) for p in fix.new_rounds]
    return result


def where(rounds: list[Round] | list[ProposedRound]) -> dict[uuid.UUID, tuple[object, ...]]:
    """Each initiative's visit: its day, its time and its team."""
    return {
        v.initiative_id: (v.date, v.starts_at, frozenset(s.member_id for s in r.team))
        for r in rounds
        for v in r.visits
    }


def moved(before: list[Round], after: list[Round] | list[ProposedRound]) -> int:
    old, new = where(before), where(after)
    return sum(1 for i in new if i in old and new[i][:2] != old[i][:2])


def people_told(before: list[Round], after: list[Round] | list[ProposedRound]) -> int:
    old, new = where(before), where(after)
    return sum(1 for i in new if i in old and new[i] != old[i])


def violations(rounds: list[Round], initiatives, members: list[Member]) -> list[str]:
    context = PlanContext(
        {m.member_id: m for m in members},
        {i.initiative_id: i for i in initiatives},
        request(initiatives, members).calendar,
        request(initiatives, members).window,
        parent_of,
    )
    return [f"{v.rule}: {v.message_en}" for v in check_rounds(rounds, [], context)]


@pytest.fixture(scope="module")
def campaign() -> tuple[list, list[Member], list[Round]]:
    initiatives, members = pool(60, seed=4), roster()
    rounds = confirmed(plan(request(initiatives, members), SETTINGS))
    assert violations(rounds, initiatives, members) == []
    return initiatives, members, rounds


def test_after_a_withdrawal_nothing_else_moves(campaign) -> None:
    initiatives, members, rounds = campaign
    gone = rounds[2].visits[0].initiative_id
    now = [replace(i, status=PoolStatus.WITHDRAWN) if i.initiative_id == gone else i
           for i in initiatives]  # fmt: skip
    fix = repair(rounds, [], [], request(now, members), SETTINGS)
    after = applied(rounds, fix)
    assert [v.initiative_id for v in fix.dropped] == [gone]
    assert fix.moved == [] and moved(rounds, after) == 0
    assert gone not in where(after)
    assert violations(after, now, members) == []
    # Only the round that lost its visit changes; its team is told.
    assert [c.action for c in fix.changes].count("reschedule") == 1
    scratch = plan(request(now, members), replace(SETTINGS, seed=2))
    assert moved(rounds, scratch.rounds) > 10  # a plan from scratch moves much more


def test_after_a_member_falls_ill_only_what_must_moves(campaign) -> None:
    initiatives, members, rounds = campaign
    target = rounds[1]
    ill_day = target.visits[0].date
    ill = next(s.member_id for s in target.team if s.role.value == "member")
    members_now = [
        replace(m, unavailable=m.unavailable | {ill_day}) if m.member_id == ill else m
        for m in members
    ]
    must = sum(1 for v in target.visits if v.date == ill_day)
    fix = repair(rounds, [], [], request(initiatives, members_now), SETTINGS)
    after = applied(rounds, fix)
    assert violations(after, initiatives, members_now) == []
    # The ill member's place is taken (or the day's visits move): never more than that day.
    assert len(fix.moved) <= must and moved(rounds, after) <= must
    # Only rounds of that week change (a seat may be swapped with a team of the same week).
    week = ill_day.isocalendar()[:2]
    changed = {c.round_id for c in fix.changes if c.action != "keep"}
    assert target.round_id in changed
    assert all(r.visits[0].date.isocalendar()[:2] == week for r in rounds if r.round_id in changed)
    assert ill in fix.people_to_notify
    # A plan from scratch may keep every day (the greedy start lays the batches on the same
    # whole weeks whatever the seed) but seats other teams: many more people are told.
    scratch = plan(request(initiatives, members_now), replace(SETTINGS, seed=2))
    assert people_told(rounds, scratch.rounds) > people_told(rounds, after) + 10


def test_after_a_cancelled_day_its_visits_move_and_only_they(campaign) -> None:
    initiatives, members, rounds = campaign
    target = rounds[0]
    cancelled = target.visits[-1].date
    on_that_day = {v.visit_id for r in rounds for v in r.visits if v.date == cancelled}
    fix = repair(
        rounds,
        [],
        [],
        request(initiatives, members),
        SETTINGS,
        cancelled_days=frozenset({cancelled}),
    )
    after = applied(rounds, fix)
    assert violations(after, initiatives, members) == []
    assert {m.visit_id for m in fix.moved} == on_that_day  # exactly the visits of that day
    assert all(v.date != cancelled for r in after for v in r.visits)
    assert Counter(i.initiative_id for i in initiatives) == Counter(
        v.initiative_id for r in after for v in r.visits
    )
    scratch = plan(
        request(initiatives, replace_all_busy(members, cancelled)), replace(SETTINGS, seed=2)
    )
    assert moved(rounds, scratch.rounds) > len(on_that_day) + 10


def test_a_late_initiative_goes_into_a_round_with_room_or_a_new_one(campaign) -> None:
    initiatives, members, rounds = campaign
    late = replace(pool(61, seed=4)[-1], initiative_id=uuid.uuid4(), title="Sáng kiến muộn")
    now = [*initiatives, late]
    fix = repair(rounds, [], [late], request(now, members), SETTINGS)
    after = applied(rounds, fix)
    assert violations(after, now, members) == []
    assert fix.moved == [] and late.initiative_id in where(after)


def replace_all_busy(members: list[Member], day: date) -> list[Member]:
    return [replace(m, unavailable=m.unavailable | {day}) for m in members]
