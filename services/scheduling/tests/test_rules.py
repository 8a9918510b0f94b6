"""Each rule of a plan is checked and each violation named."""

from datetime import date, time

import pytest

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.domain.model import PoolStatus, SurveyWindow
from cchc_scheduling.domain.rules import PlanContext, Rule, check_rounds
from cchc_shared.reference import get_agency

from .factories import initiative, member, round_of, visit

MONDAY = date(2023, 6, 5)
HEAD = member("head", "SNV", ("organisation",), head=True)
LAW = member("law", "STP", ("institutional", "procedures"))
IT = member("it", "STTTT", ("digital_government",), unavailable=(date(2023, 6, 6),))
CLERK = member("clerk", "SNV", ("procedures",), secretary=True)
Q1 = initiative("760", "procedures")
BEN_NGHE = initiative("26740", "digital_government")
STP_OWN = initiative("STP", "institutional")


def parent(code: str) -> str | None:
    agency = get_agency(code)
    return agency.parent_code if agency else None


def context(*extra_members, pool=(Q1, BEN_NGHE, STP_OWN)) -> PlanContext:
    members = {m.member_id: m for m in (HEAD, LAW, IT, CLERK, *extra_members)}
    return PlanContext(
        members,
        {i.initiative_id: i for i in pool},
        vietnam_calendar((2023,)),
        SurveyWindow.default_for(2023),
        parent,
    )


TEAM = [("head", "head"), ("law", "member"), ("it", "member"), ("clerk", "secretary")]


def rules(violations) -> set[Rule]:
    return {v.rule for v in violations}


def test_a_good_round_has_no_violation() -> None:
    good = round_of(TEAM, [visit(Q1, MONDAY), visit(BEN_NGHE, MONDAY, time(14, 0))])
    assert check_rounds([good], [], context()) == []


@pytest.mark.parametrize(
    ("day", "rule"),
    [
        (date(2023, 5, 31), Rule.SURVEY_WINDOW),
        (date(2023, 11, 1), Rule.SURVEY_WINDOW),
        (date(2023, 6, 3), Rule.WORKING_DAY),
        (date(2023, 9, 1), Rule.WORKING_DAY),
        (date(2023, 9, 4), Rule.WORKING_DAY),
    ],
)
def test_dates_outside_the_window_or_not_worked_are_refused(day: date, rule: Rule) -> None:
    found = check_rounds([round_of(TEAM, [visit(Q1, day)])], [], context())
    assert rule in rules(found)
    assert all(v.field == "visits[0].date" for v in found if v.rule is rule)


def test_a_member_on_an_unavailable_date() -> None:
    found = check_rounds([round_of(TEAM, [visit(Q1, date(2023, 6, 6))])], [], context())
    assert rules(found) == {Rule.MEMBER_UNAVAILABLE}
    assert "it" in found[0].message_en


def test_a_member_in_two_places_at_once() -> None:
    other = round_of([("head", "head"), ("law", "member")], [visit(BEN_NGHE, MONDAY)])
    mine = round_of(TEAM, [visit(Q1, MONDAY, time(8, 30))])
    found = check_rounds([mine], [other], context())
    assert Rule.MEMBER_DOUBLE_BOOKED in rules(found)
    # Far enough apart in the day, it is fine.
    later = round_of(TEAM, [visit(Q1, MONDAY, time(14, 0))])
    assert Rule.MEMBER_DOUBLE_BOOKED not in rules(check_rounds([later], [other], context()))


def test_at_most_three_visits_per_team_per_day() -> None:
    items = [initiative("760") for _ in range(4)]
    times = [time(8), time(9, 45), time(14), time(15, 45)]
    round_ = round_of(TEAM, [visit(i, MONDAY, t) for i, t in zip(items, times, strict=True)])
    found = check_rounds([round_], [], context(pool=items))
    assert rules(found) == {Rule.MAX_VISITS_PER_DAY}


def test_every_team_has_one_head_who_may_head() -> None:
    no_head = round_of([("law", "member"), ("clerk", "secretary")], [visit(Q1, MONDAY)])
    assert Rule.TEAM_HEAD in rules(check_rounds([no_head], [], context()))
    wrong_head = round_of([("law", "head")], [visit(Q1, MONDAY)])
    found = check_rounds([wrong_head], [], context())
    assert any(v.rule is Rule.TEAM_HEAD and v.field == "team[0].role" for v in found)


def test_the_team_covers_each_visits_area() -> None:
    round_ = round_of([("head", "head"), ("law", "member")], [visit(BEN_NGHE, MONDAY)])
    found = check_rounds([round_], [], context())
    assert rules(found) == {Rule.EXPERTISE_COVERAGE}


def test_no_member_surveys_their_own_agency_or_a_ward_of_their_district() -> None:
    own = round_of(TEAM, [visit(STP_OWN, MONDAY)])
    assert rules(check_rounds([own], [], context())) == {Rule.CONFLICT_OF_INTEREST}
    district_member = member("q1", "760", ("digital_government",))
    team = [("head", "head"), ("q1", "member")]
    ward = round_of(team, [visit(BEN_NGHE, MONDAY)])  # Bến Nghé is in Quận 1
    assert rules(check_rounds([ward], [], context(district_member))) == {Rule.CONFLICT_OF_INTEREST}


def test_one_visit_per_initiative_per_campaign() -> None:
    first = round_of(TEAM, [visit(Q1, MONDAY)])
    again = round_of(TEAM, [visit(Q1, date(2023, 6, 12))])
    found = check_rounds([again], [first], context())
    assert rules(found) == {Rule.ONE_VISIT_PER_INITIATIVE}
    twice = round_of(TEAM, [visit(Q1, MONDAY), visit(Q1, MONDAY, time(14))])
    assert Rule.ONE_VISIT_PER_INITIATIVE in rules(check_rounds([twice], [], context()))


def test_withdrawn_and_unknown_initiatives_are_not_in_the_pool() -> None:
    from dataclasses import replace

    withdrawn = replace(Q1, status=PoolStatus.WITHDRAWN)
    round_ = round_of(TEAM, [visit(withdrawn, MONDAY)])
    found = check_rounds([round_], [], context(pool=(withdrawn,)))
    assert rules(found) == {Rule.INITIATIVE_NOT_IN_POOL}
