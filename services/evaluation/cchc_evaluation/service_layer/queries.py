"""The read side: what the API shows, each read inside one unit of work. Something the
requester may not see answers as absent (404)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from cchc_evaluation.domain.access import (
    READ_ALL_ROLES,
    hidden,
    may_see_team_scores,
    surveyor_id,
    visibility_of,
)
from cchc_evaluation.domain.commands import Actor
from cchc_evaluation.domain.evaluations import Evaluation
from cchc_evaluation.domain.knowledge import InitiativeInfo, Round, Visit
from cchc_evaluation.domain.par_index import IndexRow, InitiativeOutcome, par_index
from cchc_evaluation.domain.rubric import Rubric, default_rubric
from cchc_evaluation.domain.selection import (
    Aggregate,
    Decision,
    SectorOpinion,
    aggregate,
    eligible_evaluators,
)
from cchc_evaluation.ports import UnitOfWork
from cchc_evaluation.service_layer.services import Services, scoring_roles_by_year
from cchc_shared.contracts.visibility import (
    EVERYTHING,
    EvaluationOutcome,
    Part,
    Visibility,
)
from cchc_shared.contracts.vocabulary import Role
from cchc_shared.errors import Fault, Forbidden
from cchc_shared.reference import district_of, load_agencies

# --------------------------------------------------------------------------------------
# Rubric


async def rubric_of(uow: UnitOfWork, year: int, rubric_step: float) -> tuple[Rubric, bool]:
    """The campaign's rubric and whether it is its own (False: the default applies)."""
    stored = await uow.rubrics.get(year)
    if stored is not None:
        return stored, True
    return default_rubric(year, rubric_step), False


async def get_rubric(services: Services, year: int) -> tuple[Rubric, bool]:
    async with services.uow() as uow:
        return await rubric_of(uow, year, services.rubric_step)


# --------------------------------------------------------------------------------------
# Evaluations and what a surveyor sees


async def get_evaluation(
    services: Services, actor: Actor, evaluation_id: UUID
) -> tuple[Evaluation, list[dict[str, Any]]]:
    """An evaluation and its audit trail, for its evaluator, their team and the staff."""
    async with services.uow() as uow:
        evaluation = await uow.evaluations.get(evaluation_id)
        if evaluation is None:
            raise hidden("phiếu đánh giá", evaluation_id)
        rounds = await uow.rounds.visiting([evaluation.initiative_id])
        if actor.member_id != evaluation.evaluator_id and not may_see_team_scores(actor, rounds):
            raise hidden("phiếu đánh giá", evaluation_id)
        return evaluation, await uow.audit.history("evaluation", str(evaluation_id))


async def selection_history(services: Services, initiative_id: UUID) -> list[dict[str, Any]]:
    """Who recorded the sector department's opinion and who decided, oldest first."""
    async with services.uow() as uow:
        if await uow.initiatives.get(initiative_id) is None:
            raise hidden("sáng kiến", initiative_id)
        entries = [
            *await uow.audit.history("sector_opinion", str(initiative_id)),
            *await uow.audit.history("decision", str(initiative_id)),
        ]
    return sorted(entries, key=lambda e: e["at"])


async def rubric_history(services: Services, campaign_year: int) -> list[dict[str, Any]]:
    """Who set the campaign's rubric, or adopted the default one, oldest first."""
    async with services.uow() as uow:
        return await uow.audit.history("rubric", str(campaign_year))


@dataclass(frozen=True)
class MemberVisit:
    round: Round
    visit: Visit
    initiative: InitiativeInfo | None
    evaluation: Evaluation | None
    open_from: date
    decided: bool


async def visits_of_member(services: Services, actor: Actor) -> list[MemberVisit]:
    member_id = surveyor_id(actor)
    async with services.uow() as uow:
        rounds = await uow.rounds.with_member(member_id)
        visits = [(r, v) for r in rounds for v in r.visits]
        infos = await uow.initiatives.many(v.initiative_id for _, v in visits)
        mine = {e.initiative_id: e for e in await uow.evaluations.of_member(member_id)}
        decided = {
            d.initiative_id
            for year in {r.campaign_year for r in rounds}
            for d in await uow.decisions.of_campaign(year)
        }
    return sorted(
        (
            MemberVisit(
                r,
                v,
                infos.get(v.initiative_id),
                mine.get(v.initiative_id),
                v.date,
                v.initiative_id in decided,
            )
            for r, v in visits
        ),
        key=lambda mv: (mv.visit.date, mv.visit.starts_at),
    )


async def get_round(services: Services, actor: Actor, round_id: UUID) -> Round:
    async with services.uow() as uow:
        round_ = await uow.rounds.get(round_id)
    if round_ is None or not (
        actor.role in READ_ALL_ROLES
        or (actor.member_id is not None and round_.member(actor.member_id) is not None)
    ):
        raise hidden("đợt khảo sát", round_id)
    return round_


# --------------------------------------------------------------------------------------
# Aggregation and ranking


@dataclass(frozen=True)
class InitiativeResult:
    initiative_id: UUID
    info: InitiativeInfo | None
    stats: Aggregate
    evaluations: list[Evaluation]
    opinion: SectorOpinion | None
    decision: Decision | None
    meets_threshold: bool
    visibility: Visibility = EVERYTHING

    @property
    def outcome(self) -> EvaluationOutcome | None:
        """The decided outcome with the team's pooled findings (None before the decision)."""
        d = self.decision
        if d is None or not self.visibility.shows(Part.DECISION):
            return None
        return EvaluationOutcome.pooled(
            decision=d.decision,
            scope=d.scope,
            rationale=d.rationale,
            decided_at=d.decided_at,
            final_score=d.final_score,
            evaluation_count=d.evaluation_count,
            narratives=(
                (e.narrative.strengths, e.narrative.limitations, e.narrative.difficulties)
                for e in self.evaluations
            ),
        )


async def _results(
    uow: UnitOfWork,
    services: Services,
    ids: Sequence[UUID],
    infos: dict[UUID, InitiativeInfo],
    evaluations: Sequence[Evaluation],
    decisions: dict[UUID, Decision],
) -> list[InitiativeResult]:
    policy = services.policy
    rounds = await uow.rounds.visiting(ids)
    opinions = await uow.opinions.many(ids)
    by_initiative: dict[UUID, list[Evaluation]] = {i: [] for i in ids}
    for e in evaluations:
        by_initiative.setdefault(e.initiative_id, []).append(e)
    roles = await scoring_roles_by_year(uow, (r.campaign_year for r in rounds))
    results = []
    for initiative_id in ids:
        own = by_initiative[initiative_id]
        eligible = eligible_evaluators(initiative_id, rounds, own, roles)
        stats = aggregate(own, eligible, policy)
        results.append(
            InitiativeResult(
                initiative_id=initiative_id,
                info=infos.get(initiative_id),
                stats=stats,
                evaluations=own,
                opinion=opinions.get(initiative_id),
                decision=decisions.get(initiative_id),
                meets_threshold=stats.final_score is not None
                and stats.final_score >= policy.threshold,
            )
        )
    return results


async def initiative_result(
    services: Services, actor: Actor, initiative_id: UUID
) -> InitiativeResult:
    """What the actor may see of an initiative's results, under the platform's visibility
    policy: everything for the staff, the People's Committee and the visiting teams; its status
    and, once decided, the outcome for the agency whose initiative it is; else absent."""
    async with services.uow() as uow:
        rounds = await uow.rounds.visiting([initiative_id])
        info = await uow.initiatives.get(initiative_id)
        decision = await uow.decisions.get(initiative_id)
        visibility = visibility_of(
            actor, rounds, info.agency_code if info else None, decision is not None
        )
        if visibility.hidden:
            raise hidden("sáng kiến", initiative_id)
        evaluations = await uow.evaluations.of_initiative(initiative_id)
        if info is None and not evaluations and not rounds:
            raise hidden("sáng kiến", initiative_id)
        [result] = await _results(
            uow,
            services,
            [initiative_id],
            {initiative_id: info} if info else {},
            evaluations,
            {initiative_id: decision} if decision else {},
        )
    return dataclasses.replace(result, visibility=visibility)


async def ranking(services: Services, year: int) -> list[InitiativeResult]:
    """Every live initiative of the campaign, best final score first (unevaluated last)."""
    async with services.uow() as uow:
        infos = {i.id: i for i in await uow.initiatives.of_campaign(year)}
        evaluations = await uow.evaluations.of_campaign(year)
        ids = [i for i, info in infos.items() if not info.is_withdrawn]
        # Evaluated before intake's event arrived: shown, without its content.
        ids += sorted({e.initiative_id for e in evaluations} - set(infos), key=str)
        decisions = {d.initiative_id: d for d in await uow.decisions.of_campaign(year)}
        results = await _results(uow, services, ids, infos, evaluations, decisions)
    return sorted(
        results,
        key=lambda r: (
            r.stats.final_score is None,
            -(r.stats.final_score or 0.0),
            -r.stats.count,
            (r.info.title or "") if r.info else "",
        ),
    )


# --------------------------------------------------------------------------------------
# PAR Index


async def par_index_table(services: Services, actor: Actor, year: int) -> list[IndexRow]:
    known = [(r.info, r) for r in await ranking(services, year) if r.info is not None]
    outcomes = [
        InitiativeOutcome(
            agency_code=info.agency_code,
            final_score=r.stats.final_score,
            recommended=r.decision is not None and r.decision.decision == "replicate",
        )
        for info, r in known
    ]
    units = list(services.units.values())
    async with services.uow() as uow:  # replication fed back: the previous campaign's models
        adopters = await uow.adoptions.adopters(year - 1, load_agencies())
    rows = par_index(units, outcomes, services.par_rule, district_of, adopters)
    if actor.role in READ_ALL_ROLES:
        return rows
    if actor.role == Role.AGENCY_SUBMITTER:  # an agency sees the row its initiatives count in
        # ... and, by the visibility policy, a mean over its decided initiatives only.
        decided = [
            dataclasses.replace(o, final_score=o.final_score if r.decision else None)
            for o, (_, r) in zip(outcomes, known, strict=True)
        ]
        means = {
            row.agency_code: row.mean_score
            for row in par_index(units, decided, services.par_rule, district_of, adopters)
        }
        own = _units_of_agency(actor.agency_code)
        return [
            dataclasses.replace(row, mean_score=means.get(row.agency_code))
            for row in rows
            if row.agency_code in own
        ]
    raise Forbidden(
        Fault("Authorization", "Không có quyền xem bảng chỉ số", "not allowed to read the index")
    )


def _units_of_agency(code: str | None) -> set[str]:
    if code is None:
        return set()
    district = district_of(code)
    return {code} | ({district} if district else set())
