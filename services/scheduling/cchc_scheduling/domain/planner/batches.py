"""The deterministic steps before the solver: the checks that name an infeasible input's rule
at once, the day batches (one district a day) and the slots (a team in a week) they go to."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from cchc_scheduling.domain.model import Member, PoolInitiative
from cchc_scheduling.domain.planner.request import PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import CITY_CLUSTER, PlanInfeasible
from cchc_scheduling.domain.rules import Rule, conflicted


@dataclass(frozen=True)
class Batch:
    cluster: str
    initiatives: tuple[PoolInitiative, ...]

    @property
    def areas(self) -> frozenset[str]:
        return frozenset(i.par_area for i in self.initiatives)

    @property
    def size(self) -> int:
        return len(self.initiatives)


@dataclass(frozen=True)
class Slot:
    """A round the model may use: one team (lane) in one week."""

    week: int
    lane: int
    days: tuple[date, ...]


def _eligible(member: Member, batch_or_agency: str, parent: str | None) -> bool:
    return not conflicted(member, batch_or_agency, parent)


def precheck(
    request: PlanInput,
    members: list[Member],
    initiatives: list[PoolInitiative],
    days: list[date],
    first: date,
    last: date,
) -> None:
    if first > last:
        raise PlanInfeasible(
            Rule.SURVEY_WINDOW,
            "Khoảng thời gian lập kế hoạch nằm ngoài thời gian khảo sát của kế hoạch",
            "the planning period lies outside the campaign's survey window",
        )
    if not days:
        raise PlanInfeasible(
            Rule.WORKING_DAY,
            "Không có ngày làm việc nào trong khoảng thời gian lập kế hoạch",
            "there is no working day in the planning period",
        )
    heads = [m for m in members if m.may_head]
    if not heads:
        raise PlanInfeasible(
            Rule.TEAM_HEAD,
            "Không có thành viên nào được làm Trưởng đoàn",
            "no member of the roster may head a team",
        )
    known = {area for m in members for area in m.expertise}
    missing = sorted({i.par_area for i in initiatives} - known)
    if missing:
        raise PlanInfeasible(
            Rule.EXPERTISE_COVERAGE,
            "Không có thành viên nào am hiểu lĩnh vực: " + ", ".join(missing),
            "no member knows the PAR area(s): " + ", ".join(missing),
        )
    for initiative in initiatives:
        parent = request.parent_district(initiative.agency_code)
        experts = [m for m in members if m.knows(initiative.par_area)]
        if not any(_eligible(m, initiative.agency_code, parent) for m in experts):
            raise PlanInfeasible(
                Rule.CONFLICT_OF_INTEREST,
                f"Mọi thành viên am hiểu lĩnh vực {initiative.par_area} đều thuộc đơn vị "
                f"{initiative.agency_code} (sáng kiến {initiative.initiative_id})",
                f"every member who knows {initiative.par_area} belongs to "
                f"{initiative.agency_code} (initiative {initiative.initiative_id})",
            )
        if not any(_eligible(m, initiative.agency_code, parent) for m in heads):
            raise PlanInfeasible(
                Rule.TEAM_HEAD,
                f"Không có Trưởng đoàn nào được khảo sát đơn vị {initiative.agency_code}",
                f"no possible head may survey {initiative.agency_code} (conflict of interest)",
            )


def batch_ok(batch: Batch, members: list[Member], request: PlanInput) -> bool:
    allowed = [
        m
        for m in members
        if all(
            _eligible(m, i.agency_code, request.parent_district(i.agency_code))
            for i in batch.initiatives
        )
    ]
    return any(m.may_head for m in allowed) and all(
        any(m.knows(area) for m in allowed) for area in batch.areas
    )


def make_batches(
    request: PlanInput,
    members: list[Member],
    initiatives: list[PoolInitiative],
    settings: PlannerSettings,
) -> list[Batch]:
    by_cluster: dict[str, list[PoolInitiative]] = defaultdict(list)
    for initiative in initiatives:
        by_cluster[request.cluster_of(initiative.agency_code) or CITY_CLUSTER].append(initiative)
    batches: list[Batch] = []
    size = settings.max_visits_per_day
    for cluster in sorted(by_cluster):
        group = sorted(
            by_cluster[cluster], key=lambda i: (i.agency_code, i.par_area, str(i.initiative_id))
        )
        for start in range(0, len(group), size):
            batch = Batch(cluster, tuple(group[start : start + size]))
            if batch_ok(batch, members, request):
                batches.append(batch)
            else:  # the union of conflicts leaves no team: survey these apart
                batches.extend(Batch(cluster, (i,)) for i in batch.initiatives)
    return batches


def make_slots(days: list[date], members: list[Member], batches: list[Batch]) -> list[Slot]:
    weeks: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in days:
        iso = day.isocalendar()
        weeks[(iso.year, iso.week)].append(day)
    heads = sum(1 for m in members if m.may_head)
    lanes_needed = math.ceil(len(batches) / max(1, len(days)))
    lanes = max(1, min(heads, lanes_needed + 1, len(members)))
    slots: list[Slot] = []
    for index, key in enumerate(sorted(weeks)):
        for lane in range(lanes):
            slots.append(Slot(index, lane, tuple(weeks[key])))
    return slots
