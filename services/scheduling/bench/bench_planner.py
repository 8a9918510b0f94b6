"""Benchmark of the automatic planner: time and plan quality for 100, 300 and 1,000 visits.

Not a test. Run from the repository root:

    uv run python services/scheduling/bench/bench_planner.py [--sizes 100 300 1000] [--seed 0]
        [--time-limit 60]

Each size draws a realistic pool (initiatives from city departments, districts and wards,
the six PAR areas weighted as in past campaigns) and a roster large enough for the work
(one head per parallel team), plans it over the 2023 survey window and reports wall time,
solver status, rounds, travel days, districts per survey day and member load, and checks the
plan against the rules (every violation would be listed).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
import uuid
from datetime import UTC, datetime

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.domain.model import (
    PAR_AREAS,
    Member,
    PoolInitiative,
    PoolStatus,
    Round,
    RoundStatus,
    SurveyWindow,
)
from cchc_scheduling.domain.planner import PlanInput, PlannerSettings, plan
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


def run(size: int, seed: int, time_limit: float) -> dict[str, object]:
    rng = random.Random(seed * 7919 + size)
    initiatives, members = pool(size, rng), roster(size, rng)
    calendar = vietnam_calendar((2023,))
    window = SurveyWindow.default_for(2023)

    def parent(code: str) -> str | None:
        agency = load_agencies().get(code)
        return agency.parent_code if agency else None

    request = PlanInput(initiatives, members, calendar, window, parent, district_of)
    started = time.perf_counter()
    result = plan(request, PlannerSettings(seed=seed, time_limit_seconds=time_limit))
    seconds = time.perf_counter() - started
    rounds = [Round(uuid.uuid4(), 2023, p.team, p.visits, RoundStatus.DRAFT) for p in result.rounds]
    context = PlanContext(
        {m.member_id: m for m in members},
        {i.initiative_id: i for i in initiatives},
        calendar,
        window,
        parent,
    )
    violations = check_rounds(rounds, [], context)
    metrics = result.metrics.__dict__
    return {
        "visits_requested": size,
        "members": len(members),
        "seconds": round(seconds, 2),
        **{k: v for k, v in metrics.items() if k != "seconds"},
        "violations": len(violations),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(f"# machine: {platform.machine()}, python {platform.python_version()}")
    for size in args.sizes:
        print(json.dumps(run(size, args.seed, args.time_limit), ensure_ascii=False))


if __name__ == "__main__":
    main()
