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
   (max - min visits), small teams. Interchangeable batches are counted, not placed.
3. **Fast first, better later**: a greedy pass (whole weeks first, then seats moved between
   members to even the load) builds a complete plan in well under a second; it is the first
   answer and the search's hint. CP-SAT then improves it on every core, each
   improved plan reported with its objective, the bound and the gap as it is found; the
   search may be stopped at any time and keeps the best plan.
4. **Days and times** (deterministic, after the solver): each round's batches go to the working
   days of its week on which every team member is free; visits start at the configured times.

Determinism: with ``workers=1``, a fixed random seed and a deterministic time budget, the same
input and seed give the same plan. Infeasible input is answered with the rule that cannot be
met and what blocks it (pre-checks first; then CP-SAT assumptions name the constraint family
at fault).
"""

from cchc_scheduling.domain.planner.planning import plan
from cchc_scheduling.domain.planner.request import PlanInput, PlannerSettings
from cchc_scheduling.domain.planner.result import (
    PlanInfeasible,
    PlanMetrics,
    PlanProgress,
    PlanResult,
    PlanStopped,
    ProposedRound,
)

__all__ = [
    "PlanInfeasible",
    "PlanInput",
    "PlanMetrics",
    "PlanProgress",
    "PlanResult",
    "PlanStopped",
    "PlannerSettings",
    "ProposedRound",
    "plan",
]
