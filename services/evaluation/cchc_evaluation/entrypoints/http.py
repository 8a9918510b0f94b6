"""HTTP entry points (``/api/v1``): thin, they parse, call a handler and shape the answer."""

from __future__ import annotations

import dataclasses
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request

from cchc_evaluation.domain.commands import (
    Actor,
    AmendEvaluation,
    Decide,
    EvaluationSheet,
    RecordEvaluation,
    RecordSectorOpinion,
    SetRubric,
)
from cchc_evaluation.domain.evaluations import Narrative, check_idempotency_key
from cchc_evaluation.domain.selection import DecisionRequest
from cchc_evaluation.entrypoints.schemas import (
    DecisionIn,
    DecisionOut,
    EvaluationAmendIn,
    EvaluationIn,
    EvaluationOut,
    IndexRowOut,
    InitiativeResultOut,
    MemberVisitOut,
    OpinionIn,
    OpinionOut,
    ParIndexOut,
    ParIndexRuleOut,
    RankingOut,
    RoundOut,
    RubricIn,
    RubricOut,
)
from cchc_evaluation.service_layer import handlers, queries
from cchc_evaluation.service_layer.services import Services
from cchc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from cchc_shared.auth.principal import PERSON_ROLE_SET
from cchc_shared.chassis.audit import AuditEntryOut
from cchc_shared.chassis.http import CampaignYearPath
from cchc_shared.errors import Fault, Forbidden

router = APIRouter()

Year = CampaignYearPath
Staff = Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))]
Surveyor = Annotated[Principal, Depends(require_roles(Role.SURVEYOR))]
# Every role but ``platform``: what only a person does or sees (their visits, notices,
# evaluations); another platform's client is refused at the door.
Person = Annotated[Principal, Depends(require_roles(*PERSON_ROLE_SET))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER))
]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(_services)]


def _actor(principal: Principal) -> Actor:
    return Actor(
        principal.subject,
        principal.role.value,
        principal.member_id,
        principal.agency_code,
        name=principal.display_name,
    )


def _sheet(body: EvaluationIn | EvaluationAmendIn) -> EvaluationSheet:
    return EvaluationSheet(
        scores=tuple((s.criterion, s.score) for s in body.scores),
        narrative=Narrative(body.strengths, body.limitations, body.difficulties),
        recommendation=body.recommendation,
    )


# --------------------------------------------------------------------------------------
# Rubric


@router.get("/rubrics/{campaign_year}", tags=["rubric"], response_model=RubricOut)
async def read_rubric(campaign_year: Year, _: CurrentPrincipal, services: Svc) -> RubricOut:
    """The campaign's rubric (bộ tiêu chí), or the default one while it has none of its own."""
    rubric, own = await queries.get_rubric(services, campaign_year)
    return RubricOut.of(rubric, own)


@router.put("/rubrics/{campaign_year}", tags=["rubric"], response_model=RubricOut)
async def replace_rubric(
    campaign_year: Year, body: RubricIn, principal: Staff, services: Svc
) -> RubricOut:
    """Set the campaign's rubric; refused (409) once an evaluation was recorded under it."""
    rubric = await handlers.set_rubric(
        services, _actor(principal), SetRubric(body.to_domain(campaign_year))
    )
    return RubricOut.of(rubric, True)


@router.get("/rubrics/{campaign_year}/history", tags=["rubric"], response_model=list[AuditEntryOut])
async def rubric_history(campaign_year: Year, _: Staff, services: Svc) -> list[AuditEntryOut]:
    """Who set the campaign's rubric (or adopted the default), when: oldest first."""
    return [AuditEntryOut(**e) for e in await queries.rubric_history(services, campaign_year)]


# --------------------------------------------------------------------------------------
# Surveyors: visits and evaluations


@router.get("/my/visits", tags=["evaluations"], response_model=list[MemberVisitOut])
async def my_visits(principal: Surveyor, services: Svc) -> list[MemberVisitOut]:
    """The caller's visits across the rounds they are on, with their evaluation if any."""
    return [
        MemberVisitOut.of(mv) for mv in await queries.visits_of_member(services, _actor(principal))
    ]


@router.get("/rounds/{round_id}", tags=["evaluations"], response_model=RoundOut)
async def read_round(round_id: UUID, principal: Person, services: Svc) -> RoundOut:
    return RoundOut.of(await queries.get_round(services, _actor(principal), round_id))


@router.post("/evaluations", tags=["evaluations"], status_code=201, response_model=EvaluationOut)
async def record_evaluation(
    body: EvaluationIn,
    principal: Surveyor,
    services: Svc,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="The device's key of this sheet (e.g. a UUID made when the form "
            "opened): the same key and sheet again return the same evaluation and record "
            "nothing; the same key with another sheet is a 409"
        ),
    ] = None,
) -> EvaluationOut:
    """Record the caller's evaluation of a visit's initiative (one per member per initiative).
    Only a member of the visit's round, from the visit date; publishes EvaluationRecorded.
    With an ``Idempotency-Key``, a retry (a queued submission, a double tap) is answered with
    the evaluation first recorded under it."""
    if body.evaluator_id is not None and body.evaluator_id != principal.member_id:
        raise Forbidden(
            Fault(
                "evaluator_id",
                "Chỉ được ghi nhận đánh giá của chính mình",
                "an evaluation can only be recorded by its own evaluator",
            )
        )
    evaluation = await handlers.record_evaluation(
        services,
        _actor(principal),
        RecordEvaluation(
            body.visit_id,
            _sheet(body),
            body.initiative_id,
            body.round_id,
            check_idempotency_key(idempotency_key) if idempotency_key is not None else None,
        ),
    )
    return EvaluationOut.of(evaluation)


@router.put("/evaluations/{evaluation_id}", tags=["evaluations"], response_model=EvaluationOut)
async def amend_evaluation(
    evaluation_id: UUID, body: EvaluationAmendIn, principal: Surveyor, services: Svc
) -> EvaluationOut:
    """Amend the caller's evaluation until the initiative is decided; every change is audited
    and publishes EvaluationRecorded again (same evaluation_id, new version)."""
    evaluation = await handlers.amend_evaluation(
        services, _actor(principal), AmendEvaluation(evaluation_id, _sheet(body), body.reason)
    )
    return EvaluationOut.of(evaluation)


@router.get("/evaluations/{evaluation_id}", tags=["evaluations"], response_model=EvaluationOut)
async def read_evaluation(evaluation_id: UUID, principal: Person, services: Svc) -> EvaluationOut:
    """An evaluation with its audit trail: for its evaluator, their team and the staff."""
    evaluation, history = await queries.get_evaluation(services, _actor(principal), evaluation_id)
    return EvaluationOut.of(evaluation, history)


# --------------------------------------------------------------------------------------
# Selection


@router.get(
    "/initiatives/{initiative_id}/results",
    tags=["selection"],
    response_model=InitiativeResultOut,
)
async def initiative_results(
    initiative_id: UUID, principal: Person, services: Svc
) -> InitiativeResultOut:
    """Aggregation of an initiative's evaluations, with each evaluation, the sector opinion
    and the decision: for the staff, the People's Committee and the visiting teams. The agency
    whose initiative it is sees its status and, once decided, the outcome with the team's
    pooled findings, without evaluators (docs/visibility.md); any other reader, 404."""
    result = await queries.initiative_result(services, _actor(principal), initiative_id)
    return InitiativeResultOut.of(result, with_evaluations=True)


@router.get("/campaigns/{campaign_year}/ranking", tags=["selection"], response_model=RankingOut)
async def campaign_ranking(campaign_year: Year, _: Reader, services: Svc) -> RankingOut:
    """Every live initiative of the campaign, best final score first."""
    results = await queries.ranking(services, campaign_year)
    policy = services.policy
    return RankingOut(
        campaign_year=campaign_year,
        threshold=policy.threshold,
        quorum_min=policy.quorum_min,
        disagreement_range=policy.disagreement_range,
        final_score_method=policy.final_score_method,
        items=[
            InitiativeResultOut.of(r, rank=i if r.stats.final_score is not None else None)
            for i, r in enumerate(results, start=1)
        ],
    )


@router.put(
    "/initiatives/{initiative_id}/sector-opinion", tags=["selection"], response_model=OpinionOut
)
async def record_sector_opinion(
    initiative_id: UUID, body: OpinionIn, principal: Staff, services: Svc
) -> OpinionOut:
    """Record the opinion of the sector department responsible for the field (audited)."""
    opinion = await handlers.record_sector_opinion(
        services,
        _actor(principal),
        RecordSectorOpinion(initiative_id, body.agency_code, body.stance, body.opinion),
    )
    return OpinionOut.of(opinion)


@router.post(
    "/initiatives/{initiative_id}/decision",
    tags=["selection"],
    status_code=201,
    response_model=DecisionOut,
)
async def decide(
    initiative_id: UUID, body: DecisionIn, principal: Staff, services: Svc
) -> DecisionOut:
    """Decide on an initiative. Needs quorum; recommending (replicate) also needs the final
    score at or above the threshold unless an override reason is written (audited), and
    publishes ReplicationRecommended."""
    decision = await handlers.decide_initiative(
        services,
        _actor(principal),
        Decide(
            initiative_id,
            DecisionRequest(body.decision, body.scope, body.rationale, body.override_reason),
        ),
    )
    return DecisionOut.of(decision)


@router.get(
    "/initiatives/{initiative_id}/history", tags=["selection"], response_model=list[AuditEntryOut]
)
async def selection_history(initiative_id: UUID, _: Staff, services: Svc) -> list[AuditEntryOut]:
    """Who recorded the sector opinion and who decided (with any override), oldest first."""
    found = await queries.selection_history(services, initiative_id)
    return [AuditEntryOut(**e) for e in found]


# --------------------------------------------------------------------------------------
# PAR Index


@router.get("/campaigns/{campaign_year}/par-index", tags=["par-index"], response_model=ParIndexOut)
async def par_index(campaign_year: Year, principal: Person, services: Svc) -> ParIndexOut:
    """The survey's contribution to the PAR Index of each department, Thủ Đức City and each
    district (a district counts its wards' initiatives). An agency sees its own row."""
    rows = await queries.par_index_table(services, _actor(principal), campaign_year)
    rule = services.par_rule
    return ParIndexOut(
        campaign_year=campaign_year,
        rule=ParIndexRuleOut(
            **dataclasses.asdict(rule),
            formula=(
                f"min({rule.cap:g}, {rule.per_submitted:g} × submitted + {rule.per_surveyed:g} × "
                f"surveyed + {rule.per_recommended:g} × recommended + {rule.per_adopted:g} × "
                "adopted)"
            ),
        ),
        rows=[IndexRowOut.of(row) for row in rows],
    )
