"""What the planner answers: the proposed rounds and their metrics, or the rule that cannot
be met."""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

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
    bound: float = 0.0  # the search's bound on the best objective
    solutions: list[PlanProgress] = field(default_factory=list)  # each improved plan, in order

    @property
    def gap(self) -> float:
        return relative_gap(self.metrics.objective, self.bound)


class PlanStopped(Exception):
    """The search was stopped before it found any plan."""


class PlanInfeasible(InvalidInput):
    """The input cannot be planned; ``rule`` is the rule that cannot be met (the fault's
    field is ``plan``, with the rule beside it), and what blocks it: the initiatives and the
    members concerned, when they can be named."""

    def __init__(
        self,
        rule: Rule,
        message_vi: str,
        message_en: str,
        *,
        initiative_ids: Sequence[UUID] = (),
        member_ids: Sequence[str] = (),
    ) -> None:
        self.initiative_ids = sorted(initiative_ids, key=str)
        self.member_ids = sorted(member_ids)
        extra = {"rule": rule.value}  # the error body's fault: its extra keys are text
        if self.initiative_ids:
            extra["initiative_ids"] = ",".join(str(i) for i in self.initiative_ids)
        if self.member_ids:
            extra["member_ids"] = ",".join(self.member_ids)
        super().__init__(Fault("plan", message_vi, message_en, extra))
        self.rule = rule
        self.message_vi = message_vi
        self.message_en = message_en

    def as_json(self) -> dict[str, object]:
        """The job's ``error``: the rule, the message and what blocks it."""
        return {
            "rule": self.rule.value,
            "message": self.message_vi,
            "message_en": self.message_en,
            "initiative_ids": [str(i) for i in self.initiative_ids],
            "member_ids": list(self.member_ids),
        }


@dataclass(frozen=True)
class PlanProgress:
    """An improved plan, as the search finds it: its objective, the search's bound on the
    best objective, and the relative gap between them (0 when proven optimal)."""

    elapsed_seconds: float
    objective: float
    bound: float
    rounds: list[ProposedRound]
    source: str  # "greedy" (the first plan, built before the search) or "cp-sat"

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float, bound: float) -> float:
    if objective <= 0:
        return 0.0
    return round(max(0.0, objective - bound) / objective, 4)


def plan_objective(rounds: Sequence[ProposedRound], member_ids: Sequence[str]) -> int:
    """The planner's objective, computed from the rounds alone: 50 a round used, 5 a visit of
    spread between the most and the least loaded member, 1 a seat. The model minimises the
    same sum, so a plan from anywhere (the greedy start, a benchmark's baseline) compares."""
    load = dict.fromkeys(member_ids, 0)
    for proposed in rounds:
        for seat in proposed.team:
            load[seat.member_id] = load.get(seat.member_id, 0) + len(proposed.visits)
    values = list(load.values()) or [0]
    seats = sum(len(p.team) for p in rounds)
    return ROUND_WEIGHT * len(rounds) + SPREAD_WEIGHT * (max(values) - min(values)) + seats


ROUND_WEIGHT = 50
SPREAD_WEIGHT = 5


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
