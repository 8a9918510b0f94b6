"""What the planner is asked: the pool, the roster, the calendar and its settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from cchc_scheduling.domain.calendar import WorkingCalendar
from cchc_scheduling.domain.model import Member, PoolInitiative, SurveyWindow


@dataclass(frozen=True)
class PlannerSettings:
    max_visits_per_day: int = 3
    start_times: tuple[time, ...] = (time(8, 0), time(9, 45), time(14, 0))
    min_team_size: int = 3
    max_team_size: int = 6
    time_limit_seconds: float = 20.0
    seed: int = 0
    # Search workers: 0 is one per core. One worker with a fixed seed plans deterministically.
    workers: int = 0

    def start_time(self, index: int) -> time:
        if index < len(self.start_times):
            return self.start_times[index]
        last = self.start_times[-1]
        minutes = last.hour * 60 + last.minute + 105 * (index - len(self.start_times) + 1)
        return time(min(minutes // 60, 23), minutes % 60)


@dataclass(frozen=True)
class PlanInput:
    initiatives: Sequence[PoolInitiative]
    members: Sequence[Member]
    calendar: WorkingCalendar
    window: SurveyWindow
    parent_district: Callable[[str], str | None]  # a ward's district (conflict of interest)
    cluster_of: Callable[[str], str | None]  # an agency's district; None for city-level
    first_day: date | None = None
    last_day: date | None = None
    busy: Mapping[str, frozenset[date]] = field(default_factory=dict)  # booked elsewhere


DEFAULT_SETTINGS = PlannerSettings()
