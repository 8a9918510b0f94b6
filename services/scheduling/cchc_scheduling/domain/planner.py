"""The automatic planner: proposes survey rounds for a pool of initiatives with OR-Tools CP-SAT.

How it plans, and why:

1. **Day batches** (deterministic, before the solver). A team spends a day in one district:
   the initiatives of one district (city-level agencies count as one "city" cluster) are
   grouped, agency by agency, into batches of at most ``max_visits_per_day`` visits. Each batch
   is one survey day, so travel days are as few as the district grouping allows.
2. **Rounds** are calendar weeks; several teams ("lanes") may survey in the same week when the
   pool is large. The CP-SAT model places every batch in a round and chooses each round's team
   (one head, a secretary when the roster has one, members), with every rule of
   ``domain.rules`` as a hard constraint: expertise covers each batch's PAR areas, nobody
   surveys their own agency or a ward of their own district, nobody is in two teams in the
   same week, and a round holds no more batches than the days on which its whole team is
   available (a conservative, linear bound). Objective: few rounds, balanced member load
   (max - min visits), small teams.
3. **Days and times** (deterministic, after the solver): each round's batches go to the working
   days of its week on which every team member is free; visits start at the configured times.

Determinism: one search worker, a fixed random seed and a deterministic time budget, so the
same input and seed give the same plan (the wall-clock cap only matters on a starved machine).
Infeasible input is answered with the rule that cannot be met (pre-checks first; then CP-SAT
assumptions name the constraint family at fault).
"""

from __future__ import annotations

import math
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any
from uuid import UUID

from ortools.sat.python import cp_model

from cchc_scheduling.domain.calendar import WorkingCalendar
from cchc_scheduling.domain.model import Member, PoolInitiative, Seat, SurveyWindow, TeamRole, Visit
from cchc_scheduling.domain.rules import Rule, conflicted

CITY_CLUSTER = "city"
_VISIT_NAMESPACE = uuid.UUID("6f1c1b1e-8a43-4a57-9d0e-5c2f2f6a7c11")


@dataclass(frozen=True)
class PlannerSettings:
    max_visits_per_day: int = 3
    start_times: tuple[time, ...] = (time(8, 0), time(9, 45), time(14, 0))
    min_team_size: int = 3
    max_team_size: int = 6
    time_limit_seconds: float = 20.0
    seed: int = 0

    def start_time(self, index: int) -> time:
        if index < len(self.start_times):
            return self.start_times[index]
        last = self.start_times[-1]
        minutes = last.hour * 60 + last.minute + 105 * (index - len(self.start_times) + 1)
        return time(min(minutes // 60, 23), minutes % 60)


@dataclass(frozen=True)
class PlanInput:
    initiatives: Sequence[PoolInitiative]
    members: Sequence[Member]
    calendar: WorkingCalendar
    window: SurveyWindow
    parent_district: Callable[[str], str | None]  # a ward's district (conflict of interest)
    cluster_of: Callable[[str], str | None]  # an agency's district; None for city-level
    first_day: date | None = None
    last_day: date | None = None
    busy: Mapping[str, frozenset[date]] = field(default_factory=dict)  # booked elsewhere


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


class PlanInfeasible(Exception):
    """The input cannot be planned; ``rule`` is the rule that cannot be met."""

    def __init__(self, rule: Rule, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.rule = rule
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class _Batch:
    cluster: str
    initiatives: tuple[PoolInitiative, ...]

    @property
    def areas(self) -> frozenset[str]:
        return frozenset(i.par_area for i in self.initiatives)

    @property
    def size(self) -> int:
        return len(self.initiatives)


@dataclass(frozen=True)
class _Slot:
    """A round the model may use: one team (lane) in one week."""

    week: int
    lane: int
    days: tuple[date, ...]


def plan(request: PlanInput, settings: PlannerSettings = PlannerSettings()) -> PlanResult:
    started = clock.perf_counter()
    members = sorted((m for m in request.members if m.active), key=lambda m: m.member_id)
    initiatives = sorted(
        (i for i in request.initiatives if i.in_pool), key=lambda i: str(i.initiative_id)
    )
    if not initiatives:
        return PlanResult([], _metrics([], [], "empty", 0.0, started))
    first = max(request.first_day or request.window.starts_on, request.window.starts_on)
    last = min(request.last_day or request.window.ends_on, request.window.ends_on)
    days = list(request.calendar.working_days(first, last))
    _precheck(request, members, initiatives, days, first, last)
    batches = _batches(request, members, initiatives, settings)
    slots = _slots(days, members, batches)
    if len(batches) > sum(len(s.days) for s in slots):
        raise PlanInfeasible(
            Rule.MAX_VISITS_PER_DAY,
            f"Cần {len(batches)} ngày khảo sát (tối đa {settings.max_visits_per_day} cuộc/ngày) "
            f"nhưng chỉ có {len(days)} ngày làm việc và "
            f"{sum(1 for m in members if m.may_head)} người có thể làm Trưởng đoàn",
            f"{len(batches)} survey days are needed (at most {settings.max_visits_per_day} "
            f"visits a day) but only {len(days)} working days and "
            f"{sum(1 for m in members if m.may_head)} possible team heads are available",
        )
    unavailable = {
        m.member_id: m.unavailable | request.busy.get(m.member_id, frozenset()) for m in members
    }
    rounds: list[ProposedRound] = []
    statuses: list[str] = []
    objective = 0.0
    base_load = [0] * len(members)
    chunks = _chunks(batches, slots)
    for chunk_batches, chunk_slots in chunks:
        share = settings.time_limit_seconds * len(chunk_batches) / len(batches)
        model = _Model(
            chunk_batches, chunk_slots, members, unavailable, request, settings, base_load
        )
        status, solver = model.solve(settings, share)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status == cp_model.INFEASIBLE:
                diagnostic = _Model(
                    chunk_batches,
                    chunk_slots,
                    members,
                    unavailable,
                    request,
                    settings,
                    base_load,
                    diagnose=True,
                )
                raise diagnostic.explain(settings, share)
            raise PlanInfeasible(
                Rule.MAX_VISITS_PER_DAY,
                "Không tìm được phương án trong thời gian cho phép; hãy tăng thời gian "
                "hoặc giảm số sáng kiến",
                f"no plan found within the time limit ({solver.status_name(status)}); "
                "allow more time or plan fewer initiatives",
            )
        rounds.extend(model.extract(solver, unavailable, settings))
        base_load = [solver.value(load) for load in model.loads]
        statuses.append(solver.status_name(status))
        objective += solver.objective_value
    rounds.sort(key=lambda p: (min(v.date for v in p.visits), p.team[0].member_id))
    status_name = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE"
    if len(chunks) > 1:
        status_name += f" ({len(chunks)} parts)"
    return PlanResult(
        rounds,
        _metrics(rounds, members, status_name, objective, started, request.cluster_of),
    )


# A CP-SAT model of about this many day batches solves well within seconds; a larger pool
# is planned in consecutive parts of the window (rolling horizon), carrying member load over.
BATCHES_PER_PART = 60


def _chunks(batches: list[_Batch], slots: list[_Slot]) -> list[tuple[list[_Batch], list[_Slot]]]:
    parts = max(1, min(math.ceil(len(batches) / BATCHES_PER_PART), 1 + slots[-1].week))
    if parts == 1:
        return [(batches, slots)]
    weeks = sorted({s.week for s in slots})
    capacity = {w: sum(len(s.days) for s in slots if s.week == w) for w in weeks}
    total = sum(capacity.values())
    result: list[tuple[list[_Batch], list[_Slot]]] = []
    week_index = 0
    placed = 0
    used_capacity = 0
    for part in range(parts):
        target = total * (part + 1) / parts
        chunk_weeks: list[int] = []
        while week_index < len(weeks) and (
            used_capacity + capacity[weeks[week_index]] <= target + 1e-9 or not chunk_weeks
        ):
            chunk_weeks.append(weeks[week_index])
            used_capacity += capacity[weeks[week_index]]
            week_index += 1
        if part == parts - 1:
            chunk_weeks += weeks[week_index:]
            week_index = len(weeks)
        share = round(len(batches) * used_capacity / total) if part < parts - 1 else len(batches)
        chunk_slots = [s for s in slots if s.week in chunk_weeks]
        if chunk_slots and share > placed:
            result.append((batches[placed:share], chunk_slots))
            placed = share
    return result


def _eligible(member: Member, batch_or_agency: str, parent: str | None) -> bool:
    return not conflicted(member, batch_or_agency, parent)


def _precheck(
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


def _batch_ok(batch: _Batch, members: list[Member], request: PlanInput) -> bool:
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


def _batches(
    request: PlanInput,
    members: list[Member],
    initiatives: list[PoolInitiative],
    settings: PlannerSettings,
) -> list[_Batch]:
    by_cluster: dict[str, list[PoolInitiative]] = defaultdict(list)
    for initiative in initiatives:
        by_cluster[request.cluster_of(initiative.agency_code) or CITY_CLUSTER].append(initiative)
    batches: list[_Batch] = []
    size = settings.max_visits_per_day
    for cluster in sorted(by_cluster):
        group = sorted(
            by_cluster[cluster], key=lambda i: (i.agency_code, i.par_area, str(i.initiative_id))
        )
        for start in range(0, len(group), size):
            batch = _Batch(cluster, tuple(group[start : start + size]))
            if _batch_ok(batch, members, request):
                batches.append(batch)
            else:  # the union of conflicts leaves no team: survey these apart
                batches.extend(_Batch(cluster, (i,)) for i in batch.initiatives)
    return batches


def _slots(days: list[date], members: list[Member], batches: list[_Batch]) -> list[_Slot]:
    weeks: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day in days:
        iso = day.isocalendar()
        weeks[(iso.year, iso.week)].append(day)
    heads = sum(1 for m in members if m.may_head)
    lanes_needed = math.ceil(len(batches) / max(1, len(days)))
    lanes = max(1, min(heads, lanes_needed + 1, len(members)))
    slots: list[_Slot] = []
    for index, key in enumerate(sorted(weeks)):
        for lane in range(lanes):
            slots.append(_Slot(index, lane, tuple(weeks[key])))
    return slots


class _Model:
    def __init__(
        self,
        batches: list[_Batch],
        slots: list[_Slot],
        members: list[Member],
        unavailable: Mapping[str, frozenset[date]],
        request: PlanInput,
        settings: PlannerSettings,
        base_load: Sequence[int],
        *,
        diagnose: bool = False,
    ) -> None:
        self.batches, self.slots, self.members = batches, slots, members
        model = self.model = cp_model.CpModel()
        self.families: dict[Rule, cp_model.IntVar] = {}

        def family(rule: Rule) -> list[cp_model.IntVar]:
            if not diagnose:
                return []
            if rule not in self.families:
                self.families[rule] = model.new_bool_var(f"rule_{rule.value}")
            return [self.families[rule]]

        B, S, M = range(len(batches)), range(len(slots)), range(len(members))
        self.b = {(k, r): model.new_bool_var(f"b{k}_{r}") for k in B for r in S}
        self.z = {(m, r): model.new_bool_var(f"z{m}_{r}") for m in M for r in S}
        self.h = {
            (m, r): model.new_bool_var(f"h{m}_{r}") for m in M for r in S if members[m].may_head
        }
        secretaries = [m for m in M if members[m].may_be_secretary]
        self.s = {(m, r): model.new_bool_var(f"s{m}_{r}") for m in secretaries for r in S}
        self.used = [model.new_bool_var(f"used{r}") for r in S]

        for k in B:
            model.add_exactly_one(self.b[k, r] for r in S)
        for r in S:
            slot = slots[r]
            assigned = [self.b[k, r] for k in B]
            for literal in assigned:
                model.add_implication(literal, self.used[r])
            model.add_bool_or([*assigned, self.used[r].Not()])
            # Capacity: one batch a day, on days the whole team is free (linear bound).
            penalties = []
            for m in M:
                busy_days = sum(1 for d in slot.days if d in unavailable[members[m].member_id])
                if busy_days:
                    penalties.append(busy_days * self.z[m, r])
            model.add(sum(assigned) + sum(penalties) <= len(slot.days)).only_enforce_if(
                family(Rule.MEMBER_UNAVAILABLE)
            )
            model.add(sum(assigned) <= len(slot.days))
            # The team: one head, a secretary when the roster has one, a bounded size.
            heads = [self.h[m, r] for m in M if (m, r) in self.h]
            model.add(sum(heads) == self.used[r]).only_enforce_if(family(Rule.TEAM_HEAD))
            if secretaries:
                model.add(sum(self.s[m, r] for m in secretaries) == self.used[r])
            for m in M:
                if (m, r) in self.h:
                    model.add_implication(self.h[m, r], self.z[m, r])
                if (m, r) in self.s:
                    model.add_implication(self.s[m, r], self.z[m, r])
                    if (m, r) in self.h:
                        model.add_bool_or([self.h[m, r].Not(), self.s[m, r].Not()])
                model.add_implication(self.z[m, r], self.used[r])
            size = sum(self.z[m, r] for m in M)
            model.add(size >= settings.min_team_size * self.used[r])
            model.add(size <= settings.max_team_size * self.used[r])
            # Symmetry: lanes of a week are filled in order, and the first lane's weeks
            # from the start of the period (survey early rather than leave gaps).
            if slot.lane > 0:
                model.add_implication(self.used[r], self.used[r - 1])
            else:
                earlier = [q for q in S if slots[q].lane == 0 and slots[q].week < slot.week]
                if earlier:
                    model.add_implication(self.used[r], self.used[earlier[-1]])
        # Expertise covers every batch's areas; nobody surveys their own agency or district.
        areas = sorted({a for batch in batches for a in batch.areas})
        cover = {(r, a): model.new_bool_var(f"cover{r}_{a}") for r in S for a in areas}
        for r in S:
            for area in areas:
                experts = [self.z[m, r] for m in M if members[m].knows(area)]
                model.add(sum(experts) >= cover[r, area]).only_enforce_if(
                    family(Rule.EXPERTISE_COVERAGE)
                )
        for k, batch in enumerate(batches):
            barred = [
                m
                for m in M
                if any(
                    conflicted(members[m], i.agency_code, request.parent_district(i.agency_code))
                    for i in batch.initiatives
                )
            ]
            for r in S:
                for area in sorted(batch.areas):
                    model.add_implication(self.b[k, r], cover[r, area])
                for m in barred:
                    model.add_bool_or([self.b[k, r].Not(), self.z[m, r].Not()]).only_enforce_if(
                        family(Rule.CONFLICT_OF_INTEREST)
                    )
        # Nobody in two teams in the same week.
        by_week: dict[int, list[int]] = defaultdict(list)
        for r in S:
            by_week[slots[r].week].append(r)
        for m in M:
            for rounds in by_week.values():
                if len(rounds) > 1:
                    model.add_at_most_one(self.z[m, r] for r in rounds).only_enforce_if(
                        family(Rule.MEMBER_DOUBLE_BOOKED)
                    )
        # Load: visits each member surveys.
        total = sum(b.size for b in batches) + max(base_load, default=0)
        cap = max(1, len(slots[0].days) if slots else 1) * settings.max_visits_per_day
        cap = max(cap, max((len(s.days) for s in slots), default=1) * settings.max_visits_per_day)
        visits_in = [sum(batches[k].size * self.b[k, r] for k in B) for r in S]
        loads = []
        for m in M:
            parts = []
            for r in S:
                part = model.new_int_var(0, cap, f"c{m}_{r}")
                model.add(part == visits_in[r]).only_enforce_if(self.z[m, r])
                model.add(part == 0).only_enforce_if(self.z[m, r].Not())
                parts.append(part)
            load = model.new_int_var(0, total, f"load{m}")
            model.add(load == base_load[m] + sum(parts))
            loads.append(load)
        self.loads = loads
        high = model.new_int_var(0, total, "max_load")
        low = model.new_int_var(0, total, "min_load")
        model.add_max_equality(high, loads)
        model.add_min_equality(low, loads)
        model.minimize(50 * sum(self.used) + 5 * (high - low) + sum(self.z.values()))
        if diagnose:
            model.add_assumptions(list(self.families.values()))

    def solve(self, settings: PlannerSettings, budget: float) -> tuple[Any, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = settings.seed
        solver.parameters.max_deterministic_time = budget
        solver.parameters.max_time_in_seconds = budget * 3 + 5
        return solver.solve(self.model), solver

    def explain(self, settings: PlannerSettings, budget: float) -> PlanInfeasible:
        status, solver = self.solve(settings, budget)
        rules = [
            rule
            for rule, literal in self.families.items()
            if status == cp_model.INFEASIBLE
            and literal.index in set(solver.sufficient_assumptions_for_infeasibility())
        ]
        rule = rules[0] if rules else Rule.MAX_VISITS_PER_DAY
        names = ", ".join(r.value for r in rules) or rule.value
        return PlanInfeasible(
            rule,
            f"Không thể lập kế hoạch thỏa mãn các quy tắc: {names}",
            f"no plan satisfies the rule(s): {names}",
        )

    def extract(
        self,
        solver: cp_model.CpSolver,
        unavailable: Mapping[str, frozenset[date]],
        settings: PlannerSettings,
    ) -> list[ProposedRound]:
        rounds: list[ProposedRound] = []
        for r, slot in enumerate(self.slots):
            if not solver.boolean_value(self.used[r]):
                continue
            chosen = [m for m in range(len(self.members)) if solver.boolean_value(self.z[m, r])]
            team: list[Seat] = []
            for m in chosen:
                role = TeamRole.MEMBER
                if (m, r) in self.h and solver.boolean_value(self.h[m, r]):
                    role = TeamRole.HEAD
                elif (m, r) in self.s and solver.boolean_value(self.s[m, r]):
                    role = TeamRole.SECRETARY
                team.append(Seat(self.members[m].member_id, role))
            order = {TeamRole.HEAD: 0, TeamRole.MEMBER: 1, TeamRole.SECRETARY: 2}
            team.sort(key=lambda seat: (order[seat.role], seat.member_id))
            batches = sorted(
                (
                    self.batches[k]
                    for k in range(len(self.batches))
                    if solver.boolean_value(self.b[k, r])
                ),
                key=lambda b: (b.cluster, b.initiatives[0].agency_code),
            )
            free_days = [
                d
                for d in slot.days
                if all(d not in unavailable[self.members[m].member_id] for m in chosen)
            ]
            visits: list[Visit] = []
            for day, batch in zip(free_days, batches, strict=False):
                for index, initiative in enumerate(batch.initiatives):
                    visits.append(
                        Visit(
                            visit_id=uuid.uuid5(
                                _VISIT_NAMESPACE, f"{initiative.initiative_id}:{settings.seed}"
                            ),
                            initiative_id=initiative.initiative_id,
                            agency_code=initiative.agency_code,
                            date=day,
                            starts_at=settings.start_time(index),
                        )
                    )
            if len(batches) > len(free_days):  # guarded by the capacity bound
                raise AssertionError("capacity bound violated")
            rounds.append(ProposedRound(team, visits))
        return rounds


def _metrics(
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


def next_working_day(calendar: WorkingCalendar, day: date) -> date:
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


__all__ = [
    "PlanInfeasible",
    "PlanInput",
    "PlanMetrics",
    "PlanResult",
    "PlannerSettings",
    "ProposedRound",
    "plan",
]
_ = UUID
