"""HTTP request and response bodies (field names as in the event data, CONTRACT.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from cchc_evaluation.domain.evaluations import Evaluation
from cchc_evaluation.domain.knowledge import InitiativeInfo, Round, TeamMember, Visit
from cchc_evaluation.domain.par_index import IndexRow
from cchc_evaluation.domain.rubric import Band, Criterion, Rubric
from cchc_evaluation.domain.selection import Aggregate, Decision, SectorOpinion, Stance
from cchc_evaluation.service_layer.queries import InitiativeResult, MemberVisit
from cchc_shared.chassis.audit import AuditEntryOut
from cchc_shared.chassis.fields import Number
from cchc_shared.contracts.events import AgencyCode
from cchc_shared.contracts.events import TeamMember as TeamMemberData
from cchc_shared.contracts.events import Visit as VisitData
from cchc_shared.contracts.text import LongText, OptionalLongText, ShortText
from cchc_shared.contracts.visibility import Disclosure, EvaluationOutcome, Part
from cchc_shared.contracts.vocabulary import Recommendation, Scope

CriterionCode = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
Points = Annotated[Number, Field(ge=0, le=100)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------
# Rubric


class BandBody(_In):
    min_score: Points
    max_score: Points
    label: ShortText
    descriptor: LongText


class CriterionBody(_In):
    code: CriterionCode
    name: ShortText
    description: OptionalLongText = ""
    source: OptionalLongText = ""
    max_score: Annotated[Number, Field(gt=0, le=100)]
    bands: list[BandBody] = Field(min_length=1, max_length=10)


class RubricIn(_In):
    title: ShortText
    step: Annotated[Number, Field(gt=0, le=10)] = 0.5
    criteria: list[CriterionBody] = Field(min_length=1, max_length=20)

    def to_domain(self, year: int) -> Rubric:
        return Rubric(
            campaign_year=year,
            title=self.title,
            step=self.step,
            criteria=tuple(
                Criterion(
                    c.code,
                    c.name,
                    c.description,
                    c.source,
                    c.max_score,
                    tuple(Band(b.min_score, b.max_score, b.label, b.descriptor) for b in c.bands),
                )
                for c in self.criteria
            ),
        )


class RubricOut(BaseModel):
    campaign_year: int
    title: str
    step: float
    total_max: float
    is_default: bool = Field(
        description="True while the campaign has no rubric of its own and the default applies"
    )
    criteria: list[CriterionBody]

    @classmethod
    def of(cls, rubric: Rubric, own: bool) -> RubricOut:
        return cls(
            campaign_year=rubric.campaign_year,
            title=rubric.title,
            step=rubric.step,
            total_max=rubric.total_max,
            is_default=not own,
            criteria=[
                CriterionBody(
                    code=c.code,
                    name=c.name,
                    description=c.description,
                    source=c.source,
                    max_score=c.max_score,
                    bands=[
                        BandBody(
                            min_score=b.min_score,
                            max_score=b.max_score,
                            label=b.label,
                            descriptor=b.descriptor,
                        )
                        for b in c.bands
                    ],
                )
                for c in rubric.criteria
            ],
        )


# --------------------------------------------------------------------------------------
# Evaluations


class ScoreIn(_In):
    criterion: Annotated[str, Field(min_length=1, max_length=100)]
    score: Number


class _SheetIn(_In):
    scores: list[ScoreIn] = Field(min_length=1, max_length=50)
    strengths: LongText = Field(description="Ưu điểm")
    limitations: LongText = Field(description="Hạn chế")
    difficulties: LongText = Field(description="Khó khăn, vướng mắc")
    recommendation: Recommendation


class EvaluationIn(_SheetIn):
    visit_id: UUID
    initiative_id: UUID | None = Field(None, description="Optional cross-check of the visit's")
    round_id: UUID | None = Field(None, description="Optional cross-check of the visit's")
    evaluator_id: str | None = Field(None, description="Optional; must be the token's member")


class EvaluationAmendIn(_SheetIn):
    reason: OptionalLongText | None = Field(None, description="Why the evaluation changed")


class ScoreOut(BaseModel):
    criterion: str
    score: float
    max_score: float


class EvaluationOut(BaseModel):
    evaluation_id: UUID
    initiative_id: UUID
    round_id: UUID
    visit_id: UUID
    evaluator_id: str
    campaign_year: int
    scores: list[ScoreOut]
    total: float
    strengths: str
    limitations: str
    difficulties: str
    recommendation: Recommendation
    recorded_at: datetime
    updated_at: datetime
    version: int
    history: list[AuditEntryOut] | None = None

    @classmethod
    def of(cls, e: Evaluation, history: list[dict[str, Any]] | None = None) -> EvaluationOut:
        return cls(
            **e.values(),
            campaign_year=e.campaign_year,
            recorded_at=e.recorded_at,
            updated_at=e.updated_at,
            version=e.version,
            history=[AuditEntryOut(**h) for h in history] if history is not None else None,
        )


# --------------------------------------------------------------------------------------
# Rounds and visits


class InitiativeOut(BaseModel):
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    status: str
    kind: str | None
    title: str | None
    par_area: str | None

    @classmethod
    def of(cls, info: InitiativeInfo) -> InitiativeOut:
        return cls(
            initiative_id=info.id,
            campaign_year=info.campaign_year,
            agency_code=info.agency_code,
            status=info.status.value,
            kind=info.kind,
            title=info.title,
            par_area=info.par_area,
        )


# A round's team and visits read as the events that announced them.
def _member(m: TeamMember) -> TeamMemberData:
    return TeamMemberData.model_validate(vars(m))


def _visit(v: Visit) -> VisitData:
    return VisitData.model_validate(vars(v))  # without its round_id (ignored)


class RoundOut(BaseModel):
    round_id: UUID
    campaign_year: int
    sequence: int
    status: str
    starts_on: date | None
    ends_on: date | None
    team: list[TeamMemberData]
    visits: list[VisitData]
    cancel_reason: str

    @classmethod
    def of(cls, r: Round) -> RoundOut:
        return cls(
            round_id=r.id,
            campaign_year=r.campaign_year,
            sequence=r.sequence,
            status=r.status.value,
            starts_on=r.starts_on,
            ends_on=r.ends_on,
            team=[_member(m) for m in r.team],
            visits=[_visit(v) for v in r.visits],
            cancel_reason=r.cancel_reason,
        )


class MemberVisitOut(BaseModel):
    round_id: UUID
    round_sequence: int
    round_status: str
    visit: VisitData
    initiative: InitiativeOut | None
    evaluation_id: UUID | None
    evaluation_opens_on: date
    decided: bool

    @classmethod
    def of(cls, mv: MemberVisit) -> MemberVisitOut:
        return cls(
            round_id=mv.round.id,
            round_sequence=mv.round.sequence,
            round_status=mv.round.status.value,
            visit=_visit(mv.visit),
            initiative=InitiativeOut.of(mv.initiative) if mv.initiative else None,
            evaluation_id=mv.evaluation.id if mv.evaluation else None,
            evaluation_opens_on=mv.open_from,
            decided=mv.decided,
        )


# --------------------------------------------------------------------------------------
# Aggregation, ranking, opinion, decision


@dataclass(frozen=True)
class AggregateOut(Aggregate):
    __pydantic_config__ = ConfigDict(json_schema_serialization_defaults_required=True)

    @classmethod
    def of(cls, a: Aggregate) -> AggregateOut:
        return cls(**vars(a))


class OpinionIn(_In):
    agency_code: AgencyCode = Field(description="The sector department (sở, ngành) consulted")
    stance: Stance
    opinion: LongText


@dataclass(frozen=True)
class OpinionOut(SectorOpinion):
    @classmethod
    def of(cls, o: SectorOpinion) -> OpinionOut:
        return cls(**vars(o))


class DecisionIn(_In):
    decision: Recommendation
    scope: Scope | None = None
    rationale: LongText
    override_reason: OptionalLongText | None = Field(
        None, description="Required to recommend below the threshold; audited"
    )


@dataclass(frozen=True)
class DecisionOut(Decision):
    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(**vars(d))


class InitiativeResultOut(BaseModel):
    """An initiative's results, as much of them as the reader may see (docs/visibility.md):
    the parts withheld are null."""

    rank: int | None = None
    initiative_id: UUID
    disclosure: Disclosure = Field(
        description="How much the reader sees: full, outcome (the agency, once decided) "
        "or status (the agency, before the decision)"
    )
    initiative: InitiativeOut | None
    aggregate: AggregateOut | None = Field(description="Withheld from the agency")
    meets_threshold: bool | None = Field(description="Withheld from the agency")
    sector_opinion: OpinionOut | None
    decision: DecisionOut | None = Field(description="Withheld from the agency: see outcome")
    outcome: EvaluationOutcome | None = Field(
        None, description="Once decided: the outcome and the team's pooled findings"
    )
    evaluations: list[EvaluationOut] | None = None

    @classmethod
    def of(
        cls, r: InitiativeResult, rank: int | None = None, with_evaluations: bool = False
    ) -> InitiativeResultOut:
        seen = r.visibility
        analysis = seen.shows(Part.ANALYSIS)
        return cls(
            rank=rank,
            initiative_id=r.initiative_id,
            disclosure=seen.disclosure,
            initiative=InitiativeOut.of(r.info) if r.info and seen.shows(Part.STATUS) else None,
            aggregate=AggregateOut.of(r.stats) if analysis else None,
            meets_threshold=r.meets_threshold if analysis else None,
            sector_opinion=OpinionOut.of(r.opinion) if r.opinion and analysis else None,
            decision=DecisionOut.of(r.decision) if r.decision and analysis else None,
            outcome=r.outcome,
            evaluations=[EvaluationOut.of(e) for e in r.evaluations]
            if with_evaluations and seen.shows(Part.EVALUATIONS)
            else None,
        )


class RankingOut(BaseModel):
    campaign_year: int
    threshold: float
    quorum_min: int
    disagreement_range: float
    final_score_method: str
    items: list[InitiativeResultOut]


@dataclass(frozen=True)
class IndexRowOut(IndexRow):
    @classmethod
    def of(cls, row: IndexRow) -> IndexRowOut:
        return cls(**vars(row))


class ParIndexRuleOut(BaseModel):
    per_submitted: float
    per_surveyed: float
    per_recommended: float
    cap: float
    district_counts_wards: bool
    per_adopted: float = Field(
        description="Per model recognised after the previous campaign that the unit adopted"
    )
    formula: str


class ParIndexOut(BaseModel):
    campaign_year: int
    rule: ParIndexRuleOut
    rows: list[IndexRowOut]
