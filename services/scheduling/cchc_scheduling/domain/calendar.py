"""Working days of Vietnam's public administration.

The calendar is pure data: the days off (public holidays and the compensating days the
Government grants when a holiday falls on a weekend) and the make-up working days (a
Saturday or Sunday worked to bridge a holiday). ``adapters.holiday_calendar`` builds it
from the ``holidays`` package plus the documented corrections of this service.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

SATURDAY = 5


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: Mapping[date, str] = field(default_factory=dict)
    makeup_working_days: Mapping[date, str] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_working_days:
            return True
        return day.weekday() < SATURDAY and day not in self.days_off

    def why_not_working(self, day: date) -> str | None:
        """The reason a day is not worked (a holiday's Vietnamese name, or the weekend)."""
        if self.is_working_day(day):
            return None
        if day in self.days_off:
            return self.days_off[day]
        return "Thứ Bảy" if day.weekday() == SATURDAY else "Chủ nhật"

    def working_days(self, first: date, last: date) -> Iterator[date]:
        day = first
        while day <= last:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)
