"""What every handler and query of the scheduling service receives: the ``Services`` object the
composition root builds (``bootstrap``), and the policy the rules and the planner apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.adapters.notices import NoticeSettings
from cchc_scheduling.domain.calendar import WorkingCalendar
from cchc_scheduling.domain.model import SurveyWindow
from cchc_scheduling.domain.rules import RuleSettings
from cchc_scheduling.ports import UowFactory
from cchc_shared import clock
from cchc_shared.reference import get_agency


@dataclass(frozen=True)
class SchedulingPolicy:
    """What the rules and the planner need besides the data: limits, the calendar and the
    reference data of agencies."""

    max_visits_per_day: int = 3
    visit_minutes: int = 90
    planner_time_limit: float = 20.0
    start_times: tuple[time, ...] = (time(8, 0), time(9, 45), time(14, 0))
    min_team_size: int = 3
    max_team_size: int = 6

    def calendar(self, year: int) -> WorkingCalendar:
        return vietnam_calendar((year,))

    def window(self, year: int) -> SurveyWindow:
        return SurveyWindow.default_for(year)

    def rule_settings(self) -> RuleSettings:
        return RuleSettings(self.max_visits_per_day, self.visit_minutes)

    @staticmethod
    def parent_district(code: str) -> str | None:
        """A ward's district (a member of the district may not survey its wards)."""
        agency = get_agency(code)
        return agency.parent_code if agency else None

    @staticmethod
    def default_place(agency_code: str) -> str:
        """Where a visit takes place when the plan names no place: the agency's office."""
        agency = get_agency(agency_code)
        if agency is None:
            return agency_code
        if agency.is_city_level:
            return f"Trụ sở {agency.name}"
        return f"Trụ sở Ủy ban nhân dân {agency.full_name_in_text}"


@dataclass(frozen=True)
class Services:
    """Built once by ``bootstrap``: the HTTP entrypoint reads it from ``app.state.services``,
    the message entrypoint receives it from the kit with each event."""

    uow: UowFactory
    policy: SchedulingPolicy
    notices: NoticeSettings


def now() -> datetime:
    """Business time: the system clock, or the campaign clock of a local run (the kit's)."""
    return clock.now()
