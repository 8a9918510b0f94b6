"""The replication domain: the initiatives recommended for replication (candidates), the
People's Committee's Quyết định that recognises some of them with their target agencies and
deadlines, and the agencies' quarterly adoption reports, every revision kept.

Pure: no I/O, no clock (the moment of an act is given)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final
from uuid import UUID

from cchc_shared.contracts.events import QUARTER_PATTERN
from cchc_shared.contracts.vocabulary import AdoptionStatus, ReplicationScope

_QUARTER_RE: Final = re.compile(QUARTER_PATTERN)


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a year (quý), as the agencies report on them: ``2024-Q1``."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        found = _QUARTER_RE.fullmatch(text)
        return cls(int(found[1]), int(found[2])) if found else None

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> date:
        following = self.next()
        return following.starts_on - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def due_on(self, due_days: int) -> date:
        """The last day to report on it without being late."""
        return self.ends_on + timedelta(days=due_days)

    def label_vi(self) -> str:
        return f"quý {('I', 'II', 'III', 'IV')[self.number - 1]} năm {self.year}"

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class Candidate:
    """An initiative the Department recommended to the People's Committee
    (ReplicationRecommended): only these may be recognised."""

    initiative_id: UUID
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    scope: str
    final_score: float
    recommended_at: datetime


@dataclass(frozen=True)
class TargetSelection:
    """Who must adopt a model, as the Quyết định names them: every district-level unit,
    every ward of some districts, and named agencies (any combination)."""

    all_districts: bool = False
    wards_of: tuple[str, ...] = ()
    agency_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecognisedModel:
    initiative_id: UUID
    decision_id: UUID
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    scope: ReplicationScope
    targets: tuple[str, ...]
    deadline: date


@dataclass(frozen=True)
class Decision:
    """The Quyết định as the PAR office recorded it."""

    decision_id: UUID
    decision_number: str
    signed_on: date
    signer_name: str
    signer_title: str
    campaign_year: int
    models: tuple[RecognisedModel, ...]
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Indicators:
    measured_from: date | None = None
    measured_to: date | None = None
    processing_days_before: float | None = None
    processing_days_after: float | None = None
    satisfaction_percent: float | None = None
    cases_handled: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "measured_from": self.measured_from.isoformat() if self.measured_from else None,
            "measured_to": self.measured_to.isoformat() if self.measured_to else None,
            "processing_days_before": self.processing_days_before,
            "processing_days_after": self.processing_days_after,
            "satisfaction_percent": self.satisfaction_percent,
            "cases_handled": self.cases_handled,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Indicators:
        def day(key: str) -> date | None:
            value = values.get(key)
            return date.fromisoformat(value) if value else None

        def number(key: str) -> float | None:
            value = values.get(key)
            return None if value is None else float(value)

        cases = values.get("cases_handled")
        return cls(
            measured_from=day("measured_from"),
            measured_to=day("measured_to"),
            processing_days_before=number("processing_days_before"),
            processing_days_after=number("processing_days_after"),
            satisfaction_percent=number("satisfaction_percent"),
            cases_handled=None if cases is None else int(cases),
        )


@dataclass(frozen=True)
class ReportContent:
    """What an agency says in one quarter's report: two reports with equal content are the
    same report (a repeat changes nothing)."""

    status: AdoptionStatus
    reason: str = ""
    started_on: date | None = None
    adaptation: str = ""
    indicators: Indicators = field(default_factory=Indicators)


@dataclass(frozen=True)
class AdoptionReport:
    """One revision of one agency's report on one model for one quarter."""

    report_id: UUID
    decision_id: UUID
    initiative_id: UUID
    agency_code: str
    quarter: Quarter
    revision: int
    content: ReportContent
    late: bool
    reported_at: datetime
    reported_by: str
