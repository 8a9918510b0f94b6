"""The CP-SAT model: every batch in a slot, each used slot's team chosen, every rule of
``domain.rules`` a hard constraint; then each round's batches on its team's free days."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from cchc_scheduling.domain.model import Member, Seat, TeamRole, Visit
from cchc_scheduling.domain.planner.batches import Batch, Slot
from cchc_scheduling.domain.planner.request import PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import PlanInfeasible, ProposedRound
from cchc_scheduling.domain.rules import Rule, conflicted

_VISIT_NAMESPACE = uuid.UUID("6f1c1b1e-8a43-4a57-9d0e-5c2f2f6a7c11")


class PlanModel:
    def __init__(
        self,
        batches: list[Batch],
        slots: list[Slot],
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
