"""The planner: a whole campaign checked by an independent checker, infeasible input
answered with the rule at fault, determinism."""

from __future__ import annotations

import itertools
import random
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.domain.model import Member, PoolInitiative, PoolStatus, SurveyWindow
from cchc_scheduling.domain.planner import (
    PlanInfeasible,
    PlanInput,
    PlannerSettings,
    PlanResult,
    plan,
)
from cchc_scheduling.domain.rules import Rule
from cchc_shared.reference import district_of, get_agency

from .factories import member

AREAS = (
    "institutional",
    "procedures",
    "organisation",
    "civil_service",
    "public_finance",
    "digital_government",
)
# 20 agencies: city departments, vertical agencies, districts and wards of several districts.
AGENCIES = (
    "STP", "SYT", "SGDDT", "CTHUE", "BHXH", "CATP",
    "760", "769", "774", "783", "785",
    "26734", "26737", "26743", "27004", "27097", "27259", "26800", "26830", "27262",
)  # fmt: skip


def parent_of(code: str) -> str | None:
    agency = get_agency(code)
    return agency.parent_code if agency else None


def roster() -> list[Member]:
    leave = (date(2023, 6, 14), date(2023, 7, 20), date(2023, 8, 8))
    return [
        member("pgd-cac", "SNV", ("organisation", "civil_service", "institutional"), head=True),
        member("pgd-hung", "SNV", ("organisation", "public_finance"), head=True, unavailable=leave),
        member("pgd-hanh", "SNV", ("digital_government", "procedures"), head=True),
        member("cv-trang", "SNV", ("procedures",), secretary=True),
        member("cv-duc", "SNV", ("procedures", "digital_government"), secretary=True),
        member("stp-loc", "STP", ("institutional", "procedures")),
        member("stp-anh", "STP", ("procedures",), unavailable=(date(2023, 6, 20),)),
        member("vpub-thuy", "VPUB", ("procedures", "digital_government")),
        member("stttt-nam", "STTTT", ("digital_government",)),
        member("stc-loan", "STC", ("public_finance",)),
        member("skhdt-phuong", "SKHDT", ("procedures", "civil_service")),
        member("q1-tam", "760", ("organisation", "civil_service")),  # a district's PNV head
    ]


def pool(size: int = 120, seed: int = 3) -> list[PoolInitiative]:
    rng = random.Random(seed)
    return [
        PoolInitiative(
            initiative_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            campaign_year=2023,
            agency_code=AGENCIES[i % len(AGENCIES)],
            kind="initiative",
            title=f"Sáng kiến số {i + 1}",
            par_area=AREAS[rng.randrange(6)],
            status=PoolStatus.IN_POOL,
            updated_at=datetime(2023, 5, 2, tzinfo=UTC),
        )
        for i in range(size)
    ]


def request(initiatives, members, **kw) -> PlanInput:
    return PlanInput(
        initiatives=initiatives,
        members=members,
        calendar=vietnam_calendar((2023,)),
        window=SurveyWindow.default_for(2023),
        parent_district=parent_of,
        cluster_of=district_of,
        **kw,
    )


def independent_check(result: PlanResult, initiatives, members) -> list[str]:
    """Every rule, written again from the raw data without the planner's or rules' code."""
    problems: list[str] = []
    by_id = {m.member_id: m for m in members}
    areas = {i.initiative_id: i.par_area for i in initiatives}
    agencies = {i.initiative_id: i.agency_code for i in initiatives}
    days_off = holidays.country_holidays("VN", years=2023)
    visited = Counter(v.initiative_id for r in result.rounds for v in r.visits)
    if set(visited) != set(areas) or any(n != 1 for n in visited.values()):
        problems.append("one visit per initiative")
    bookings: dict[tuple[str, date], list[datetime]] = defaultdict(list)
    for number, proposed in enumerate(result.rounds):
        team = [by_id[s.member_id] for s in proposed.team]
        heads = [s for s in proposed.team if s.role.value == "head"]
        if len(heads) != 1 or not by_id[heads[0].member_id].may_head:
            problems.append(f"round {number}: head")
        if len({m.member_id for m in team}) != len(team):
            problems.append(f"round {number}: a member twice")
        per_day = Counter(v.date for v in proposed.visits)
        if max(per_day.values()) > 3:
            problems.append(f"round {number}: more than 3 visits a day")
        for v in proposed.visits:
            if not date(2023, 6, 1) <= v.date <= date(2023, 10, 31):
                problems.append(f"{v.visit_id}: outside the window")
            if v.date.weekday() >= 5 or v.date in days_off:
                problems.append(f"{v.visit_id}: not a working day {v.date}")
            if v.date in (date(2023, 9, 1), date(2023, 9, 4)):
                problems.append(f"{v.visit_id}: on a September holiday")
            if v.agency_code != agencies[v.initiative_id]:
                problems.append(f"{v.visit_id}: wrong agency")
            if not any(areas[v.initiative_id] in m.expertise for m in team):
                problems.append(f"{v.visit_id}: no expert")
            agency = get_agency(v.agency_code)
            for m in team:
                if m.agency_code == v.agency_code or (
                    agency is not None and agency.parent_code == m.agency_code
                ):
                    problems.append(f"{v.visit_id}: {m.member_id} surveys own agency")
                if v.date in m.unavailable:
                    problems.append(f"{v.visit_id}: {m.member_id} unavailable")
                bookings[(m.member_id, v.date)].append(datetime.combine(v.date, v.starts_at))
    for (member_id, day), starts in bookings.items():
        for a, b in itertools.combinations(sorted(starts), 2):
            if b - a < timedelta(minutes=90):
                problems.append(f"{member_id} in two places on {day}")
    return problems


def test_120_initiatives_of_20_agencies_with_12_members_keep_every_rule() -> None:
    initiatives, members = pool(), roster()
    result = plan(request(initiatives, members), PlannerSettings(seed=1, time_limit_seconds=8))
    assert independent_check(result, initiatives, members) == []
    assert result.metrics.visits == 120
    assert result.metrics.districts_per_day == 1.0  # a survey day stays in one district
    days = [v.date for r in result.rounds for v in r.visits]
    assert date(2023, 9, 1) not in days and date(2023, 9, 4) not in days
    assert all(d.weekday() < 5 for d in days)
    assert result.metrics.members_used >= 10  # the load is spread over the roster


def test_the_same_seed_gives_the_same_plan() -> None:
    initiatives, members = pool(24, seed=5), roster()
    settings = PlannerSettings(seed=7, time_limit_seconds=3, workers=1)
    first = plan(request(initiatives, members), settings)
    second = plan(request(initiatives, members), settings)
    assert first.rounds == second.rounds


def test_nobody_may_head_a_team() -> None:
    members = [m for m in roster() if not m.may_head]
    with pytest.raises(PlanInfeasible) as refused:
        plan(request(pool(10), members))
    assert refused.value.rule is Rule.TEAM_HEAD
    assert "Trưởng đoàn" in refused.value.message_vi


def test_an_area_nobody_knows() -> None:
    members = [m for m in roster() if "public_finance" not in m.expertise]
    initiatives = pool(12)
    assert any(i.par_area == "public_finance" for i in initiatives)
    with pytest.raises(PlanInfeasible) as refused:
        plan(request(initiatives, members))
    assert refused.value.rule is Rule.EXPERTISE_COVERAGE
    assert "public_finance" in refused.value.message_en


def test_only_experts_from_the_agency_itself() -> None:
    initiatives = [i for i in pool(60) if i.agency_code == "STP"][:1]
    initiatives = [replace_area(initiatives[0], "institutional")]
    members = [m for m in roster() if "institutional" not in m.expertise or m.agency_code == "STP"]
    with pytest.raises(PlanInfeasible) as refused:
        plan(request(initiatives, members))
    assert refused.value.rule is Rule.CONFLICT_OF_INTEREST


def test_not_enough_days_in_the_period() -> None:
    with pytest.raises(PlanInfeasible) as refused:
        plan(
            request(
                pool(60),
                roster(),
                first_day=date(2023, 10, 30),
                last_day=date(2023, 10, 31),
            )
        )
    assert refused.value.rule is Rule.MAX_VISITS_PER_DAY


def test_existing_bookings_are_respected() -> None:
    initiatives, members = pool(9, seed=11), roster()
    june = {d for d in vietnam_calendar((2023,)).working_days(date(2023, 6, 1), date(2023, 6, 30))}
    busy = {"pgd-cac": frozenset(june), "pgd-hanh": frozenset(june)}
    result = plan(
        request(initiatives, members, last_day=date(2023, 6, 30), busy=busy),
        PlannerSettings(seed=0, time_limit_seconds=3),
    )
    heads = {s.member_id for r in result.rounds for s in r.team if s.role.value == "head"}
    assert heads == {"pgd-hung"}


def replace_area(item: PoolInitiative, area: str) -> PoolInitiative:
    from dataclasses import replace

    return replace(item, par_area=area)


def test_heads_away_all_period_names_the_rule_and_the_members_within_the_budget() -> None:
    june = frozenset(vietnam_calendar((2023,)).working_days(date(2023, 6, 1), date(2023, 6, 30)))
    members = [replace_unavailable(m, june) if m.may_head else m for m in roster()]
    started = datetime.now()
    with pytest.raises(PlanInfeasible) as refused:
        plan(
            request(pool(12), members, last_day=date(2023, 6, 30)),
            PlannerSettings(time_limit_seconds=10),
        )
    assert (datetime.now() - started).total_seconds() < 10
    assert refused.value.rule is Rule.MEMBER_UNAVAILABLE
    heads = {m.member_id for m in members if m.may_head}
    assert heads <= set(refused.value.member_ids)


def replace_unavailable(item: Member, days: frozenset[date]) -> Member:
    from dataclasses import replace

    return replace(item, unavailable=days)
