"""Vietnam's working calendar from the ``holidays`` package, with this service's documented
corrections.

What the package knows was checked for the 2023 survey window (1 June - 31 October 2023):
it has Quốc khánh on Friday 1 and Saturday 2 September and the compensating day off on Monday
4 September 2023, which is what the Government decided for public servants that year; no
make-up working day (làm bù) was set inside that window. ``CORRECTIONS`` is where a gap of the
package goes: a day off or a make-up working day it lacks (for example a swap of working days
decided by the Prime Minister after the package's release). Each entry names its source; the
tests check that the 2023 calendar has the days the plan relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays

from cchc_scheduling.domain.calendar import WorkingCalendar


@dataclass(frozen=True)
class Correction:
    day: date
    name: str
    working: bool  # True: a make-up working day; False: an extra day off
    source: str


# Gaps of the holidays package, as explicit data. The package's 2023 data are complete for
# the survey window; entries for later years go here when a decision is published.
CORRECTIONS: tuple[Correction, ...] = ()


@cache
def vietnam_calendar(
    years: tuple[int, ...], extra: tuple[Correction, ...] = CORRECTIONS
) -> WorkingCalendar:
    official = holidays.country_holidays("VN", years=list(years), language="vi")
    days_off = {day: str(name) for day, name in official.items()}
    makeup = {day: "Ngày làm bù" for day in official.weekend_workdays if day.year in years}
    for correction in extra:
        if correction.day.year not in years:
            continue
        if correction.working:
            days_off.pop(correction.day, None)
            makeup[correction.day] = correction.name
        else:
            makeup.pop(correction.day, None)
            days_off[correction.day] = correction.name
    return WorkingCalendar(days_off=days_off, makeup_working_days=makeup)
