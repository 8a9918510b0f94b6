"""Recording the People's Committee's Quyết định: the recognised initiatives (recommended ones
only, each recognised once), their scope, target agencies resolved from the reference data,
and deadline. One ReplicationDecided announces it, in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from cchc_replication.domain.model import Decision, RecognisedModel, TargetSelection
from cchc_replication.domain.rules import (
    decision_number_faults,
    duplicate_faults,
    model_faults,
    resolve_targets,
    signed_on_faults,
)
from cchc_replication.service_layer.access import require_staff
from cchc_replication.service_layer.services import Services
from cchc_shared.auth import Principal
from cchc_shared.contracts.events import RecognisedModelData, ReplicationDecidedV1
from cchc_shared.contracts.vocabulary import ReplicationScope
from cchc_shared.errors import Conflict, Fault, InvalidInput
from cchc_shared.persistence.audit import AuditEntry

DECISIONS_LOCK = "replication.decisions"


@dataclass(frozen=True)
class ModelChoice:
    """One initiative the Quyết định recognises, as the PAR office enters it."""

    initiative_id: UUID
    scope: ReplicationScope
    targets: TargetSelection
    deadline: date


@dataclass(frozen=True)
class RecordDecision:
    decision_number: str
    signed_on: date
    signer_name: str
    signer_title: str
    campaign_year: int
    models: tuple[ModelChoice, ...]


async def record_decision(
    services: Services, principal: Principal, command: RecordDecision
) -> Decision:
    require_staff(principal)
    recorded_at = services.clock()
    decision_id = uuid.uuid4()
    faults: list[Fault] = [
        *decision_number_faults(command.decision_number),
        *signed_on_faults(command.signed_on, command.campaign_year, recorded_at.date()),
        *duplicate_faults([m.initiative_id for m in command.models]),
    ]
    async with services.uow() as uow:
        await uow.lock(DECISIONS_LOCK)  # one decision at a time: each initiative once
        models: list[RecognisedModel] = []
        for i, choice in enumerate(command.models):
            path = f"models[{i}]"
            candidate = await uow.candidates.get(choice.initiative_id)
            recognised = await uow.decisions.model(choice.initiative_id)
            faults += model_faults(
                path,
                choice.initiative_id,
                candidate,
                recognised,
                choice.deadline,
                command.signed_on,
            )
            if candidate is None:
                continue
            if candidate.campaign_year != command.campaign_year:
                faults.append(
                    Fault(
                        f"{path}.initiative_id",
                        f"Sáng kiến thuộc năm khảo sát {candidate.campaign_year}, không phải "
                        f"{command.campaign_year}",
                        f"the initiative belongs to the {candidate.campaign_year} campaign",
                    )
                )
            targets, target_faults = resolve_targets(
                f"{path}.targets", choice.targets, choice.scope, candidate.agency_code
            )
            faults += target_faults
            models.append(
                RecognisedModel(
                    initiative_id=candidate.initiative_id,
                    decision_id=decision_id,
                    campaign_year=candidate.campaign_year,
                    agency_code=candidate.agency_code,
                    title=candidate.title,
                    kind=candidate.kind,
                    par_area=candidate.par_area,
                    scope=choice.scope,
                    targets=targets,
                    deadline=choice.deadline,
                )
            )
        if faults:
            raise InvalidInput(*faults)
        if await uow.decisions.by_number(command.decision_number) is not None:
            raise Conflict(
                Fault(
                    "decision_number",
                    f"Quyết định số {command.decision_number} đã được ghi nhận",
                    f"decision {command.decision_number} is already recorded",
                )
            )
        decision = Decision(
            decision_id=decision_id,
            decision_number=command.decision_number,
            signed_on=command.signed_on,
            signer_name=command.signer_name,
            signer_title=command.signer_title,
            campaign_year=command.campaign_year,
            models=tuple(models),
            recorded_at=recorded_at,
            recorded_by=principal.subject,
        )
        await uow.decisions.add(decision)
        event = decided_event(decision)
        await uow.audit.record(
            AuditEntry(
                "decision",
                str(decision_id),
                "recorded",
                principal.subject,
                recorded_at,
                event.model_dump(mode="json"),
                actor_name=principal.display_name,
            )
        )
        uow.publish(event)
        await uow.commit()
    return decision


def decided_event(decision: Decision) -> ReplicationDecidedV1:
    return ReplicationDecidedV1(
        decision_id=decision.decision_id,
        decision_number=decision.decision_number,
        signed_on=decision.signed_on,
        signer_name=decision.signer_name,
        signer_title=decision.signer_title,
        campaign_year=decision.campaign_year,
        models=[
            RecognisedModelData(
                initiative_id=m.initiative_id,
                campaign_year=m.campaign_year,
                agency_code=m.agency_code,
                title=m.title,
                kind=m.kind,
                par_area=m.par_area,
                scope=m.scope,
                targets=list(m.targets),
                deadline=m.deadline,
            )
            for m in decision.models
        ],
        recorded_at=decision.recorded_at,
    )
