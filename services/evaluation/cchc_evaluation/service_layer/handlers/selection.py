"""Selection: the sector department's opinion, then the secretariat's decision on an
initiative under the selection policy. A decision publishes SelectionDecided (and
ReplicationRecommended when it recommends) and marks the PAR-Index unit it moves
(the recomputer announces the new contribution)."""

from __future__ import annotations

from cchc_evaluation.domain.access import hidden, require_staff
from cchc_evaluation.domain.commands import Actor, Decide, RecordSectorOpinion
from cchc_evaluation.domain.selection import (
    Decision,
    SectorOpinion,
    aggregate,
    decide,
    eligible_evaluators,
)
from cchc_evaluation.service_layer.handlers.par_index import mark_par_stale
from cchc_evaluation.service_layer.services import Services, scoring_roles_by_year
from cchc_shared.contracts import ReplicationRecommendedV1
from cchc_shared.contracts.events import SelectionDecidedV1
from cchc_shared.errors import Conflict, Fault, InvalidInput
from cchc_shared.persistence.audit import AuditEntry
from cchc_shared.reference import get_agency


async def record_sector_opinion(
    services: Services, actor: Actor, command: RecordSectorOpinion
) -> SectorOpinion:
    require_staff(actor)
    agency = get_agency(command.agency_code)
    if agency is None or not agency.is_city_level:
        raise InvalidInput(
            Fault(
                "agency_code",
                f"{command.agency_code} không phải sở, ban, ngành của Thành phố",
                f"{command.agency_code} is not a city department or agency",
            )
        )
    now = services.clock()
    async with services.uow() as uow:
        await uow.lock(command.initiative_id)
        if await uow.initiatives.get(command.initiative_id) is None:
            raise hidden("sáng kiến", command.initiative_id)
        if await uow.decisions.get(command.initiative_id) is not None:
            raise Conflict(
                Fault(
                    "initiative_id",
                    "Sáng kiến đã có quyết định; không thể thay đổi ý kiến của sở, ngành",
                    "the initiative is decided; the sector opinion can no longer change",
                )
            )
        previous = await uow.opinions.get(command.initiative_id)
        opinion = SectorOpinion(
            command.initiative_id,
            command.agency_code,
            command.stance,
            command.opinion,
            actor.subject,
            now,
        )
        await uow.opinions.save(opinion)
        await uow.audit.record(
            AuditEntry(
                "sector_opinion",
                str(command.initiative_id),
                "recorded" if previous is None else "changed",
                actor.subject,
                now,
                {
                    "agency_code": opinion.agency_code,
                    "stance": opinion.stance,
                    "opinion": opinion.opinion,
                },
                actor_name=actor.name,
            )
        )
        await uow.commit()
    return opinion


async def decide_initiative(services: Services, actor: Actor, command: Decide) -> Decision:
    require_staff(actor)
    now = services.clock()
    policy = services.policy
    async with services.uow() as uow:
        await uow.lock(command.initiative_id)
        info = await uow.initiatives.get(command.initiative_id)
        evaluations = await uow.evaluations.of_initiative(command.initiative_id)
        rounds = await uow.rounds.visiting([command.initiative_id])
        roles = await scoring_roles_by_year(uow, (r.campaign_year for r in rounds))
        eligible = eligible_evaluators(command.initiative_id, rounds, evaluations, roles)
        stats = aggregate(evaluations, eligible, policy)
        decision = decide(
            initiative=info,
            initiative_id=command.initiative_id,
            stats=stats,
            opinion=await uow.opinions.get(command.initiative_id),
            already=await uow.decisions.get(command.initiative_id),
            request=command.request,
            policy=policy,
            actor=actor.subject,
            now=now,
        )
        await uow.decisions.add(decision)
        await uow.audit.record(
            AuditEntry(
                "decision",
                str(decision.initiative_id),
                "decided_with_override" if decision.overridden else "decided",
                actor.subject,
                now,
                {
                    "decision": decision.decision,
                    "scope": decision.scope,
                    "rationale": decision.rationale,
                    "final_score": decision.final_score,
                    "evaluation_count": decision.evaluation_count,
                    "threshold": policy.threshold,
                    "quorum_required": stats.quorum_required,
                },
                decision.override_reason,
                actor_name=actor.name,
            )
        )
        assert info is not None and info.title and info.kind and info.par_area  # by decide()
        # What both announcements say of the initiative and its decision.
        announced = {
            "initiative_id": info.id,
            "campaign_year": decision.campaign_year,
            "agency_code": info.agency_code,
            "title": info.title,
            "kind": info.kind,
            "par_area": info.par_area,
            "final_score": decision.final_score,
            "evaluation_count": decision.evaluation_count,
            "rationale": decision.rationale,
            "decided_at": decision.decided_at,
        }
        uow.publish(
            SelectionDecidedV1(
                **announced,
                decision=decision.decision,
                scope=decision.scope,
                overridden=decision.overridden,
            )
        )
        if decision.decision == "replicate":
            assert decision.scope is not None  # checked by decide()
            uow.publish(ReplicationRecommendedV1(**announced, scope=decision.scope))
        await mark_par_stale(uow, services, [(info.campaign_year, info.agency_code)])
        await uow.commit()
    return decision
