"""The rules every plan must keep, manual or automatic. ``check_rounds`` names each
violation by its rule, so a person (or the planner's tests) sees exactly what is wrong."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from cchc_scheduling.domain.calendar import WorkingCalendar
from cchc_scheduling.domain.model import (
    Member,
    PoolInitiative,
    Round,
    SurveyWindow,
    TeamRole,
    Visit,
)
from cchc_shared.errors import Fault, InvalidInput


class Rule(StrEnum):
    SURVEY_WINDOW = "survey_window"
    WORKING_DAY = "working_day"
    MEMBER_DOUBLE_BOOKED = "member_double_booked"
    MEMBER_UNAVAILABLE = "member_unavailable"
    MAX_VISITS_PER_DAY = "max_visits_per_day"
    TEAM_HEAD = "team_head"
    EXPERTISE_COVERAGE = "expertise_coverage"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    ONE_VISIT_PER_INITIATIVE = "one_visit_per_initiative"
    INITIATIVE_NOT_IN_POOL = "initiative_not_in_pool"
    MEMBER_UNKNOWN = "member_unknown"
    VISITS_REQUIRED = "visits_required"


RULE_TITLES_VI: dict[Rule, str] = {
    Rule.SURVEY_WINDOW: "Trong thời gian khảo sát của kế hoạch",
    Rule.WORKING_DAY: "Chỉ khảo sát vào ngày làm việc",
    Rule.MEMBER_DOUBLE_BOOKED: "Thành viên không ở hai nơi cùng lúc",
    Rule.MEMBER_UNAVAILABLE: "Thành viên không bận vào ngày khảo sát",
    Rule.MAX_VISITS_PER_DAY: "Số cuộc khảo sát tối đa mỗi ngày của đoàn",
    Rule.TEAM_HEAD: "Mỗi đoàn có một Trưởng đoàn",
    Rule.EXPERTISE_COVERAGE: "Đoàn có thành viên am hiểu lĩnh vực được khảo sát",
    Rule.CONFLICT_OF_INTEREST: "Thành viên không khảo sát cơ quan mình",
    Rule.ONE_VISIT_PER_INITIATIVE: "Mỗi sáng kiến chỉ được khảo sát một lần",
    Rule.INITIATIVE_NOT_IN_POOL: "Sáng kiến thuộc danh sách chờ khảo sát",
    Rule.MEMBER_UNKNOWN: "Thành viên có trong danh sách thành viên Tổ công tác",
    Rule.VISITS_REQUIRED: "Đợt khảo sát có ít nhất một cuộc khảo sát",
}


@dataclass(frozen=True)
class Violation:
    rule: Rule
    field: str  # a path into the round, e.g. "visits[2].date" or "team"
    message_vi: str
    message_en: str
    round_index: int = 0

    def fault(self) -> Fault:
        """The violation in the API's error body: its path in the plan, and its rule."""
        prefix = f"rounds[{self.round_index}]." if self.round_index else ""
        return Fault(
            prefix + self.field, self.message_vi, self.message_en, {"rule": self.rule.value}
        )


class PlanViolations(InvalidInput):
    """A plan breaks rules; every violation is named, each a fault with its ``rule``."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(*(v.fault() for v in violations))
        self.violations = violations


@dataclass(frozen=True)
class RuleSettings:
    max_visits_per_day: int = 3
    visit_minutes: int = 90


@dataclass(frozen=True)
class PlanContext:
    """Everything the rules look at besides the rounds themselves."""

    members: Mapping[str, Member]
    pool: Mapping[UUID, PoolInitiative]
    calendar: WorkingCalendar
    window: SurveyWindow
    parent_district: Callable[[str], str | None]
    settings: RuleSettings = RuleSettings()


def conflicted(member: Member, agency_code: str, parent_district: str | None) -> bool:
    """A member may not survey their own agency, nor a ward of their own district."""
    return member.agency_code == agency_code or (
        parent_district is not None and member.agency_code == parent_district
    )


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _visit_span(visit: Visit, minutes: int) -> tuple[datetime, datetime]:
    start = datetime.combine(visit.date, visit.starts_at)
    return start, start + timedelta(minutes=minutes)


def check_rounds(
    rounds: Sequence[Round], others: Iterable[Round], context: PlanContext
) -> list[Violation]:
    """Check ``rounds`` (being planned) together with the ``others`` already in the plan
    (active rounds of the campaign). Violations are reported against ``rounds`` only."""
    found: list[Violation] = []
    others = [r for r in others if r.is_active and all(r.round_id != c.round_id for c in rounds)]
    for index, candidate in enumerate(rounds):
        for violation in _check_one(candidate, context):
            found.append(_at(violation, index))
    found.extend(_check_across(rounds, others, context))
    return found


def _at(violation: Violation, index: int) -> Violation:
    return Violation(
        violation.rule, violation.field, violation.message_vi, violation.message_en, index
    )


def _check_one(round_: Round, context: PlanContext) -> Iterable[Violation]:
    members, window, calendar = context.members, context.window, context.calendar
    if not round_.visits:
        yield Violation(
            Rule.VISITS_REQUIRED,
            "visits",
            "Đợt khảo sát chưa có cuộc khảo sát nào",
            "the round has no visits",
        )
    # The team
    seen: set[str] = set()
    team: list[Member] = []
    for i, seat in enumerate(round_.team):
        member = members.get(seat.member_id)
        if member is None or not member.active:
            yield Violation(
                Rule.MEMBER_UNKNOWN,
                f"team[{i}].member_id",
                f"Thành viên {seat.member_id} không có trong danh sách hoặc đã ngừng tham gia",
                f"member {seat.member_id} is not on the roster or is inactive",
            )
            continue
        if seat.member_id in seen:
            yield Violation(
                Rule.MEMBER_DOUBLE_BOOKED,
                f"team[{i}].member_id",
                f"{member.name} được xếp hai lần trong cùng một đoàn",
                f"{seat.member_id} appears twice in the team",
            )
            continue
        seen.add(seat.member_id)
        team.append(member)
    heads = [s for s in round_.team if s.role is TeamRole.HEAD]
    if len(heads) != 1:
        yield Violation(
            Rule.TEAM_HEAD,
            "team",
            f"Đoàn khảo sát phải có đúng một Trưởng đoàn (hiện có {len(heads)})",
            f"the team must have exactly one head (it has {len(heads)})",
        )
    for i, seat in enumerate(round_.team):
        member = members.get(seat.member_id)
        if seat.role is TeamRole.HEAD and member is not None and not member.may_head:
            yield Violation(
                Rule.TEAM_HEAD,
                f"team[{i}].role",
                f"{member.name} không thuộc diện được làm Trưởng đoàn",
                f"{seat.member_id} may not head a team",
            )
    # The visits
    per_day: dict[date, int] = defaultdict(int)
    for j, visit in enumerate(round_.visits):
        path = f"visits[{j}]"
        per_day[visit.date] += 1
        initiative = context.pool.get(visit.initiative_id)
        if initiative is None or not initiative.in_pool:
            state = "đã rút" if initiative is not None else "chưa được tiếp nhận"
            yield Violation(
                Rule.INITIATIVE_NOT_IN_POOL,
                f"{path}.initiative_id",
                f"Sáng kiến {visit.initiative_id} {state}",
                f"initiative {visit.initiative_id} is "
                + ("withdrawn" if initiative is not None else "not in the pool"),
            )
        else:
            if initiative.agency_code != visit.agency_code:
                yield Violation(
                    Rule.INITIATIVE_NOT_IN_POOL,
                    f"{path}.agency_code",
                    f"Sáng kiến thuộc đơn vị {initiative.agency_code}, không phải "
                    f"{visit.agency_code}",
                    f"the initiative belongs to {initiative.agency_code}, not {visit.agency_code}",
                )
            if initiative.campaign_year != round_.campaign_year:
                yield Violation(
                    Rule.SURVEY_WINDOW,
                    f"{path}.initiative_id",
                    f"Sáng kiến thuộc kế hoạch năm {initiative.campaign_year}",
                    f"the initiative belongs to the {initiative.campaign_year} campaign",
                )
            if not any(m.knows(initiative.par_area) for m in team):
                yield Violation(
                    Rule.EXPERTISE_COVERAGE,
                    f"{path}.initiative_id",
                    f"Đoàn không có thành viên am hiểu lĩnh vực của sáng kiến "
                    f"({initiative.par_area})",
                    f"no team member knows the initiative's PAR area {initiative.par_area}",
                )
        if not window.contains(visit.date):
            yield Violation(
                Rule.SURVEY_WINDOW,
                f"{path}.date",
                f"Ngày {_day(visit.date)} nằm ngoài thời gian khảo sát "
                f"({_day(window.starts_on)} - {_day(window.ends_on)})",
                f"{visit.date} is outside the survey window {window.starts_on}..{window.ends_on}",
            )
        reason = calendar.why_not_working(visit.date)
        if reason is not None:
            yield Violation(
                Rule.WORKING_DAY,
                f"{path}.date",
                f"Ngày {_day(visit.date)} không phải ngày làm việc ({reason})",
                f"{visit.date} is not a working day ({reason})",
            )
        parent = context.parent_district(visit.agency_code)
        for member in team:
            if conflicted(member, visit.agency_code, parent):
                own = member.agency_code == visit.agency_code
                yield Violation(
                    Rule.CONFLICT_OF_INTEREST,
                    f"{path}.agency_code",
                    f"{member.name} không được khảo sát "
                    + ("cơ quan mình" if own else "phường, xã thuộc quận, huyện của mình"),
                    f"{member.member_id} may not survey "
                    + ("their own agency" if own else "a ward of their own district"),
                )
            if visit.date in member.unavailable:
                yield Violation(
                    Rule.MEMBER_UNAVAILABLE,
                    f"{path}.date",
                    f"{member.name} bận vào ngày {_day(visit.date)}",
                    f"{member.member_id} is unavailable on {visit.date}",
                )
    limit = context.settings.max_visits_per_day
    for day, count in sorted(per_day.items()):
        if count > limit:
            yield Violation(
                Rule.MAX_VISITS_PER_DAY,
                "visits",
                f"Ngày {_day(day)} đoàn có {count} cuộc khảo sát, vượt mức tối đa {limit}",
                f"{count} visits on {day}, more than the maximum of {limit} per team per day",
            )


def _check_across(
    rounds: Sequence[Round], others: Sequence[Round], context: PlanContext
) -> Iterable[Violation]:
    # One visit per initiative per campaign, across every active round.
    visited: dict[UUID, int | None] = {}
    for other in others:
        for visit in other.visits:
            visited[visit.initiative_id] = None
    for index, candidate in enumerate(rounds):
        for j, visit in enumerate(candidate.visits):
            if visit.initiative_id in visited:
                yield Violation(
                    Rule.ONE_VISIT_PER_INITIATIVE,
                    f"visits[{j}].initiative_id",
                    f"Sáng kiến {visit.initiative_id} đã có lịch khảo sát",
                    f"initiative {visit.initiative_id} is already scheduled for a visit",
                    index,
                )
            else:
                visited[visit.initiative_id] = index
    # No member in two places at once: overlapping visits of different rounds.
    minutes = context.settings.visit_minutes
    bookings: dict[tuple[str, date], list[tuple[datetime, datetime, int | None, int]]] = (
        defaultdict(list)
    )
    for index_or_none, round_ in [*((None, r) for r in others), *enumerate(rounds)]:
        for member_id in set(round_.member_ids()):
            for j, visit in enumerate(round_.visits):
                start, end = _visit_span(visit, minutes)
                bookings[(member_id, visit.date)].append((start, end, index_or_none, j))
    for (member_id, day), spans in sorted(bookings.items()):
        spans.sort(key=lambda s: (s[0], -1 if s[2] is None else s[2], s[3]))
        for a, b in itertools.pairwise(spans):
            target = b if b[2] is not None else a
            if b[0] < a[1] and target[2] is not None:
                member = context.members.get(member_id)
                name = member.name if member else member_id
                same_round = a[2] == b[2]
                yield Violation(
                    Rule.MEMBER_DOUBLE_BOOKED,
                    f"visits[{target[3]}].starts_at",
                    f"{name} có hai cuộc khảo sát trùng giờ ngày {_day(day)}"
                    + ("" if same_round else " (ở đợt khảo sát khác)"),
                    f"{member_id} has overlapping visits on {day}"
                    + ("" if same_round else " (in another round)"),
                    target[2],
                )
