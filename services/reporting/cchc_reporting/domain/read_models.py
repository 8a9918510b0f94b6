"""The read models of one campaign (what the views build and the API, exports and documents
show), and how their figures are rounded. Pure: no I/O, no clock."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Final
from uuid import UUID

from cchc_reporting.domain.agencies import AgencyInfo
from cchc_reporting.domain.facts import (
    CampaignSettingsFact,
    DecisionFact,
    EvaluationFact,
    ParRuleFact,
    RecommendationFact,
    RejectionFact,
    TeamMemberFact,
)
from cchc_shared.contracts.text import fold as _fold
from cchc_shared.contracts.vocabulary import RECOMMENDATIONS


class Status(StrEnum):
    SUBMITTED = "submitted"
    SCHEDULED = "scheduled"
    VISITED = "visited"
    EVALUATED = "evaluated"
    DECIDED = "decided"
    RECOMMENDED = "recommended"
    WITHDRAWN = "withdrawn"


STATUSES: Final[tuple[str, ...]] = tuple(s.value for s in Status)


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Text for sorting and comparing without case or diacritics (cached: titles, agency names
    and evaluators' remarks repeat across the views)."""
    return _fold(text)


def score(value: float) -> float:
    """A score as stored and shown: rounded to two decimals the way the evaluation service
    rounds its final scores (Python's ``round``), so both services show the same figures."""
    return round(value, 2)


def mean(values: Sequence[float]) -> float | None:
    return score(statistics.fmean(values)) if values else None


@dataclass(frozen=True)
class EvaluationSummary:
    count: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    tally: dict[str, int]

    @property
    def spread(self) -> float | None:
        if self.minimum is None or self.maximum is None:
            return None
        return score(self.maximum - self.minimum)


def summarise(evaluations: Sequence[EvaluationFact]) -> EvaluationSummary:
    totals = [e.total for e in evaluations]
    tally = Counter(e.recommendation for e in evaluations)
    return EvaluationSummary(
        count=len(totals),
        mean=mean(totals),
        minimum=score(min(totals)) if totals else None,
        maximum=score(max(totals)) if totals else None,
        tally={r: tally.get(r, 0) for r in RECOMMENDATIONS},
    )


@dataclass(frozen=True)
class InitiativeLife:
    initiative_id: UUID
    campaign_year: int
    agency: AgencyInfo
    kind: str
    title: str
    summary: str
    par_area: str
    results: str
    limitations: str
    applied_since: date | None
    submitted_at: datetime | None
    amended_at: datetime | None
    submission_received: bool
    status: Status
    withdrawn_at: datetime | None
    withdrawal_reason: str
    round_id: UUID | None
    round_sequence: int | None
    visit_date: date | None
    visit_starts_at: time | None
    evaluations: tuple[EvaluationFact, ...]
    summary_scores: EvaluationSummary
    recommendation: RecommendationFact | None
    decision: DecisionFact | None

    @property
    def withdrawn(self) -> bool:
        return self.status is Status.WITHDRAWN

    @property
    def surveyed(self) -> bool:
        return bool(self.evaluations)

    @property
    def mean_score(self) -> float | None:
        return self.summary_scores.mean


@dataclass(frozen=True)
class RankedInitiative:
    rank: int
    life: InitiativeLife


@dataclass(frozen=True)
class VisitResult:
    visit_id: UUID
    initiative_id: UUID
    title: str
    agency: AgencyInfo
    par_area: str | None
    date: date
    starts_at: time
    evaluations: tuple[EvaluationFact, ...]
    summary_scores: EvaluationSummary
    status: Status | None


@dataclass(frozen=True)
class RoundResult:
    round_id: UUID
    campaign_year: int
    sequence: int
    status: str  # scheduled | rescheduled | cancelled
    starts_on: date | None
    ends_on: date | None
    team: tuple[TeamMemberFact, ...]
    visits: tuple[VisitResult, ...]
    reason: str
    summary_scores: EvaluationSummary
    visits_evaluated: int
    strengths: tuple[str, ...]
    limitations: tuple[str, ...]
    difficulties: tuple[str, ...]


@dataclass(frozen=True)
class AgencyScorecard:
    agency: AgencyInfo
    submitted: int
    withdrawn: int
    scheduled: int
    surveyed: int
    evaluations: int
    recommended: int
    mean_score: float | None
    best_score: float | None
    initiatives: tuple[InitiativeLife, ...]


@dataclass(frozen=True)
class ParIndexRow:
    unit_code: str
    unit_name: str
    unit_level: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None
    points: float


@dataclass(frozen=True)
class AreaFigures:
    par_area: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None


@dataclass(frozen=True)
class Dashboard:
    campaign_year: int
    initiatives_received: int
    initiatives_active: int
    withdrawn: int
    agencies_participating: int
    by_status: dict[str, int]
    by_level: dict[str, int]
    by_kind: dict[str, int]
    by_par_area: tuple[AreaFigures, ...]
    rounds_confirmed: int
    rounds_cancelled: int
    visits_planned: int
    first_visit_on: date | None
    last_visit_on: date | None
    surveyed: int
    evaluations: int
    mean_score: float | None
    evaluation_tally: dict[str, int]
    decisions: dict[str, int]
    recommended: int
    recommended_by_scope: dict[str, int]
    inbound_rejected: int
    awaiting_submission: int


@dataclass
class CampaignView:
    """Every read model of one campaign; built once per log position and then queried."""

    year: int
    lives: dict[UUID, InitiativeLife]
    rounds: tuple[RoundResult, ...]
    dashboard: Dashboard
    ranking: tuple[RankedInitiative, ...]
    scorecards: tuple[AgencyScorecard, ...]
    par_index: tuple[ParIndexRow, ...]
    recommended: tuple[InitiativeLife, ...]
    # The rule of the newest contribution announced (None before the first): documents state it.
    par_rule: ParRuleFact | None = None
    # The inbound messages refused in this campaign (or, naming none, in this year), newest first.
    rejections: tuple[RejectionFact, ...] = ()
    # The campaign's settings as intake announced them (None before): the plan documents cite.
    settings: CampaignSettingsFact | None = None
    _sorted_lives: tuple[InitiativeLife, ...] = field(default=())

    @property
    def initiatives(self) -> tuple[InitiativeLife, ...]:
        return self._sorted_lives
