"""``plan``: the planner's steps in order (checks, batches, slots, the model part by part)."""

from __future__ import annotations

import time as clock

from ortools.sat.python import cp_model

from cchc_scheduling.domain.planner.batches import chunks, make_batches, make_slots, precheck
from cchc_scheduling.domain.planner.model import PlanModel
from cchc_scheduling.domain.planner.request import DEFAULT_SETTINGS, PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import (
    PlanInfeasible,
    PlanResult,
    ProposedRound,
    plan_metrics,
)
from cchc_scheduling.domain.rules import Rule


def plan(request: PlanInput, settings: PlannerSettings = DEFAULT_SETTINGS) -> PlanResult:
    started = clock.perf_counter()
    members = sorted((m for m in request.members if m.active), key=lambda m: m.member_id)
    initiatives = sorted(
        (i for i in request.initiatives if i.in_pool), key=lambda i: str(i.initiative_id)
    )
    if not initiatives:
        return PlanResult([], plan_metrics([], [], "empty", 0.0, started))
    first = max(request.first_day or request.window.starts_on, request.window.starts_on)
    last = min(request.last_day or request.window.ends_on, request.window.ends_on)
    days = list(request.calendar.working_days(first, last))
    precheck(request, members, initiatives, days, first, last)
    batches = make_batches(request, members, initiatives, settings)
    slots = make_slots(days, members, batches)
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
    parts = chunks(batches, slots)
    for chunk_batches, chunk_slots in parts:
        share = settings.time_limit_seconds * len(chunk_batches) / len(batches)
        model = PlanModel(
            chunk_batches, chunk_slots, members, unavailable, request, settings, base_load
        )
        status, solver = model.solve(settings, share)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status == cp_model.INFEASIBLE:
                diagnostic = PlanModel(
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
    if len(parts) > 1:
        status_name += f" ({len(parts)} parts)"
    return PlanResult(
        rounds,
        plan_metrics(rounds, members, status_name, objective, started, request.cluster_of),
    )
