"""The CP-SAT model: every day batch in a slot, each used slot's team chosen, every rule of
``domain.rules`` a hard constraint; then each round's batches on its team's free days.

Batches that no constraint tells apart (the same size, PAR areas and barred members) are one
*kind*: the model counts how many batches of each kind a slot takes instead of placing each
batch, which removes the symmetry between interchangeable batches and shrinks the model several
times over; the batches themselves are dealt out to the slots afterwards."""

from __future__ import annotations

import threading
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ortools.sat.python import cp_model

from cchc_scheduling.domain.model import Member, Seat, TeamRole, Visit
from cchc_scheduling.domain.planner.batches import Batch, Slot
from cchc_scheduling.domain.planner.request import PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import (
    ROUND_WEIGHT,
    SPREAD_WEIGHT,
    PlanInfeasible,
    PlanProgress,
    ProposedRound,
)
from cchc_scheduling.domain.rules import Rule, conflicted

_VISIT_NAMESPACE = uuid.UUID("6f1c1b1e-8a43-4a57-9d0e-5c2f2f6a7c11")


class _Values(Protocol):
    """What reads a solution: the solver after the search, or its callback during it."""

    def boolean_value(self, literal: cp_model.IntVar) -> bool: ...
    def value(self, expression: cp_model.IntVar) -> int: ...


@dataclass(frozen=True)
class Kind:
    """Batches the constraints cannot tell apart."""

    size: int
    areas: frozenset[str]
    barred: frozenset[int]  # members (indices) who may not survey any of its agencies


@dataclass(frozen=True)
class Team:
    """A round's team as the greedy start chose it: member indices and the head's, the
    secretary's (or None)."""

    members: tuple[int, ...]
    head: int
    secretary: int | None


def barred_members(batch: Batch, members: Sequence[Member], request: PlanInput) -> frozenset[int]:
    return frozenset(
        m
        for m, member in enumerate(members)
        if any(
            conflicted(member, i.agency_code, request.parent_district(i.agency_code))
            for i in batch.initiatives
        )
    )


class PlanModel:
    def __init__(
        self,
        batches: list[Batch],
        slots: list[Slot],
        members: list[Member],
        unavailable: Mapping[str, frozenset[date]],
        request: PlanInput,
        settings: PlannerSettings,
        *,
        diagnose: bool = False,
    ) -> None:
        self.batches, self.slots, self.members = batches, slots, members
        self.settings = settings
        model = self.model = cp_model.CpModel()
        self.families: dict[Rule, cp_model.IntVar] = {}

        def family(rule: Rule) -> list[cp_model.IntVar]:
            if not diagnose:
                return []
            if rule not in self.families:
                self.families[rule] = model.new_bool_var(f"rule_{rule.value}")
            return [self.families[rule]]

        kinds: dict[Kind, list[int]] = defaultdict(list)
        for k, batch in enumerate(batches):
            kinds[Kind(batch.size, batch.areas, barred_members(batch, members, request))].append(k)
        self.kinds = sorted(kinds, key=lambda kind: min(kinds[kind]))
        self.of_kind = [kinds[kind] for kind in self.kinds]
        self.kind_of = {k: t for t, ks in enumerate(self.of_kind) for k in ks}

        T, S, M = range(len(self.kinds)), range(len(slots)), range(len(members))
        self.busy = [
            [sum(1 for d in slot.days if d in unavailable[members[m].member_id]) for m in M]
            for slot in slots
        ]
        most = {(t, r): min(len(self.of_kind[t]), len(slots[r].days)) for t in T for r in S}
        self.n = {(t, r): model.new_int_var(0, most[t, r], f"n{t}_{r}") for t in T for r in S}
        self.takes = {(t, r): model.new_bool_var(f"takes{t}_{r}") for t in T for r in S}
        self.z = {(m, r): model.new_bool_var(f"z{m}_{r}") for m in M for r in S}
        self.h = {
            (m, r): model.new_bool_var(f"h{m}_{r}") for m in M for r in S if members[m].may_head
        }
        secretaries = [m for m in M if members[m].may_be_secretary]
        self.s = {(m, r): model.new_bool_var(f"s{m}_{r}") for m in secretaries for r in S}
        self.used = [model.new_bool_var(f"used{r}") for r in S]

        for t in T:
            model.add(sum(self.n[t, r] for r in S) == len(self.of_kind[t]))
            for r in S:
                model.add(self.n[t, r] <= most[t, r] * self.takes[t, r])
                model.add(self.n[t, r] >= self.takes[t, r])
        for r in S:
            slot = slots[r]
            assigned = [self.n[t, r] for t in T]
            for t in T:
                model.add_implication(self.takes[t, r], self.used[r])
            model.add_bool_or([*(self.takes[t, r] for t in T), self.used[r].Not()])
            # Capacity: one batch a day, on days the whole team is free (linear bound).
            penalties = [self.busy[r][m] * self.z[m, r] for m in M if self.busy[r][m]]
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
            # Symmetry: the lanes of a week are alike, so they are used in order.
            if slot.lane > 0:
                model.add_implication(self.used[r], self.used[r - 1])
        # Redundant: enough rounds for the batches (the LP bound on rounds used).
        most_days = max(len(s.days) for s in slots)
        model.add(sum(self.used) * most_days >= len(batches))
        # Expertise covers every kind's areas; nobody surveys their own agency or district.
        areas = sorted({a for kind in self.kinds for a in kind.areas})
        cover = {(r, a): model.new_bool_var(f"cover{r}_{a}") for r in S for a in areas}
        for r in S:
            for area in areas:
                experts = [self.z[m, r] for m in M if members[m].knows(area)]
                model.add(sum(experts) >= cover[r, area]).only_enforce_if(
                    family(Rule.EXPERTISE_COVERAGE)
                )
        self.cover = cover
        for t, kind in enumerate(self.kinds):
            for r in S:
                for area in sorted(kind.areas):
                    model.add_implication(self.takes[t, r], cover[r, area])
                for m in sorted(kind.barred):
                    model.add_bool_or([self.takes[t, r].Not(), self.z[m, r].Not()]).only_enforce_if(
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
        total = sum(b.size for b in batches)
        visits_in = [sum(kind.size * self.n[t, r] for t, kind in enumerate(self.kinds)) for r in S]
        self.part: dict[tuple[int, int], cp_model.IntVar] = {}
        loads = []
        for m in M:
            for r in S:
                cap = len(slots[r].days) * settings.max_visits_per_day
                part = self.part[m, r] = model.new_int_var(0, cap, f"c{m}_{r}")
                model.add(part == visits_in[r]).only_enforce_if(self.z[m, r])
                model.add(part == 0).only_enforce_if(self.z[m, r].Not())
            load = model.new_int_var(0, total, f"load{m}")
            model.add(load == sum(self.part[m, r] for r in S))
            loads.append(load)
        self.loads = loads
        self.high = model.new_int_var(0, total, "max_load")
        self.low = model.new_int_var(0, total, "min_load")
        model.add_max_equality(self.high, loads)
        model.add_min_equality(self.low, loads)
        model.minimize(
            ROUND_WEIGHT * sum(self.used)
            + SPREAD_WEIGHT * (self.high - self.low)
            + sum(self.z.values())
        )
        if diagnose:
            model.add_assumptions(list(self.families.values()))

    # -- the greedy start ----------------------------------------------------------------

    def hint(self, placement: Mapping[int, tuple[Team, list[int]]]) -> None:
        """Hint a complete solution (slot -> team and batches), the greedy start's."""
        model, M = self.model, range(len(self.members))
        loads = [0] * len(self.members)
        for r in range(len(self.slots)):
            team, chosen = placement.get(r, (None, []))
            counts = [0] * len(self.kinds)
            for k in chosen:
                counts[self.kind_of[k]] += 1
            model.add_hint(self.used[r], team is not None)
            for t, count in enumerate(counts):
                model.add_hint(self.n[t, r], count)
                model.add_hint(self.takes[t, r], count > 0)
            visits = sum(self.batches[k].size for k in chosen)
            members = set(team.members) if team else set()
            for m in M:
                model.add_hint(self.z[m, r], m in members)
                model.add_hint(self.part[m, r], visits if m in members else 0)
                loads[m] += visits if m in members else 0
                if (m, r) in self.h:
                    model.add_hint(self.h[m, r], team is not None and team.head == m)
                if (m, r) in self.s:
                    model.add_hint(self.s[m, r], team is not None and team.secretary == m)
            covered = {a for m in members for a in self.members[m].expertise}
            for (q, area), literal in self.cover.items():
                if q == r:
                    model.add_hint(literal, area in covered)
        for m in M:
            model.add_hint(self.loads[m], loads[m])
        model.add_hint(self.high, max(loads, default=0))
        model.add_hint(self.low, min(loads, default=0))

    # -- solving -------------------------------------------------------------------------

    def solver(self, budget: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        settings = self.settings
        solver.parameters.num_workers = settings.workers
        solver.parameters.random_seed = settings.seed
        if settings.workers == 1:
            # One worker and a deterministic budget: the same input and seed, the same plan.
            solver.parameters.max_deterministic_time = budget
            solver.parameters.max_time_in_seconds = budget * 3 + 5
        else:
            solver.parameters.max_time_in_seconds = budget
        return solver

    def solve(
        self,
        budget: float,
        *,
        started: float,
        on_solution: Callable[[PlanProgress], None] | None = None,
        stop: threading.Event | None = None,
        unavailable: Mapping[str, frozenset[date]] | None = None,
    ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        """Search within ``budget`` seconds; report each improved plan to ``on_solution``;
        end early when ``stop`` is set."""
        solver = self.solver(budget)
        callback = None
        if on_solution is not None:
            assert unavailable is not None
            callback = _Reporter(self, unavailable, started, on_solution)
        finished = threading.Event()
        watcher = None
        if stop is not None:

            def watch() -> None:
                while not finished.wait(0.05):
                    if stop.is_set():
                        solver.stop_search()
                        return

            watcher = threading.Thread(target=watch, name="planner-stop", daemon=True)
            watcher.start()
        try:
            status = solver.solve(self.model, callback)
        finally:
            finished.set()
            if watcher is not None:
                watcher.join()
        return status, solver

    def explain(self, budget: float) -> PlanInfeasible:
        status, solver = self.solve(budget, started=clock.perf_counter())
        rules = [
            rule
            for rule, literal in self.families.items()
            if status == cp_model.INFEASIBLE
            and literal.index in set(solver.sufficient_assumptions_for_infeasibility())
        ]
        rule = rules[0] if rules else Rule.MAX_VISITS_PER_DAY
        names = ", ".join(r.value for r in rules) or rule.value
        members = self._members_behind(rules)
        return PlanInfeasible(
            rule,
            f"Không thể lập kế hoạch thỏa mãn các quy tắc: {names}",
            f"no plan satisfies the rule(s): {names}",
            initiative_ids=[]
            if members
            else [i.initiative_id for b in self.batches for i in b.initiatives],
            member_ids=members,
        )

    def initiative_ids(self) -> list[uuid.UUID]:
        return [i.initiative_id for batch in self.batches for i in batch.initiatives]

    def _members_behind(self, rules: Sequence[Rule]) -> list[str]:
        """The members a failed rule concerns: those on leave for unavailability, the
        possible heads for the head rule."""
        found: set[str] = set()
        for rule in rules:
            for m, member in enumerate(self.members):
                if rule is Rule.MEMBER_UNAVAILABLE and any(row[m] for row in self.busy):
                    found.add(member.member_id)
                if rule is Rule.TEAM_HEAD and member.may_head:
                    found.add(member.member_id)
        return sorted(found)

    # -- reading a solution ----------------------------------------------------------------

    def rounds_of(
        self,
        placement: Mapping[int, tuple[Team, list[int]]],
        unavailable: Mapping[str, frozenset[date]],
    ) -> list[ProposedRound]:
        """The greedy start's placement as rounds."""
        rounds: list[ProposedRound] = []
        for r in sorted(placement):
            team, chosen = placement[r]
            seats = [
                Seat(
                    self.members[m].member_id,
                    TeamRole.HEAD
                    if m == team.head
                    else TeamRole.SECRETARY
                    if m == team.secretary
                    else TeamRole.MEMBER,
                )
                for m in team.members
            ]
            rounds.append(self._round(r, seats, [self.batches[k] for k in chosen], unavailable))
        return rounds

    def extract(
        self, values: _Values, unavailable: Mapping[str, frozenset[date]]
    ) -> list[ProposedRound]:
        remaining = [list(ks) for ks in self.of_kind]
        rounds: list[ProposedRound] = []
        for r in range(len(self.slots)):
            if not values.boolean_value(self.used[r]):
                continue
            chosen = [m for m in range(len(self.members)) if values.boolean_value(self.z[m, r])]
            team: list[Seat] = []
            for m in chosen:
                role = TeamRole.MEMBER
                if (m, r) in self.h and values.boolean_value(self.h[m, r]):
                    role = TeamRole.HEAD
                elif (m, r) in self.s and values.boolean_value(self.s[m, r]):
                    role = TeamRole.SECRETARY
                team.append(Seat(self.members[m].member_id, role))
            taken: list[Batch] = []
            for t in range(len(self.kinds)):
                count = values.value(self.n[t, r])
                taken.extend(self.batches[k] for k in remaining[t][:count])
                del remaining[t][:count]
            rounds.append(self._round(r, team, taken, unavailable))
        return rounds

    def _round(
        self,
        r: int,
        team: list[Seat],
        taken: list[Batch],
        unavailable: Mapping[str, frozenset[date]],
    ) -> ProposedRound:
        order = {TeamRole.HEAD: 0, TeamRole.MEMBER: 1, TeamRole.SECRETARY: 2}
        team.sort(key=lambda seat: (order[seat.role], seat.member_id))
        taken.sort(key=lambda b: (b.cluster, b.initiatives[0].agency_code))
        free_days = [
            d
            for d in self.slots[r].days
            if all(d not in unavailable[seat.member_id] for seat in team)
        ]
        if len(taken) > len(free_days):  # guarded by the capacity bound
            raise AssertionError("capacity bound violated")
        return ProposedRound(team, visits_on(free_days, taken, self.settings))


def visit_id_for(initiative_id: uuid.UUID, seed: int) -> uuid.UUID:
    """A planned visit's id: the same initiative and seed, the same id."""
    return uuid.uuid5(_VISIT_NAMESPACE, f"{initiative_id}:{seed}")


def visits_on(
    days: Sequence[date], batches: Sequence[Batch], settings: PlannerSettings
) -> list[Visit]:
    """A round's batches on its days, one batch a day, at the configured start times."""
    visits: list[Visit] = []
    for day, batch in zip(days, batches, strict=False):
        for index, initiative in enumerate(batch.initiatives):
            visits.append(
                Visit(
                    visit_id=visit_id_for(initiative.initiative_id, settings.seed),
                    initiative_id=initiative.initiative_id,
                    agency_code=initiative.agency_code,
                    date=day,
                    starts_at=settings.start_time(index),
                )
            )
    return visits


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        model: PlanModel,
        unavailable: Mapping[str, frozenset[date]],
        started: float,
        on_solution: Callable[[PlanProgress], None],
    ) -> None:
        super().__init__()
        self.plan_model, self.unavailable = model, unavailable
        self.started, self.on_solution = started, on_solution

    def on_solution_callback(self) -> None:
        self.on_solution(
            PlanProgress(
                elapsed_seconds=round(clock.perf_counter() - self.started, 3),
                objective=self.objective_value,
                bound=self.best_objective_bound,
                rounds=self.plan_model.extract(self, self.unavailable),
                source="cp-sat",
            )
        )
