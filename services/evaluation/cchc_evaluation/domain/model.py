"""The evaluation domain: what the service knows of initiatives and rounds (from events),
evaluations, their aggregation, the decision and the PAR-Index contribution. Pure: no I/O."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Literal
from uuid import UUID

from cchc_evaluation.domain.rubric import CriterionScore, ScoreSheet
from cchc_shared.contracts.vocabulary import FinalScoreMethod, Recommendation, Scope
from cchc_shared.errors import Conflict, Fault, Forbidden, InvalidInput

VIETNAM = timezone(timedelta(hours=7), "ICT")  # Vietnam keeps no daylight saving time

Stance = Literal["supports", "supports_with_conditions", "does_not_support"]
RECOMMENDATION_VI: dict[str, str] = {
    "replicate": "đề xuất công nhận, nhân rộng",
    "improve": "cần tiếp tục hoàn thiện",
    "not_recommended": "không đề xuất",
}


def vietnam_today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


# --------------------------------------------------------------------------------------
# Knowledge from events


class InitiativeStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


@dataclass
class InitiativeInfo:
    """An initiative as intake announced it. Content may arrive after a withdrawal (events
    are not ordered), so the content fields are optional."""

    id: UUID
    campaign_year: int
    agency_code: str
    status: InitiativeStatus
    kind: str | None = None
    title: str | None = None
    summary: str | None = None
    par_area: str | None = None
    content_as_of: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def has_content(self) -> bool:
        return self.title is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.status is InitiativeStatus.WITHDRAWN

    def apply_content(
        self, *, kind: str, title: str, summary: str, par_area: str, as_of: datetime
    ) -> bool:
        """Take the content if it is newer than what is known; a late, older version is
        ignored. True if anything changed."""
        if self.content_as_of is not None and as_of <= self.content_as_of:
            return False
        self.kind, self.title, self.summary, self.par_area = kind, title, summary, par_area
        self.content_as_of = as_of
        return True

    def withdraw(self, at: datetime) -> None:
        self.status = InitiativeStatus.WITHDRAWN
        self.withdrawn_at = at if self.withdrawn_at is None else min(self.withdrawn_at, at)


class RoundStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TeamMember:
    member_id: str
    name: str
    role: str
    agency_code: str


@dataclass(frozen=True)
class Visit:
    visit_id: UUID
    round_id: UUID
    initiative_id: UUID
    agency_code: str
    date: date
    starts_at: time


# Of two states of a round published at the same instant, a reschedule is the later one.
SCHEDULED_RANK = 0
RESCHEDULED_RANK = 1


@dataclass
class Round:
    id: UUID
    campaign_year: int
    sequence: int
    status: RoundStatus
    starts_on: date | None = None
    ends_on: date | None = None
    team: tuple[TeamMember, ...] = ()
    visits: tuple[Visit, ...] = ()
    as_of: datetime | None = None
    as_of_rank: int = -1
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status is RoundStatus.CANCELLED

    def apply_state(
        self,
        *,
        sequence: int,
        starts_on: date,
        ends_on: date,
        team: Sequence[TeamMember],
        visits: Sequence[Visit],
        as_of: datetime,
        rank: int,
    ) -> bool:
        """Take a published state of the round (scheduled or rescheduled) unless a later
        one is already known. A cancellation is final and is kept whatever arrives later."""
        if self.as_of is not None and (as_of, rank) <= (self.as_of, self.as_of_rank):
            return False
        self.sequence, self.starts_on, self.ends_on = sequence, starts_on, ends_on
        self.team, self.visits = tuple(team), tuple(visits)
        self.as_of, self.as_of_rank = as_of, rank
        return True

    def cancel(self, at: datetime, reason: str) -> None:
        self.status = RoundStatus.CANCELLED
        if self.cancelled_at is None:
            self.cancelled_at, self.cancel_reason = at, reason

    def member(self, member_id: str) -> TeamMember | None:
        return next((m for m in self.team if m.member_id == member_id), None)

    def visit(self, visit_id: UUID) -> Visit | None:
        return next((v for v in self.visits if v.visit_id == visit_id), None)


# --------------------------------------------------------------------------------------
# Evaluations


@dataclass(frozen=True)
class Narrative:
    strengths: str
    limitations: str
    difficulties: str


@dataclass
class Evaluation:
    id: UUID
    initiative_id: UUID
    round_id: UUID
    visit_id: UUID
    evaluator_id: str
    campaign_year: int
    scores: tuple[CriterionScore, ...]
    total: float
    narrative: Narrative
    recommendation: Recommendation
    recorded_at: datetime
    updated_at: datetime
    version: int = 1

    def amend(
        self, sheet: ScoreSheet, narrative: Narrative, recommendation: Recommendation, at: datetime
    ) -> None:
        self.scores, self.total = sheet.scores, sheet.total
        self.narrative, self.recommendation = narrative, recommendation
        self.updated_at = at
        self.version += 1


def check_may_evaluate(
    *,
    member_id: str,
    round_: Round,
    visit: Visit,
    initiative: InitiativeInfo | None,
    decided: bool,
    today: date,
    evaluator_roles: Iterable[str],
) -> TeamMember:
    """The rules for recording (or amending) an evaluation of ``visit``; the member if allowed."""
    member = round_.member(member_id)
    if member is None:
        raise Forbidden(
            Fault(
                "visit_id",
                f"Thành viên {member_id} không thuộc đoàn khảo sát đợt {round_.sequence} nên "
                "không được đánh giá buổi làm việc này",
                f"member {member_id} is not on the team of round {round_.sequence} "
                f"({round_.id}) and may not evaluate this visit",
            )
        )
    if member.role not in set(evaluator_roles):
        raise Forbidden(
            Fault(
                "visit_id",
                f"Vai trò {member.role} trong đoàn khảo sát không chấm điểm",
                f"team role {member.role} does not score initiatives",
            )
        )
    if round_.is_cancelled:
        raise Conflict(
            Fault(
                "visit_id",
                f"Đợt khảo sát {round_.sequence} đã bị hủy",
                f"round {round_.sequence} was cancelled",
            )
        )
    if today < visit.date:
        raise Conflict(
            Fault(
                "visit_id",
                f"Chưa đến ngày khảo sát ({visit.date:%d/%m/%Y}); chỉ được đánh giá từ ngày "
                "làm việc trở đi",
                f"the visit is on {visit.date.isoformat()}; evaluations open on that date",
            )
        )
    if initiative is not None and initiative.is_withdrawn:
        raise Conflict(
            Fault(
                "visit_id",
                "Đơn vị đã rút sáng kiến này khỏi đợt khảo sát",
                "the agency withdrew this initiative from the campaign",
            )
        )
    if decided:
        raise Conflict(
            Fault(
                "visit_id",
                "Sáng kiến đã có quyết định lựa chọn; không thể ghi nhận hoặc sửa đánh giá",
                "a selection decision was taken on this initiative; evaluations are closed",
            )
        )
    return member


# --------------------------------------------------------------------------------------
# Aggregation and selection


@dataclass(frozen=True)
class SelectionPolicy:
    """The configurable rules of selection (see the service README)."""

    threshold: float = 70.0
    quorum_min: int = 3
    disagreement_range: float = 20.0
    final_score_method: FinalScoreMethod = "mean"
    require_sector_opinion: bool = True


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    spread: float | None  # range: maximum - minimum
    stdev: float | None  # population standard deviation
    disagreement: bool
    eligible_evaluators: int
    quorum_required: int
    quorum_reached: bool
    final_score: float | None
    recommendations: dict[str, int] = field(default_factory=dict)


def final_score(evaluations: Sequence[Evaluation], policy: SelectionPolicy) -> float | None:
    """An initiative's final score: the mean or the median of its totals, as the policy says,
    rounded to two decimals; None until it is evaluated."""
    totals = [e.total for e in evaluations]
    if not totals:
        return None
    if policy.final_score_method == "mean":
        return round(statistics.fmean(totals), 2)
    return round(float(statistics.median(totals)), 2)


def aggregate(
    evaluations: Sequence[Evaluation], eligible_evaluators: int, policy: SelectionPolicy
) -> Aggregate:
    """Count, mean, median, spread of the totals; disagreement when the range exceeds the
    policy's; quorum is the whole eligible team, or ``quorum_min`` of it if larger."""
    totals = [e.total for e in evaluations]
    required = min(eligible_evaluators, policy.quorum_min) if eligible_evaluators else 1
    required = max(required, 1)
    recommendations = {r: 0 for r in RECOMMENDATION_VI}
    for e in evaluations:
        recommendations[e.recommendation] += 1
    if not totals:
        return Aggregate(
            0,
            None,
            None,
            None,
            None,
            None,
            None,
            False,
            eligible_evaluators,
            required,
            False,
            None,
            recommendations,
        )
    mean = statistics.fmean(totals)
    median = float(statistics.median(totals))
    spread = max(totals) - min(totals)
    return Aggregate(
        count=len(totals),
        mean=round(mean, 2),
        median=round(median, 2),
        minimum=min(totals),
        maximum=max(totals),
        spread=round(spread, 2),
        stdev=round(statistics.pstdev(totals), 2),
        disagreement=spread > policy.disagreement_range,
        eligible_evaluators=eligible_evaluators,
        quorum_required=required,
        quorum_reached=len(totals) >= required,
        final_score=final_score(evaluations, policy),
        recommendations=recommendations,
    )


@dataclass(frozen=True)
class SectorOpinion:
    initiative_id: UUID
    agency_code: str
    stance: Stance
    opinion: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Decision:
    initiative_id: UUID
    campaign_year: int
    decision: Recommendation
    scope: Scope | None
    rationale: str
    override_reason: str | None
    overridden: bool
    final_score: float
    evaluation_count: int
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class DecisionRequest:
    decision: Recommendation
    scope: Scope | None
    rationale: str
    override_reason: str | None


def decide(
    *,
    initiative: InitiativeInfo | None,
    initiative_id: UUID,
    stats: Aggregate,
    opinion: SectorOpinion | None,
    already: Decision | None,
    request: DecisionRequest,
    policy: SelectionPolicy,
    actor: str,
    now: datetime,
) -> Decision:
    """The secretariat's decision on one initiative, under the selection policy."""
    if already is not None:
        raise Conflict(
            Fault(
                "decision",
                f"Sáng kiến đã có quyết định ({RECOMMENDATION_VI[already.decision]}) ngày "
                f"{already.decided_at.astimezone(VIETNAM):%d/%m/%Y}",
                f"a decision ({already.decision}) was already taken on this initiative",
            )
        )
    if initiative is None or not initiative.has_content:
        raise Conflict(
            Fault(
                "initiative_id",
                "Chưa nhận được thông tin sáng kiến từ phân hệ tiếp nhận",
                f"initiative {initiative_id} is not known yet (no InitiativeSubmitted received)",
            )
        )
    if initiative.is_withdrawn:
        raise Conflict(
            Fault(
                "initiative_id",
                "Đơn vị đã rút sáng kiến này",
                "the agency withdrew this initiative",
            )
        )
    if not stats.quorum_reached or stats.final_score is None:
        raise Conflict(
            Fault(
                "decision",
                f"Chưa đủ số thành viên đánh giá: {stats.count}/{stats.quorum_required} "
                "(chưa đạt túc số)",
                f"no quorum: {stats.count} of {stats.quorum_required} required evaluations",
            )
        )
    faults: list[Fault] = []
    below = stats.final_score < policy.threshold
    if request.decision == "replicate":
        if request.scope is None:
            faults.append(
                Fault(
                    "scope",
                    "Đề xuất nhân rộng phải nêu phạm vi nhân rộng",
                    "a recommendation must name its scope",
                )
            )
        if below and not request.override_reason:
            faults.append(
                Fault(
                    "override_reason",
                    f"Điểm cuối cùng {stats.final_score:g} thấp hơn ngưỡng {policy.threshold:g}; "
                    "muốn đề xuất nhân rộng phải nêu lý do bằng văn bản",
                    f"final score {stats.final_score:g} is below the threshold "
                    f"{policy.threshold:g}; recommending needs a written override reason",
                )
            )
    elif request.scope is not None:
        faults.append(
            Fault(
                "scope",
                "Chỉ nêu phạm vi khi đề xuất nhân rộng",
                "scope applies to a recommendation (replicate) only",
            )
        )
    if faults:
        raise InvalidInput(*faults)
    if request.decision == "replicate" and policy.require_sector_opinion and opinion is None:
        raise Conflict(
            Fault(
                "sector_opinion",
                "Chưa có ý kiến của sở, ngành phụ trách lĩnh vực",
                "the sector department's opinion is not recorded yet",
            )
        )
    return Decision(
        initiative_id=initiative.id,
        campaign_year=initiative.campaign_year,
        decision=request.decision,
        scope=request.scope,
        rationale=request.rationale,
        override_reason=request.override_reason or None,
        overridden=request.decision == "replicate" and below,
        final_score=stats.final_score,
        evaluation_count=stats.count,
        decided_by=actor,
        decided_at=now,
    )


# --------------------------------------------------------------------------------------
# PAR-Index contribution


@dataclass(frozen=True)
class ParIndexRule:
    """Points of a unit's initiatives in the PAR Index (documented in the service README):
    ``min(cap, per_submitted * submitted + per_surveyed * surveyed + per_recommended *
    recommended)``; a district counts its wards' initiatives when ``district_counts_wards``."""

    per_submitted: float = 0.5
    per_surveyed: float = 0.5
    per_recommended: float = 1.0
    cap: float = 3.0
    district_counts_wards: bool = True


@dataclass(frozen=True)
class IndexUnit:
    code: str
    name: str
    level: str  # city_department, vertical_agency, district


@dataclass(frozen=True)
class InitiativeOutcome:
    agency_code: str
    final_score: float | None  # None until evaluated
    recommended: bool


@dataclass(frozen=True)
class IndexRow:
    code: str
    name: str
    level: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None
    points: float


def par_unit_of(
    agency_code: str,
    unit_codes: Container[str],
    rule: ParIndexRule,
    district_of: Callable[[str], str | None],
) -> str | None:
    """The unit whose PAR Index an agency's initiatives count in, or None (not counted)."""
    if agency_code in unit_codes:
        return agency_code
    if rule.district_counts_wards:
        district = district_of(agency_code)
        if district is not None and district in unit_codes:
            return district
    return None


def par_index(
    units: Sequence[IndexUnit],
    outcomes: Iterable[InitiativeOutcome],
    rule: ParIndexRule,
    district_of: Callable[[str], str | None],
) -> list[IndexRow]:
    """One row per unit: its own live initiatives and, for a district, its wards' ones."""
    unit_codes = {u.code for u in units}
    by_unit: dict[str, list[InitiativeOutcome]] = {u.code: [] for u in units}
    for outcome in outcomes:
        code = par_unit_of(outcome.agency_code, unit_codes, rule, district_of)
        if code is not None:
            by_unit[code].append(outcome)
    rows = []
    for unit in units:
        items = by_unit[unit.code]
        scores = [o.final_score for o in items if o.final_score is not None]
        surveyed, recommended = len(scores), sum(1 for o in items if o.recommended)
        points = min(
            rule.cap,
            rule.per_submitted * len(items)
            + rule.per_surveyed * surveyed
            + rule.per_recommended * recommended,
        )
        rows.append(
            IndexRow(
                code=unit.code,
                name=unit.name,
                level=unit.level,
                submitted=len(items),
                surveyed=surveyed,
                recommended=recommended,
                mean_score=round(statistics.fmean(scores), 2) if scores else None,
                points=round(points, 2),
            )
        )
    return rows


@dataclass(frozen=True)
class ParContribution:
    """One unit's PAR-Index contribution to one campaign as last announced, with the rule it
    was computed under; ``version`` grows by one at each announced change."""

    campaign_year: int
    row: IndexRow
    rule: ParIndexRule
    final_score_method: FinalScoreMethod
    version: int
    computed_at: datetime


def next_contribution(
    previous: ParContribution | None,
    *,
    campaign_year: int,
    row: IndexRow,
    rule: ParIndexRule,
    final_score_method: FinalScoreMethod,
    at: datetime,
) -> ParContribution | None:
    """The contribution to announce after a change, or None if nothing announced changes
    (a unit never announced and still without initiatives stays silent)."""
    if previous is None:
        if row.submitted == 0:
            return None
    elif (previous.row, previous.rule, previous.final_score_method) == (
        row,
        rule,
        final_score_method,
    ):
        return None
    return ParContribution(
        campaign_year=campaign_year,
        row=row,
        rule=rule,
        final_score_method=final_score_method,
        version=1 if previous is None else previous.version + 1,
        computed_at=at,
    )
