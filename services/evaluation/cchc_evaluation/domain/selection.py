"""Aggregation and selection: an initiative's evaluations aggregated under the selection
policy, the sector opinion and the secretariat's decision. Pure: no I/O."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

from cchc_evaluation.domain.evaluations import SCORING_ROLES, VIETNAM, Evaluation
from cchc_evaluation.domain.knowledge import InitiativeInfo, Round
from cchc_shared.contracts.vocabulary import FinalScoreMethod, Recommendation, Scope
from cchc_shared.errors import Conflict, Fault, InvalidInput

Stance = Literal["supports", "supports_with_conditions", "does_not_support"]
RECOMMENDATION_VI: dict[str, str] = {
    "replicate": "đề xuất công nhận, nhân rộng",
    "improve": "cần tiếp tục hoàn thiện",
    "not_recommended": "không đề xuất",
}


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


def eligible_evaluators(
    initiative_id: UUID,
    rounds: Sequence[Round],
    evaluations: Sequence[Evaluation],
    roles_by_year: Mapping[int, Collection[str]],
) -> int:
    """Members who may evaluate the initiative: the scoring roles (of the round's campaign,
    ``roles_by_year``) of every live round visiting it, plus anyone who already evaluated it
    (a reschedule may have moved them)."""
    members = {
        m.member_id
        for r in rounds
        if not r.is_cancelled and any(v.initiative_id == initiative_id for v in r.visits)
        for m in r.team
        if m.role in roles_by_year.get(r.campaign_year, SCORING_ROLES)
    }
    members |= {e.evaluator_id for e in evaluations}
    return len(members)


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
