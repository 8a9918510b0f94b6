"""The greedy start: whole weeks first, the week's later lanes kept their people, and a
seat-moving pass; its plan uses no more rounds than the day batches need and keeps every rule."""

from __future__ import annotations

import math
import uuid
from datetime import date

import pytest

from cchc_scheduling.domain.model import Round, RoundStatus
from cchc_scheduling.domain.planner import PlannerSettings, PlanProgress, plan
from cchc_scheduling.domain.planner.batches import make_batches
from cchc_scheduling.domain.rules import PlanContext, check_rounds

from .test_planner import parent_of, pool, request, roster

# A short search: the greedy plan is the first one reported, before any search.
SETTINGS = PlannerSettings(seed=0, time_limit_seconds=1, workers=1)


def greedy_plan(initiatives, members, **kw) -> PlanProgress:
    first = plan(request(initiatives, members, **kw), SETTINGS).solutions[0]
    assert first.source == "greedy"
    return first


def fewest_rounds(initiatives, members, week_days: int = 5) -> int:
    active = sorted(members, key=lambda m: m.member_id)
    batches = make_batches(request(initiatives, members), active, initiatives, SETTINGS)
    return math.ceil(len(batches) / week_days)


def violations(progress: PlanProgress, initiatives, members, **kw) -> list[str]:
    rounds = [
        Round(uuid.uuid4(), 2023, p.team, p.visits, RoundStatus.DRAFT) for p in progress.rounds
    ]
    req = request(initiatives, members, **kw)
    context = PlanContext(
        {m.member_id: m for m in members},
        {i.initiative_id: i for i in initiatives},
        req.calendar,
        req.window,
        parent_of,
    )
    return [f"{v.rule}: {v.message_en}" for v in check_rounds(rounds, [], context)]


@pytest.mark.parametrize("seed", [3, 11])
def test_150_visits_use_no_more_rounds_than_their_day_batches_need(seed: int) -> None:
    initiatives, members = pool(150, seed=seed), roster()
    first = greedy_plan(initiatives, members)
    assert sum(len(p.visits) for p in first.rounds) == 150
    assert len(first.rounds) == fewest_rounds(initiatives, members)
    assert violations(first, initiatives, members) == []


def test_a_short_period_opens_second_lanes_with_people_kept_for_them() -> None:
    # Six whole weeks for about eleven rounds: most weeks need two teams at once.
    initiatives, members = pool(150, seed=3), roster()
    period = {"first_day": date(2023, 6, 5), "last_day": date(2023, 7, 14)}
    first = greedy_plan(initiatives, members, **period)
    weeks = [min(v.date for v in p.visits).isocalendar()[:2] for p in first.rounds]
    assert len(weeks) > len(set(weeks))  # some weeks have two rounds
    assert len(first.rounds) == fewest_rounds(initiatives, members)
    assert violations(first, initiatives, members, **period) == []
