"""What the planner answers: the proposed rounds and their metrics, or the rule that cannot
be met."""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cchc_scheduling.domain.model import Member, Seat, Visit
from cchc_scheduling.domain.rules import Rule
from cchc_shared.errors import Fault, InvalidInput

CITY_CLUSTER = "city"  # the cluster of city-level agencies (no district)


@dataclass(frozen=True)
class ProposedRound:
    team: list[Seat]
    visits: list[Visit]


@dataclass(frozen=True)
class PlanMetrics:
    visits: int
    rounds: int
    travel_days: int  # team-days spent on site
    districts_per_day: float  # 1.0 means every survey day stays in one district
    min_member_visits: int
    max_member_visits: int
    mean_member_visits: float
    members_used: int
    seats: int
    solver_status: str
    objective: float
    seconds: float


@dataclass(frozen=True)
class PlanResult:
    rounds: list[ProposedRound]
    metrics: PlanMetrics


class PlanInfeasible(InvalidInput):
    """The input cannot be planned; ``rule`` is the rule that cannot be met (the fault's
    field is ``plan``, with the rule beside it)."""

    def __init__(self, rule: Rule, message_vi: str, message_en: str) -> None:
        super().__init__(Fault("plan", message_vi, message_en, {"rule": rule.value}))
        self.rule = rule
        self.message_vi = message_vi
        self.message_en = message_en


def plan_metrics(
    rounds: list[ProposedRound],
    members: list[Member],
    status: str,
    objective: float,
    started: float,
    cluster_of: Callable[[str], str | None] | None = None,
) -> PlanMetrics:
    load: dict[str, int] = {m.member_id: 0 for m in members}
    team_days = 0
    districts = 0
    seats = 0
    for proposed in rounds:
        seats += len(proposed.team)
        for seat in proposed.team:
            load[seat.member_id] = load.get(seat.member_id, 0) + len(proposed.visits)
        per_day: dict[date, set[str]] = defaultdict(set)
        for visit in proposed.visits:
            key = (cluster_of(visit.agency_code) if cluster_of else None) or CITY_CLUSTER
            per_day[visit.date].add(key)
        team_days += len(per_day)
        districts += sum(len(v) for v in per_day.values())
    values = list(load.values()) or [0]
    return PlanMetrics(
        visits=sum(len(p.visits) for p in rounds),
        rounds=len(rounds),
        travel_days=team_days,
        districts_per_day=round(districts / team_days, 3) if team_days else 0.0,
        min_member_visits=min(values),
        max_member_visits=max(values),
        mean_member_visits=round(sum(values) / len(values), 2),
        members_used=sum(1 for v in values if v),
        seats=seats,
        solver_status=status,
        objective=objective,
        seconds=round(clock.perf_counter() - started, 3),
    )
