"""``plan``: the planner's steps in order (checks, batches, slots, the greedy start, the
search), reporting each improved plan as it is found."""

from __future__ import annotations

import math
import threading
import time as clock
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from cchc_scheduling.domain.planner.batches import make_batches, make_slots, precheck
from cchc_scheduling.domain.planner.greedy import greedy_start
from cchc_scheduling.domain.planner.model import PlanModel
from cchc_scheduling.domain.planner.request import DEFAULT_SETTINGS, PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import (
    ROUND_WEIGHT,
    PlanInfeasible,
    PlanProgress,
    PlanResult,
    PlanStopped,
    plan_metrics,
    plan_objective,
)
from cchc_scheduling.domain.rules import Rule


def plan(
    request: PlanInput,
    settings: PlannerSettings = DEFAULT_SETTINGS,
    *,
    on_solution: Callable[[PlanProgress], None] | None = None,
    stop: threading.Event | None = None,
) -> PlanResult:
    """Plan the pool within ``settings.time_limit_seconds``. Each improved plan goes to
    ``on_solution`` as it is found (the greedy start first); setting ``stop`` ends the search
    with the best plan so far. Raises PlanInfeasible naming the rule that cannot be met."""
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
            initiative_ids=[i.initiative_id for i in initiatives],
        )
    unavailable = {
        m.member_id: m.unavailable | request.busy.get(m.member_id, frozenset()) for m in members
    }
    member_ids = [m.member_id for m in members]
    model = PlanModel(batches, slots, members, unavailable, request, settings)
    solutions: list[PlanProgress] = []
    # A bound of our own: enough rounds for the batches, each with its smallest team.
    most_days = max(len(s.days) for s in slots)
    fewest_rounds = math.ceil(len(batches) / most_days)
    lower_bound = (ROUND_WEIGHT + settings.min_team_size) * fewest_rounds

    def record(progress: PlanProgress) -> None:
        if solutions and progress.objective >= solutions[-1].objective:
            return
        if progress.bound < lower_bound:
            progress = replace(progress, bound=lower_bound)
        solutions.append(progress)
        if on_solution is not None:
            on_solution(progress)

    start = greedy_start(model)
    if start is not None:
        rounds = model.rounds_of(start, unavailable)
        record(
            PlanProgress(
                elapsed_seconds=round(clock.perf_counter() - started, 3),
                objective=plan_objective(rounds, member_ids),
                bound=lower_bound,
                rounds=rounds,
                source="greedy",
            )
        )
        model.hint(start)
    budget = max(0.5, settings.time_limit_seconds - (clock.perf_counter() - started))
    status, solver = model.solve(
        budget, started=started, on_solution=record, stop=stop, unavailable=unavailable
    )
    if status == cp_model.INFEASIBLE:
        diagnostic = PlanModel(
            batches, slots, members, unavailable, request, settings, diagnose=True
        )
        remaining = settings.time_limit_seconds - (clock.perf_counter() - started)
        raise diagnostic.explain(max(1.0, remaining))
    if not solutions:
        if stop is not None and stop.is_set():
            raise PlanStopped()
        raise PlanInfeasible(
            Rule.MAX_VISITS_PER_DAY,
            "Không tìm được phương án trong thời gian cho phép; hãy tăng thời gian "
            "hoặc giảm số sáng kiến",
            f"no plan found within the time limit ({solver.status_name(status)}); "
            "allow more time or plan fewer initiatives",
            initiative_ids=[i.initiative_id for i in initiatives],
        )
    best = solutions[-1]
    searched = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    bound = max(solver.best_objective_bound, lower_bound) if searched else best.bound
    final = PlanProgress(best.elapsed_seconds, best.objective, bound, best.rounds, best.source)
    rounds = sorted(
        final.rounds, key=lambda p: (min(v.date for v in p.visits), p.team[0].member_id)
    )
    if status == cp_model.OPTIMAL:
        status_name = "OPTIMAL"
    elif stop is not None and stop.is_set():
        status_name = "STOPPED"
    else:
        status_name = "FEASIBLE"
    return PlanResult(
        rounds,
        plan_metrics(rounds, members, status_name, final.objective, started, request.cluster_of),
        bound=bound,
        solutions=[*solutions[:-1], final],
    )
