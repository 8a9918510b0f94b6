"""Benchmark of the automatic planner: time to a first plan and to a good one, 150 to 1,000 visits.

Not a test. Run from the repository root (it takes every core: run it alone):

    uv run python services/scheduling/bench/bench_planner.py [--sizes 150 300 1000] [--seed 0]
        [--reference 300] [--baseline CHECKOUT] [--baseline-time-limit 60]

For each size, the planner searches for ``--reference`` seconds; the benchmark reports the time
to its first feasible plan, the time to a plan within 5% of the best that run found, the gap to
the bound, and the rules checked on the first and on the best plan (``rules.check_rounds``).
With ``--baseline``, the planner of another checkout (e.g. a ``git worktree`` of the commit
before a change) plans the same input in the same run, and its plan is scored by the same
objective.

Each size draws a realistic pool (initiatives from city departments, districts and wards,
the six PAR areas weighted as in past campaigns) and a roster large enough for the work
(one head per parallel team), plans it over the 2023 survey window and reports wall time,
solver status, rounds, travel days, districts per survey day and member load, and checks the
plan against the rules (every violation would be listed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, time

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.domain.model import (
    PAR_AREAS,
    Member,
    PoolInitiative,
    PoolStatus,
    Round,
    RoundStatus,
    Seat,
    SurveyWindow,
    TeamRole,
    Visit,
)
from cchc_scheduling.domain.planner import (
    PlanInput,
    PlannerSettings,
    PlanProgress,
    ProposedRound,
    plan,
)
from cchc_scheduling.domain.planner.result import plan_objective
from cchc_scheduling.domain.rules import PlanContext, check_rounds
from cchc_shared.reference import district_of, districts, load_agencies, wards_of

AREA_WEIGHTS = (1, 5, 2, 2, 1, 4)  # procedures and digital government dominate proposals
MEMBER_AGENCIES = ("SNV", "STP", "VPUB", "STTTT", "STC", "SKHDT", "SKHCN", "SLDTBXH")


def pool(size: int, rng: random.Random) -> list[PoolInitiative]:
    agencies = load_agencies()
    # SNV organises the survey; its own initiatives are assessed by others (not planned here).
    city = [a.code for a in agencies.values() if a.is_city_level and a.code != "SNV"]
    district_codes = [d.code for d in districts()]
    result = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.3:
            code = rng.choice(city)
        elif roll < 0.6:
            code = rng.choice(district_codes)
        else:
            code = rng.choice(wards_of(rng.choice(district_codes))).code
        result.append(
            PoolInitiative(
                initiative_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                campaign_year=2023,
                agency_code=code,
                kind="initiative",
                title=f"Sáng kiến {len(result) + 1}",
                par_area=rng.choices(PAR_AREAS, AREA_WEIGHTS)[0],
                status=PoolStatus.IN_POOL,
                updated_at=datetime(2023, 5, 1, tzinfo=UTC),
            )
        )
    return result


def roster(size: int, rng: random.Random) -> list[Member]:
    teams = max(1, -(-size // (3 * 100)))  # one team surveys about 100 days x 3 visits
    heads = teams + 1
    members = []
    for i in range(heads):
        members.append(
            Member(
                f"head-{i}",
                f"Phó Giám đốc {i}",
                "Ông",
                "Phó Giám đốc Sở Nội vụ",
                "SNV",
                frozenset(rng.sample(PAR_AREAS, 3)),
                may_head=True,
            )
        )
    for i in range(teams + 1):
        members.append(
            Member(
                f"secretary-{i}",
                f"Chuyên viên {i}",
                "Bà",
                "Chuyên viên Phòng CCHC",
                "SNV",
                frozenset({"procedures"}),
                may_be_secretary=True,
            )
        )
    for i in range(teams * 6):
        members.append(
            Member(
                f"member-{i}",
                f"Thành viên {i}",
                "Ông",
                "Thành viên Tổ công tác",
                MEMBER_AGENCIES[i % len(MEMBER_AGENCIES)],
                frozenset({PAR_AREAS[i % 6], PAR_AREAS[(i + 2) % 6]}),
            )
        )
    # A few days of leave each, as real rosters have.
    window = [
        d
        for d in vietnam_calendar((2023,)).working_days(
            datetime(2023, 6, 1).date(), datetime(2023, 10, 31).date()
        )
    ]
    return [
        Member(**{**m.__dict__, "unavailable": frozenset(rng.sample(window, 3))}) for m in members
    ]


def scenario(size: int, seed: int) -> tuple[PlanInput, list[Member], list[PoolInitiative]]:
    rng = random.Random(seed * 7919 + size)
    initiatives, members = pool(size, rng), roster(size, rng)
    request = PlanInput(
        initiatives,
        members,
        vietnam_calendar((2023,)),
        SurveyWindow.default_for(2023),
        parent_of,
        district_of,
    )
    return request, members, initiatives


def parent_of(code: str) -> str | None:
    agency = load_agencies().get(code)
    return agency.parent_code if agency else None


def violations(rounds: list[ProposedRound], request: PlanInput) -> int:
    checked = [Round(uuid.uuid4(), 2023, p.team, p.visits, RoundStatus.DRAFT) for p in rounds]
    context = PlanContext(
        {m.member_id: m for m in request.members},
        {i.initiative_id: i for i in request.initiatives},
        request.calendar,
        request.window,
        request.parent_district,
    )
    return len(check_rounds(checked, [], context))


def run(size: int, seed: int, reference: float) -> dict[str, object]:
    """The planner of this tree, searching for ``reference`` seconds: when it had its first
    plan, when it had a plan within 5% of the best it found, and the gap to the bound."""
    request, members, _ = scenario(size, seed)
    found: list[tuple[float, float]] = []
    first_violations: list[int] = []

    def on_solution(progress: PlanProgress) -> None:
        found.append((progress.elapsed_seconds, progress.objective))
        if not first_violations:
            first_violations.append(violations(progress.rounds, request))

    result = plan(
        request,
        PlannerSettings(seed=seed, time_limit_seconds=reference),
        on_solution=on_solution,
    )
    best = result.metrics.objective
    within = next(t for t, objective in found if objective <= best * 1.05)
    return {
        "visits": size,
        "members": len(members),
        "first_feasible_s": found[0][0],
        "first_objective": found[0][1],
        "within_5pct_s": within,
        "best_objective": best,
        "bound": result.bound,
        "gap": result.gap,
        "reference_s": reference,
        "solutions": len(found),
        "rounds": result.metrics.rounds,
        "travel_days": result.metrics.travel_days,
        "load_min_max": [result.metrics.min_member_visits, result.metrics.max_member_visits],
        "violations_first": first_violations[0],
        "violations_best": violations(result.rounds, request),
    }


BASELINE = """
import json, sys, time
sys.path[:0] = [sys.argv[1] + "/services/scheduling", sys.argv[1] + "/services/scheduling/bench"]
import bench_planner as old
from cchc_scheduling.domain.planner import PlannerSettings, plan
size, seed, limit = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
rng = old.random.Random(seed * 7919 + size)
initiatives, members = old.pool(size, rng), old.roster(size, rng)

def parent(code):
    agency = old.load_agencies().get(code)
    return agency.parent_code if agency else None

request = old.PlanInput(initiatives, members, old.vietnam_calendar((2023,)),
                        old.SurveyWindow.default_for(2023), parent, old.district_of)
started = time.perf_counter()
result = plan(request, PlannerSettings(seed=seed, time_limit_seconds=limit))
rounds = [{"team": [[s.member_id, s.role.value] for s in p.team],
           "visits": [[str(v.initiative_id), v.agency_code, v.date.isoformat(),
                       v.starts_at.isoformat()] for v in p.visits]} for p in result.rounds]
print(json.dumps({"seconds": time.perf_counter() - started,
                  "status": result.metrics.solver_status, "rounds": rounds}))
"""


def run_baseline(checkout: str, size: int, seed: int, limit: float) -> dict[str, object]:
    """The planner of another checkout (the commit before a change), on the same input, in a
    process of its own: it reports no progress, so its first plan is its only one."""
    answer = subprocess.run(
        [sys.executable, "-c", BASELINE, checkout, str(size), str(seed), str(limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(answer.stdout.strip().splitlines()[-1])
    request, members, _ = scenario(size, seed)
    rounds = [
        ProposedRound(
            [Seat(m, TeamRole(role)) for m, role in item["team"]],
            [
                Visit(
                    uuid.uuid4(), uuid.UUID(i), code, date.fromisoformat(d), time.fromisoformat(t)
                )
                for i, code, d, t in item["visits"]
            ],
        )
        for item in data["rounds"]
    ]
    return {
        "first_feasible_s": round(data["seconds"], 2),
        "objective": plan_objective(rounds, [m.member_id for m in members]),
        "status": data["status"],
        "rounds": len(rounds),
        "violations": violations(rounds, request),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 300, 1000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", type=float, default=300.0, help="seconds of search")
    parser.add_argument("--baseline", help="a checkout of the planner before the change")
    parser.add_argument("--baseline-time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor()}, "
        f"python {platform.python_version()}"
    )
    for size in args.sizes:
        row: dict[str, object] = {"new": run(size, args.seed, args.reference)}
        if args.baseline:
            row["before"] = run_baseline(args.baseline, size, args.seed, args.baseline_time_limit)
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
