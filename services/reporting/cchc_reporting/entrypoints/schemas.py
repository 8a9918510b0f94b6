"""The API's response bodies (OpenAPI), built from the domain's views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from cchc_reporting.domain import disclosure
from cchc_reporting.domain.facts import RejectionFact
from cchc_reporting.domain.follow_up import STANDING_VI
from cchc_reporting.domain.labels import (
    DECISION_VI,
    KIND_VI,
    LEVEL_VI,
    RECOMMENDATION_VI,
    ROLE_VI,
    ROUND_STATUS_VI,
    SCOPE_VI,
    STATUS_VI,
    par_area_vi,
)
from cchc_reporting.domain.lineage import Lineage, LineageEntry
from cchc_reporting.domain.read_models import (
    AgencyScorecard,
    Dashboard,
    EvaluationSummary,
    InitiativeLife,
    ParIndexRow,
    RankedInitiative,
    RoundResult,
    VisitResult,
)
from cchc_shared.contracts.events import PAR_AREAS
from cchc_shared.contracts.visibility import (
    EVERYTHING,
    Disclosure,
    EvaluationOutcome,
    Part,
    Visibility,
)
from cchc_shared.contracts.vocabulary import BUILDS_ON_RELATION_NAMES_VI

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="items matching the filters, over all pages")
    page: int
    page_size: int


class Scores(BaseModel):
    evaluation_count: int
    mean_score: float | None = Field(description="mean of the evaluators' latest totals")
    min_score: float | None
    max_score: float | None
    spread: float | None
    replicate: int = Field(description="evaluations recommending replication")
    improve: int
    not_recommended: int

    @classmethod
    def of(cls, summary: EvaluationSummary) -> Scores:
        return cls(
            evaluation_count=summary.count,
            mean_score=summary.mean,
            min_score=summary.minimum,
            max_score=summary.maximum,
            spread=summary.spread,
            replicate=summary.tally["replicate"],
            improve=summary.tally["improve"],
            not_recommended=summary.tally["not_recommended"],
        )


class InitiativeOut(BaseModel):
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    agency_name: str
    agency_level: str
    district_code: str | None
    district_name: str | None
    kind: str
    kind_name: str
    title: str
    par_area: str
    par_area_name: str
    status: str
    status_name: str
    submission_received: bool
    submitted_at: datetime | None
    amended_at: datetime | None
    withdrawn_at: datetime | None
    round_id: UUID | None
    round_sequence: int | None
    visit_date: date | None
    disclosure: Disclosure = Field(
        description="How much the reader sees of the evaluations: full, outcome (the agency, "
        "once decided) or status (the agency, before the decision)"
    )
    scores: Scores | None = Field(description="Withheld from the agency")
    recommended: bool
    final_score: float | None
    scope: str | None
    decision: str | None = Field(description="the Department's selection decision, if any")
    decision_name: str | None

    @classmethod
    def fields_of(cls, life: InitiativeLife, seen: Visibility = EVERYTHING) -> dict[str, object]:
        recommendation = life.recommendation if seen.shows(Part.DECISION) else None
        decision = life.decision if seen.shows(Part.DECISION) else None
        return {
            "initiative_id": life.initiative_id,
            "campaign_year": life.campaign_year,
            "agency_code": life.agency.code,
            "agency_name": life.agency.name,
            "agency_level": life.agency.level,
            "district_code": life.agency.district_code,
            "district_name": life.agency.district_name,
            "kind": life.kind,
            "kind_name": KIND_VI.get(life.kind, life.kind),
            "title": life.title,
            "par_area": life.par_area,
            "par_area_name": par_area_vi(life.par_area),
            "status": life.status.value,
            "status_name": STATUS_VI[life.status.value],
            "submission_received": life.submission_received,
            "submitted_at": life.submitted_at,
            "amended_at": life.amended_at,
            "withdrawn_at": life.withdrawn_at,
            "round_id": life.round_id,
            "round_sequence": life.round_sequence,
            "visit_date": life.visit_date,
            "disclosure": seen.disclosure,
            "scores": Scores.of(life.summary_scores) if seen.shows(Part.ANALYSIS) else None,
            "recommended": recommendation is not None,
            "final_score": recommendation.final_score if recommendation else None,
            "scope": recommendation.scope if recommendation else None,
            "decision": decision.decision if decision else None,
            "decision_name": DECISION_VI[decision.decision] if decision else None,
        }

    @classmethod
    def of(cls, life: InitiativeLife, seen: Visibility = EVERYTHING) -> InitiativeOut:
        return cls(**cls.fields_of(life, seen))


class CriterionOut(BaseModel):
    criterion: str
    score: float
    max_score: float


class EvaluationOut(BaseModel):
    evaluation_id: UUID
    round_id: UUID
    visit_id: UUID
    evaluator_id: str
    total: float
    scores: list[CriterionOut]
    strengths: str
    limitations: str
    difficulties: str
    recommendation: str
    recommendation_name: str
    recorded_at: datetime


class RecommendationOut(BaseModel):
    final_score: float
    evaluation_count: int
    scope: str
    scope_name: str
    rationale: str
    decided_at: datetime


class InitiativeDetailOut(InitiativeOut):
    summary: str
    results: str
    limitations: str
    applied_since: date | None
    withdrawal_reason: str
    visit_starts_at: time | None
    evaluations: list[EvaluationOut] = Field(description="Each sheet; empty for the agency")
    recommendation: RecommendationOut | None
    outcome: EvaluationOutcome | None = Field(
        description="Once decided: the outcome and the team's pooled findings"
    )

    @classmethod
    def detail(cls, life: InitiativeLife, seen: Visibility = EVERYTHING) -> InitiativeDetailOut:
        r = life.recommendation if seen.shows(Part.DECISION) else None
        sheets = life.evaluations if seen.shows(Part.EVALUATIONS) else ()
        return cls(
            **cls.fields_of(life, seen),
            summary=life.summary,
            results=life.results,
            limitations=life.limitations,
            applied_since=life.applied_since,
            withdrawal_reason=life.withdrawal_reason,
            visit_starts_at=life.visit_starts_at,
            evaluations=[
                EvaluationOut(
                    evaluation_id=e.evaluation_id,
                    round_id=e.round_id,
                    visit_id=e.visit_id,
                    evaluator_id=e.evaluator_id,
                    total=e.total,
                    scores=[CriterionOut(**vars(s)) for s in e.scores],
                    strengths=e.strengths,
                    limitations=e.limitations,
                    difficulties=e.difficulties,
                    recommendation=e.recommendation,
                    recommendation_name=RECOMMENDATION_VI[e.recommendation],
                    recorded_at=e.recorded_at,
                )
                for e in sheets
            ],
            recommendation=RecommendationOut(
                final_score=r.final_score,
                evaluation_count=r.evaluation_count,
                scope=r.scope,
                scope_name=SCOPE_VI[r.scope],
                rationale=r.rationale,
                decided_at=r.decided_at,
            )
            if r
            else None,
            outcome=disclosure.outcome(life, seen),
        )


class RankedOut(InitiativeOut):
    rank: int

    @classmethod
    def ranked(cls, item: RankedInitiative) -> RankedOut:
        return cls(rank=item.rank, **cls.fields_of(item.life))


class RecommendedOut(BaseModel):
    initiative_id: UUID
    agency_code: str
    agency_name: str
    title: str
    kind: str
    kind_name: str
    par_area: str
    par_area_name: str
    final_score: float
    evaluation_count: int
    scope: str
    scope_name: str
    rationale: str
    decided_at: datetime

    @classmethod
    def of(cls, life: InitiativeLife) -> RecommendedOut:
        r = life.recommendation
        assert r is not None
        return cls(
            initiative_id=life.initiative_id,
            agency_code=life.agency.code,
            agency_name=life.agency.name,
            title=life.title,
            kind=life.kind,
            kind_name=KIND_VI.get(life.kind, life.kind),
            par_area=life.par_area,
            par_area_name=par_area_vi(life.par_area),
            final_score=r.final_score,
            evaluation_count=r.evaluation_count,
            scope=r.scope,
            scope_name=SCOPE_VI[r.scope],
            rationale=r.rationale,
            decided_at=r.decided_at,
        )


class TeamMemberOut(BaseModel):
    member_id: str
    name: str
    role: str
    role_name: str
    agency_code: str


class VisitOut(BaseModel):
    visit_id: UUID
    initiative_id: UUID
    title: str
    agency_code: str
    agency_name: str
    par_area: str | None
    date: date
    starts_at: time
    status: str | None
    scores: Scores

    @classmethod
    def of(cls, visit: VisitResult) -> VisitOut:
        return cls(
            visit_id=visit.visit_id,
            initiative_id=visit.initiative_id,
            title=visit.title,
            agency_code=visit.agency.code,
            agency_name=visit.agency.name,
            par_area=visit.par_area,
            date=visit.date,
            starts_at=visit.starts_at,
            status=visit.status.value if visit.status else None,
            scores=Scores.of(visit.summary_scores),
        )


class RoundOut(BaseModel):
    round_id: UUID
    campaign_year: int
    sequence: int
    status: str
    status_name: str
    starts_on: date | None
    ends_on: date | None
    reason: str
    team: list[TeamMemberOut]
    visits_planned: int
    visits_evaluated: int
    scores: Scores

    @classmethod
    def fields_of(cls, r: RoundResult) -> dict[str, object]:
        return {
            "round_id": r.round_id,
            "campaign_year": r.campaign_year,
            "sequence": r.sequence,
            "status": r.status,
            "status_name": ROUND_STATUS_VI[r.status],
            "starts_on": r.starts_on,
            "ends_on": r.ends_on,
            "reason": r.reason,
            "team": [
                TeamMemberOut(
                    member_id=m.member_id,
                    name=m.name,
                    role=m.role,
                    role_name=ROLE_VI.get(m.role, m.role),
                    agency_code=m.agency_code,
                )
                for m in r.team
            ],
            "visits_planned": len(r.visits),
            "visits_evaluated": r.visits_evaluated,
            "scores": Scores.of(r.summary_scores),
        }

    @classmethod
    def of(cls, r: RoundResult) -> RoundOut:
        return cls(**cls.fields_of(r))


class RoundDetailOut(RoundOut):
    visits: list[VisitOut]
    strengths: list[str]
    limitations: list[str]
    difficulties: list[str]

    @classmethod
    def detail(cls, r: RoundResult) -> RoundDetailOut:
        return cls(
            **cls.fields_of(r),
            visits=[VisitOut.of(v) for v in r.visits],
            strengths=list(r.strengths),
            limitations=list(r.limitations),
            difficulties=list(r.difficulties),
        )


class ScorecardOut(BaseModel):
    agency_code: str
    agency_name: str
    agency_level: str
    district_code: str | None
    district_name: str | None
    submitted: int = Field(description="initiatives not withdrawn")
    withdrawn: int
    scheduled: int
    surveyed: int
    evaluations: int
    recommended: int
    mean_score: float | None
    best_score: float | None

    @classmethod
    def fields_of(cls, card: AgencyScorecard) -> dict[str, object]:
        return {
            "agency_code": card.agency.code,
            "agency_name": card.agency.name,
            "agency_level": card.agency.level,
            "district_code": card.agency.district_code,
            "district_name": card.agency.district_name,
            "submitted": card.submitted,
            "withdrawn": card.withdrawn,
            "scheduled": card.scheduled,
            "surveyed": card.surveyed,
            "evaluations": card.evaluations,
            "recommended": card.recommended,
            "mean_score": card.mean_score,
            "best_score": card.best_score,
        }

    @classmethod
    def of(cls, card: AgencyScorecard) -> ScorecardOut:
        return cls(**cls.fields_of(card))


class ScorecardDetailOut(ScorecardOut):
    initiatives: list[InitiativeOut]

    @classmethod
    def detail(
        cls, card: AgencyScorecard, seen: Callable[[InitiativeLife], Visibility]
    ) -> ScorecardDetailOut:
        return cls(
            **cls.fields_of(card),
            initiatives=[InitiativeOut.of(life, seen(life)) for life in card.initiatives],
        )


class ParIndexOut(BaseModel):
    unit_code: str
    unit_name: str
    unit_level: str
    unit_level_name: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None
    points: float = Field(description="points under the configured PAR-Index rule")

    @classmethod
    def of(cls, row: ParIndexRow) -> ParIndexOut:
        return cls(unit_level_name=LEVEL_VI.get(row.unit_level, row.unit_level), **vars(row))


class AreaOut(BaseModel):
    par_area: str
    par_area_name: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None


class DashboardOut(BaseModel):
    campaign_year: int
    initiatives_received: int = Field(description="every initiative received, withdrawn included")
    initiatives_active: int
    withdrawn: int
    agencies_participating: int
    by_status: dict[str, int]
    by_level: dict[str, int]
    by_kind: dict[str, int]
    by_par_area: list[AreaOut]
    rounds_confirmed: int
    rounds_cancelled: int
    visits_planned: int
    first_visit_on: date | None
    last_visit_on: date | None
    surveyed: int
    evaluations: int
    mean_score: float | None
    evaluation_tally: dict[str, int]
    decisions: dict[str, int] = Field(description="selection decisions by outcome")
    recommended: int
    recommended_by_scope: dict[str, int]
    inbound_rejected: int
    awaiting_submission: int = Field(
        description="initiatives with evaluations whose submission has not arrived yet"
    )

    @classmethod
    def of(cls, d: Dashboard) -> DashboardOut:
        assert tuple(a.par_area for a in d.by_par_area) == PAR_AREAS
        return cls(
            **{k: v for k, v in vars(d).items() if k != "by_par_area"},
            by_par_area=[
                AreaOut(par_area_name=par_area_vi(a.par_area), **vars(a)) for a in d.by_par_area
            ],
        )


class RejectionErrorOut(BaseModel):
    field: str = Field(description="the JSON path of the refused part of the message")
    message: str


class RejectionOut(BaseModel):
    """An inbound message intake refused (initiative.rejected.v1), with each reason."""

    origin_source: str
    origin_id: str
    campaign_year: int | None
    errors: list[RejectionErrorOut]
    rejected_at: datetime | None

    @classmethod
    def of(cls, fact: RejectionFact) -> RejectionOut:
        return cls(
            origin_source=fact.origin_source,
            origin_id=fact.origin_id,
            campaign_year=fact.campaign_year,
            errors=[RejectionErrorOut(field=f, message=m) for f, m in fact.errors],
            rejected_at=fact.occurred_at,
        )


class CampaignOut(BaseModel):
    campaign_year: int
    initiatives_received: int = Field(
        0,
        description="initiatives received, withdrawn included; 0 for a year that holds only "
        "what was carried into it (PAR-Index points of models adopted after the last campaign)",
    )


class RebuildOut(BaseModel):
    events: int
    projected: int
    unknown_types: dict[str, int]
    invalid: int
    rows: dict[str, int]
    generation: int


class LogOut(BaseModel):
    events: int
    last_seq: int
    generation: int
    by_type: dict[str, int]


class RecognitionOut(BaseModel):
    decision_id: UUID
    decision_number: str = Field(description="the People's Committee's Quyết định")
    signed_on: date
    scope: str
    scope_name: str
    targets: int = Field(description="agencies that must adopt the model")
    adopted: int = Field(description="of them, those whose latest report says adopted")


class LineageEntryOut(BaseModel):
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    agency_name: str
    kind: str
    title: str
    place: Literal["earlier", "this", "later"] = Field(
        description="an earlier initiative it builds on, this one, or a later one building on it"
    )
    builds_on_id: UUID | None = Field(description="the initiative this entry builds on")
    relation: str | None = Field(description="resubmission | improvement | adoption")
    relation_name: str | None
    status: str | None = Field(description="its campaign's status, when the reader may see it")
    status_name: str | None
    score: float | None = Field(description="its mean score, when the reader may see it")
    decision: str | None = Field(description="the Department's decision, when it may be seen")
    decision_name: str | None
    recognition: RecognitionOut | None = Field(
        description="recognised by the People's Committee, and how far it spread"
    )
    adoption_status: str | None = Field(
        description="for an adoption: the agency's latest report on the model it builds on"
    )
    adoption_status_name: str | None

    @classmethod
    def of(cls, entry: LineageEntry) -> LineageEntryOut:
        r = entry.recognition
        return cls(
            initiative_id=entry.initiative_id,
            campaign_year=entry.campaign_year,
            agency_code=entry.agency.code,
            agency_name=entry.agency.name,
            kind=entry.kind,
            title=entry.title,
            place=entry.place,
            builds_on_id=entry.builds_on_id,
            relation=entry.relation,
            relation_name=BUILDS_ON_RELATION_NAMES_VI.get(entry.relation or ""),
            status=entry.status,
            status_name=STATUS_VI.get(entry.status or ""),
            score=entry.score,
            decision=entry.decision,
            decision_name=DECISION_VI.get(entry.decision or ""),
            recognition=(
                RecognitionOut(
                    decision_id=r.decision_id,
                    decision_number=r.decision_number,
                    signed_on=r.signed_on,
                    scope=r.scope,
                    scope_name=SCOPE_VI.get(r.scope, r.scope),
                    targets=r.targets,
                    adopted=r.adopted,
                )
                if r
                else None
            ),
            adoption_status=entry.adoption_status,
            adoption_status_name=STANDING_VI.get(entry.adoption_status or ""),
        )


class LineageOut(BaseModel):
    initiative_id: UUID
    entries: list[LineageEntryOut] = Field(
        description="the earlier initiatives (oldest first), this one, then the later ones"
    )

    @classmethod
    def of(cls, lineage: Lineage) -> LineageOut:
        return cls(
            initiative_id=lineage.initiative_id,
            entries=[LineageEntryOut.of(e) for e in lineage.entries],
        )
