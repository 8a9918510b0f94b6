"""Repairing rounds already planned (and perhaps notified) after the input changed: an
initiative withdrawn, a member newly unavailable or gone, a day cancelled, a late initiative.

Every round keeps its week and, as far as it can, its visits and its team. A small CP-SAT model
chooses, for each visit of the rounds under repair, a day of its round's week (or no day: it
then goes to a new round), and each round's team; its objective is lexicographic: fewest
visits moved first, then fewest people to re-notify (the team of every changed round, the
members added, the agencies whose visit moves), then few seats. Visits that fit nowhere, and
late initiatives that no round takes without re-notifying anyone, are planned as new rounds by
the planner. The result says what changes, round by round, before anything is confirmed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from uuid import UUID

from ortools.sat.python import cp_model

from cchc_scheduling.domain.model import (
    Member,
    PoolInitiative,
    Round,
    RoundStatus,
    Seat,
    TeamRole,
    Visit,
)
from cchc_scheduling.domain.planner.model import visit_id_for
from cchc_scheduling.domain.planner.planning import plan
from cchc_scheduling.domain.planner.request import PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import PlanInfeasible, ProposedRound
from cchc_scheduling.domain.rules import Rule, conflicted

# Lexicographic weights: a moved visit outweighs any number of people told, who outweigh seats.
_MOVE = 1_000_000
_PERSON = 1_000
_SEAT = 1
_LATE_LEFT = 60  # a late initiative left to a new round: about a round's share of the objective


@dataclass(frozen=True)
class VisitMove:
    visit_id: UUID
    initiative_id: UUID
    agency_code: str
    round_id: UUID
    from_date: date
    from_time: time
    to_date: date | None  # None: the visit goes to a new round
    to_time: time | None


@dataclass(frozen=True)
class RoundChange:
    """What the repair does to one existing round: ``action`` is ``keep``, ``edit`` (a draft),
    ``reschedule`` (a confirmed round, announced) or ``cancel`` (no visit left)."""

    round_id: UUID
    status: RoundStatus
    version: int
    action: str
    team: list[Seat]
    visits: list[Visit]
    members_added: list[str]
    members_removed: list[str]
    notify: list[str]  # members to re-notify


@dataclass(frozen=True)
class Repair:
    changes: list[RoundChange]
    new_rounds: list[ProposedRound]
    moved: list[VisitMove]
    dropped: list[Visit]  # visits of initiatives no longer in the pool
    added: list[UUID]  # late initiatives placed in existing rounds
    agencies_to_notify: list[str] = field(default_factory=list)
    proven: bool = False  # the search proved no repair moves fewer visits or tells fewer

    def rounds_after(self) -> list[ProposedRound]:
        """Every round once the repair is confirmed: the changed ones and the new ones."""
        kept = [ProposedRound(c.team, c.visits) for c in self.changes if c.action != "cancel"]
        return [*kept, *self.new_rounds]

    @property
    def people_to_notify(self) -> list[str]:
        return sorted({m for c in self.changes for m in c.notify})


def _week(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(5)]


def repair(
    rounds: Sequence[Round],
    others: Iterable[Round],
    late: Sequence[PoolInitiative],
    request: PlanInput,
    settings: PlannerSettings,
    cancelled_days: frozenset[date] = frozenset(),
) -> Repair:
    """Repair ``rounds`` around the ``others`` (kept as they are), placing the ``late``
    initiatives too. ``request`` carries the roster, the pool and the calendar as they are now."""
    members = sorted((m for m in request.members if m.active), key=lambda m: m.member_id)
    index = {m.member_id: i for i, m in enumerate(members)}
    pool = {i.initiative_id: i for i in request.initiatives if i.in_pool}
    others = [o for o in others if o.is_active]
    busy: dict[str, set[date]] = defaultdict(set)
    for other in others:
        for member_id in other.member_ids():
            busy[member_id].update(v.date for v in other.visits)

    def off(m: int, day: date) -> bool:
        member = members[m]
        return (
            day in member.unavailable
            or day in busy[member.member_id]
            or day in request.busy.get(member.member_id, frozenset())
        )

    def open_day(day: date) -> bool:
        return (
            day not in cancelled_days
            and request.calendar.is_working_day(day)
            and request.window.contains(day)
            and (request.last_day is None or day <= request.last_day)
            and (request.first_day is None or day >= request.first_day)
        )

    model = cp_model.CpModel()
    M = range(len(members))
    dropped = [v for r in rounds for v in r.visits if v.initiative_id not in pool]
    kept = [[v for v in r.visits if v.initiative_id in pool] for r in rounds]
    days = [sorted({d for v in r.visits for d in _week(v.date) if open_day(d)}) for r in rounds]
    # x[(kind, key, r, day)]: the visit (kind "v": existing, index j in round r0; kind "n": late
    # initiative) on that day of round r.
    place: dict[tuple[str, int, int, int, date], cp_model.IntVar] = {}
    left: dict[tuple[str, int, int], cp_model.IntVar] = {}
    z = {(m, r): model.new_bool_var(f"z{m}_{r}") for m in M for r in range(len(rounds))}
    h = {(m, r): model.new_bool_var(f"h{m}_{r}") for m in M for r in range(len(rounds))}
    s = {(m, r): model.new_bool_var(f"s{m}_{r}") for m in M for r in range(len(rounds))}
    objective: list[cp_model.LinearExprT] = []
    changed = [model.new_bool_var(f"changed{r}") for r in range(len(rounds))]

    def barred(agency: str) -> list[int]:
        parent = request.parent_district(agency)
        return [m for m in M if conflicted(members[m], agency, parent)]

    placed_in: dict[int, list[tuple[cp_model.IntVar, str, str]]] = defaultdict(list)
    on_day: dict[tuple[int, date], list[cp_model.IntVar]] = defaultdict(list)
    for r, visits in enumerate(kept):
        for j, visit in enumerate(visits):
            initiative = pool[visit.initiative_id]
            key = ("v", r, j)
            left[key] = model.new_bool_var(f"left_v{r}_{j}")
            literals = [left[key]]
            for day in days[r]:
                x = place[("v", r, j, r, day)] = model.new_bool_var(f"x{r}_{j}_{day}")
                literals.append(x)
                on_day[r, day].append(x)
                placed_in[r].append((x, initiative.agency_code, initiative.par_area))
                for m in M:
                    if off(m, day):
                        model.add_bool_or([x.Not(), z[m, r].Not()])
                if day != visit.date:
                    objective.append(_MOVE * x)
                    model.add_implication(x, changed[r])
            model.add_exactly_one(literals)
            objective.append(_MOVE * left[key])
            model.add_implication(left[key], changed[r])
    for n, initiative in enumerate(late):
        key = ("n", n, 0)
        left[key] = model.new_bool_var(f"left_n{n}")
        literals = [left[key]]
        for r in range(len(rounds)):
            for day in days[r]:
                x = place[("n", n, 0, r, day)] = model.new_bool_var(f"late{n}_{r}_{day}")
                literals.append(x)
                on_day[r, day].append(x)
                placed_in[r].append((x, initiative.agency_code, initiative.par_area))
                model.add_implication(x, changed[r])
                for m in M:
                    if off(m, day):
                        model.add_bool_or([x.Not(), z[m, r].Not()])
        model.add_exactly_one(literals)
        objective.append(_LATE_LEFT * left[key])
    for literals in on_day.values():
        model.add(sum(literals) <= settings.max_visits_per_day)
    for r, round_ in enumerate(rounds):
        before = {seat.member_id: seat.role for seat in round_.team}
        had_secretary = TeamRole.SECRETARY in before.values()
        for x, agency, area in placed_in[r]:
            for m in barred(agency):
                model.add_bool_or([x.Not(), z[m, r].Not()])
            experts = [z[m, r] for m in M if members[m].knows(area)]
            model.add(sum(experts) >= 1).only_enforce_if(x)
        for m in M:
            model.add_implication(h[m, r], z[m, r])
            model.add_implication(s[m, r], z[m, r])
            model.add_bool_or([h[m, r].Not(), s[m, r].Not()])
            if not members[m].may_head:
                model.add(h[m, r] == 0)
            if not members[m].may_be_secretary:
                model.add(s[m, r] == 0)
            was = members[m].member_id in before
            if was:
                # Leaving the team, or changing role, changes the round.
                model.add_implication(z[m, r].Not(), changed[r])
                role = before[members[m].member_id]
                if role is TeamRole.HEAD:
                    model.add_bool_or([h[m, r], changed[r]])
                elif role is TeamRole.SECRETARY:
                    model.add_bool_or([s[m, r], changed[r]])
                else:
                    model.add_bool_or([h[m, r].Not(), changed[r]])
                    model.add_bool_or([s[m, r].Not(), changed[r]])
                objective.append(_PERSON * (1 - z[m, r]))  # removed: told so
            else:
                model.add_implication(z[m, r], changed[r])
                objective.append(_PERSON * z[m, r])  # added: told so
            objective.append(_SEAT * z[m, r])
        any_visit = [x for x, _, _ in placed_in[r]]
        used = model.new_bool_var(f"used{r}")
        model.add_max_equality(used, any_visit) if any_visit else model.add(used == 0)
        model.add(sum(h[m, r] for m in M) == used)
        if had_secretary and any(m.may_be_secretary for m in members):
            model.add(sum(s[m, r] for m in M) == used)
        size = sum(z[m, r] for m in M)
        model.add(size <= settings.max_team_size * used)
        model.add(size >= min(settings.min_team_size, len(before)) * used)
        # The rest of a changed round's team is told too.
        staying = sum(1 for member_id in before if member_id in index)
        objective.append(_PERSON * staying * changed[r])
    # Nobody in two rounds under repair on the same day.
    for m in M:
        for r1 in range(len(rounds)):
            for r2 in range(r1 + 1, len(rounds)):
                if set(days[r1]) & set(days[r2]):
                    model.add_bool_or([z[m, r1].Not(), z[m, r2].Not()])
    # Start from the rounds as they are (every kept visit on its day, the team unchanged).
    for (kind, a, b, _, day), x in place.items():
        model.add_hint(x, kind == "v" and kept[a][b].date == day)
    for (m, r), literal in z.items():
        model.add_hint(literal, members[m].member_id in rounds[r].member_ids())
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.seed
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise PlanInfeasible(
            Rule.MEMBER_UNAVAILABLE,
            "Không tìm được cách điều chỉnh các đợt khảo sát trong thời gian cho phép",
            f"no repair of the rounds found ({solver.status_name(status)})",
            initiative_ids=[v.initiative_id for vs in kept for v in vs],
        )
    found = _read(
        solver,
        rounds,
        kept,
        late,
        members,
        place,
        left,
        (z, h, s),
        settings,
        dropped,
        request,
        cancelled_days,
    )
    return replace(found, proven=status == cp_model.OPTIMAL)


_Seats = Mapping[tuple[int, int], cp_model.IntVar]


def _read(
    solver: cp_model.CpSolver,
    rounds: Sequence[Round],
    kept: list[list[Visit]],
    late: Sequence[PoolInitiative],
    members: list[Member],
    place: Mapping[tuple[str, int, int, int, date], cp_model.IntVar],
    left: Mapping[tuple[str, int, int], cp_model.IntVar],
    seats: tuple[_Seats, _Seats, _Seats],
    settings: PlannerSettings,
    dropped: list[Visit],
    request: PlanInput,
    cancelled_days: frozenset[date],
) -> Repair:
    z, h, s = seats

    per_round: dict[int, list[tuple[Visit, bool]]] = defaultdict(list)  # (visit, moved)
    moved: list[VisitMove] = []
    added: list[UUID] = []
    leftovers: list[PoolInitiative] = []
    pool = {i.initiative_id: i for i in request.initiatives}
    for (kind, a, b, r, day), x in place.items():
        if not solver.boolean_value(x):
            continue
        if kind == "v":
            visit = kept[a][b]
            per_round[r].append((replace(visit, date=day), day != visit.date))
        else:
            initiative = late[a]
            added.append(initiative.initiative_id)
            per_round[r].append(
                (
                    Visit(
                        visit_id_for(initiative.initiative_id, settings.seed),
                        initiative.initiative_id,
                        initiative.agency_code,
                        day,
                        settings.start_time(0),
                    ),
                    True,
                )
            )
    for (kind, a, b), literal in left.items():
        if solver.boolean_value(literal):
            if kind == "v":
                leftovers.append(pool[kept[a][b].initiative_id])
            else:
                leftovers.append(late[a])
    changes: list[RoundChange] = []
    for r, round_ in enumerate(rounds):
        team = []
        for m, member in enumerate(members):
            if solver.boolean_value(z[m, r]):
                role = (
                    TeamRole.HEAD
                    if solver.boolean_value(h[m, r])
                    else TeamRole.SECRETARY
                    if solver.boolean_value(s[m, r])
                    else TeamRole.MEMBER
                )
                team.append(Seat(member.member_id, role))
        order = {TeamRole.HEAD: 0, TeamRole.MEMBER: 1, TeamRole.SECRETARY: 2}
        team.sort(key=lambda seat: (order[seat.role], seat.member_id))
        visits = _times(per_round[r], settings)
        for visit in visits:
            original = next((v for v in round_.visits if v.visit_id == visit.visit_id), None)
            if original is not None and (original.date, original.starts_at) != (
                visit.date,
                visit.starts_at,
            ):
                moved.append(
                    VisitMove(
                        visit.visit_id,
                        visit.initiative_id,
                        visit.agency_code,
                        round_.round_id,
                        original.date,
                        original.starts_at,
                        visit.date,
                        visit.starts_at,
                    )
                )
        before = set(round_.member_ids())
        after = {seat.member_id for seat in team}
        same = sorted(round_.visits, key=lambda v: v.visit_id) == sorted(
            visits, key=lambda v: v.visit_id
        ) and sorted(round_.team, key=lambda t: t.member_id) == sorted(
            team, key=lambda t: t.member_id
        )
        if same:
            action = "keep"
        elif not visits:
            action = "cancel"
        elif round_.status is RoundStatus.CONFIRMED:
            action = "reschedule"
        else:
            action = "edit"
        notify = (
            []
            if action == "keep" or round_.status is not RoundStatus.CONFIRMED
            else sorted(before | after)
        )
        changes.append(
            RoundChange(
                round_.round_id,
                round_.status,
                round_.version,
                action,
                team if visits else list(round_.team),
                visits,
                sorted(after - before),
                sorted(before - after),
                notify,
            )
        )
    for visit in (v for vs in kept for v in vs):
        if pool[visit.initiative_id] in leftovers:
            round_id = next(r.round_id for r in rounds if visit in r.visits)
            moved.append(
                VisitMove(
                    visit.visit_id,
                    visit.initiative_id,
                    visit.agency_code,
                    round_id,
                    visit.date,
                    visit.starts_at,
                    None,
                    None,
                )
            )
    new_rounds: list[ProposedRound] = []
    if leftovers:
        taken: dict[str, set[date]] = defaultdict(set)
        for change in changes:
            for seat in change.team:
                taken[seat.member_id].update(v.date for v in change.visits)
        for member_id, booked in request.busy.items():
            taken[member_id].update(booked)
        for member in members:  # nobody surveys on a cancelled day
            taken[member.member_id].update(cancelled_days)
        result = plan(
            replace(
                request,
                initiatives=leftovers,
                busy={k: frozenset(v) for k, v in taken.items()},
            ),
            settings,
        )
        new_rounds = result.rounds
    agencies = sorted({m.agency_code for m in moved} | {pool[i].agency_code for i in added})
    return Repair(changes, new_rounds, moved, dropped, added, agencies)


def _times(placed: list[tuple[Visit, bool]], settings: PlannerSettings) -> list[Visit]:
    """Kept visits keep their start time; a visit that moved takes the day's first free one."""
    by_day: dict[date, list[tuple[Visit, bool]]] = defaultdict(list)
    for visit, moved in placed:
        by_day[visit.date].append((visit, moved))
    result: list[Visit] = []
    for day in sorted(by_day):
        stays = [v for v, moved in by_day[day] if not moved]
        taken = {v.starts_at for v in stays}
        result.extend(stays)
        index = 0
        for visit, moved in sorted(by_day[day], key=lambda p: str(p[0].visit_id)):
            if not moved:
                continue
            while settings.start_time(index) in taken:
                index += 1
            start = settings.start_time(index)
            taken.add(start)
            result.append(replace(visit, starts_at=start))
    return sorted(result, key=lambda v: (v.date, v.starts_at))
