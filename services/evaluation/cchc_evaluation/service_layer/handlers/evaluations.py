"""Recording and amending evaluations: a survey member scores a visited initiative once, and
may amend the sheet until the initiative is decided. Each change is audited, publishes
EvaluationRecorded and marks the PAR-Index units it moves (the recomputer announces them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from cchc_evaluation.domain.access import surveyor_id
from cchc_evaluation.domain.commands import Actor, AmendEvaluation, RecordEvaluation
from cchc_evaluation.domain.evaluations import (
    AlreadyEvaluated,
    Evaluation,
    KeyedRequest,
    check_may_evaluate,
    check_same_request,
    vietnam_today,
)
from cchc_evaluation.domain.knowledge import Round, Visit
from cchc_evaluation.ports import UnitOfWork
from cchc_evaluation.service_layer.handlers.par_index import mark_for_initiative
from cchc_evaluation.service_layer.handlers.rubrics import rubric_for_recording
from cchc_evaluation.service_layer.queries import rubric_of
from cchc_evaluation.service_layer.services import Services, scoring_roles_by_year
from cchc_shared.contracts import EvaluationRecordedV1
from cchc_shared.errors import Conflict, Fault, InvalidInput, NotFound
from cchc_shared.persistence.audit import AuditEntry


def _snapshot(e: Evaluation) -> dict[str, Any]:
    return {"version": e.version, **e.sheet_values()}


def _recorded_event(e: Evaluation) -> EvaluationRecordedV1:
    return EvaluationRecordedV1(**e.values(), recorded_at=e.updated_at)


def _visit_not_found(visit_id: UUID) -> NotFound:
    return NotFound(
        Fault(
            "visit_id",
            f"Không tìm thấy buổi làm việc {visit_id} trong lịch khảo sát",
            f"visit {visit_id} is not in any survey round known to the evaluation service",
        )
    )


async def _check_may_evaluate(
    uow: UnitOfWork,
    services: Services,
    member_id: str,
    round_: Round,
    visit: Visit,
    initiative_id: UUID,
    now: datetime,
) -> None:
    """The domain's rules for recording or amending, over what the service knows now."""
    check_may_evaluate(
        member_id=member_id,
        round_=round_,
        visit=visit,
        initiative=await uow.initiatives.get(initiative_id),
        decided=await uow.decisions.get(initiative_id) is not None,
        today=vietnam_today(now),
        evaluator_roles=(await scoring_roles_by_year(uow, [round_.campaign_year]))[
            round_.campaign_year
        ],
    )


async def _replayed(
    uow: UnitOfWork, member_id: str, command: RecordEvaluation
) -> Evaluation | None:
    """The evaluation this member already recorded under the command's Idempotency-Key (the
    same sheet sent again), or ``None`` for a key not seen; another sheet under it is a 409."""
    if command.idempotency_key is None:
        return None
    stored = await uow.keyed_requests.get(member_id, command.idempotency_key)
    if stored is None:
        return None
    check_same_request(stored, command.fingerprint())
    return await uow.evaluations.get(stored.evaluation_id)


async def _member_evaluation_of_visit(
    uow: UnitOfWork, member_id: str, visit_id: UUID
) -> UUID | None:
    round_ = await uow.rounds.containing_visit(visit_id)
    visit = round_.visit(visit_id) if round_ else None
    if visit is None:
        return None
    existing = await uow.evaluations.by_member(visit.initiative_id, member_id)
    return existing.id if existing is not None else None


async def record_evaluation(
    services: Services, actor: Actor, command: RecordEvaluation
) -> Evaluation:
    """Record the sheet once. Under an Idempotency-Key, the same sheet sent again returns the
    evaluation it recorded, and nothing is recorded or published again."""
    member_id = surveyor_id(actor)
    now = services.clock()
    try:
        return await _record(services, actor, member_id, command, now)
    except IntegrityError:
        # The same member at the same moment from another device, or the same key sent twice
        # at once: the first one's transaction won; a retry under its key gets its evaluation.
        async with services.uow() as uow:
            replayed = await _replayed(uow, member_id, command)
            existing = await _member_evaluation_of_visit(uow, member_id, command.visit_id)
        if replayed is not None:
            return replayed
        if existing is not None:
            raise AlreadyEvaluated(existing) from None
    # Or the first evaluations of a campaign (of different initiatives) raced to freeze its
    # rubric and another froze it first: recorded once more, on the frozen rubric. Any other
    # violation is not "already evaluated" (a 409 saying so would tell the client its sheet is
    # kept when it is not): it stays a server error, and the client sends again.
    try:
        return await _record(services, actor, member_id, command, services.clock())
    except IntegrityError:
        async with services.uow() as uow:
            existing = await _member_evaluation_of_visit(uow, member_id, command.visit_id)
        if existing is not None:
            raise AlreadyEvaluated(existing) from None
        raise


async def _record(
    services: Services, actor: Actor, member_id: str, command: RecordEvaluation, now: datetime
) -> Evaluation:
    async with services.uow() as uow:
        # Before any rule: a replay gets its evaluation even if the visit moved since.
        if (replayed := await _replayed(uow, member_id, command)) is not None:
            return replayed
        round_ = await uow.rounds.containing_visit(command.visit_id)
        visit = round_.visit(command.visit_id) if round_ else None
        if round_ is None or visit is None:
            raise _visit_not_found(command.visit_id)
        for name, given, actual in (
            ("initiative_id", command.initiative_id, visit.initiative_id),
            ("round_id", command.round_id, round_.id),
        ):
            if given is not None and given != actual:
                raise InvalidInput(
                    Fault(
                        name,
                        f"Buổi làm việc {visit.visit_id} thuộc {name} {actual}, không phải {given}",
                        f"visit {visit.visit_id} belongs to {name} {actual}, not {given}",
                    )
                )
        await uow.lock(visit.initiative_id)
        await _check_may_evaluate(uow, services, member_id, round_, visit, visit.initiative_id, now)
        existing = await uow.evaluations.by_member(visit.initiative_id, member_id)
        if existing is not None:
            # A writer of the same key that held the lock before us committed it meanwhile.
            if (replayed := await _replayed(uow, member_id, command)) is not None:
                return replayed
            raise AlreadyEvaluated(existing.id)
        rubric = await rubric_for_recording(uow, services, round_.campaign_year, actor, now)
        sheet = rubric.score(command.sheet.scores)
        evaluation = Evaluation(
            id=uuid.uuid4(),
            initiative_id=visit.initiative_id,
            round_id=round_.id,
            visit_id=visit.visit_id,
            evaluator_id=member_id,
            campaign_year=round_.campaign_year,
            scores=sheet.scores,
            total=sheet.total,
            narrative=command.sheet.narrative,
            recommendation=command.sheet.recommendation,
            recorded_at=now,
            updated_at=now,
        )
        await uow.evaluations.add(evaluation)
        if command.idempotency_key is not None:
            await uow.keyed_requests.add(
                KeyedRequest(
                    member_id, command.idempotency_key, command.fingerprint(), evaluation.id, now
                )
            )
        await uow.audit.record(
            AuditEntry(
                "evaluation",
                str(evaluation.id),
                "recorded",
                actor.subject,
                now,
                _snapshot(evaluation),
                actor_name=actor.name,
            )
        )
        uow.publish(_recorded_event(evaluation))
        await mark_for_initiative(uow, services, visit.initiative_id)
        await uow.commit()
    return evaluation


async def amend_evaluation(
    services: Services, actor: Actor, command: AmendEvaluation
) -> Evaluation:
    member_id = surveyor_id(actor)
    now = services.clock()
    async with services.uow() as uow:
        evaluation = await uow.evaluations.get(command.evaluation_id)
        if evaluation is None or evaluation.evaluator_id != member_id:
            raise NotFound(
                Fault(
                    "evaluation_id",
                    "Không tìm thấy phiếu đánh giá của thành viên",
                    f"evaluation {command.evaluation_id} of member {member_id} not found",
                )
            )
        await uow.lock(evaluation.initiative_id)
        round_ = await uow.rounds.containing_visit(evaluation.visit_id)
        visit = round_.visit(evaluation.visit_id) if round_ else None
        if round_ is None or visit is None:
            raise Conflict(
                Fault(
                    "visit_id",
                    "Buổi làm việc của phiếu đánh giá không còn trong lịch khảo sát",
                    "the evaluation's visit is no longer scheduled",
                )
            )
        await _check_may_evaluate(
            uow, services, member_id, round_, visit, evaluation.initiative_id, now
        )
        rubric, _ = await rubric_of(uow, evaluation.campaign_year, services.rubric_step)
        sheet = rubric.score(command.sheet.scores)
        evaluation.amend(sheet, command.sheet.narrative, command.sheet.recommendation, now)
        await uow.evaluations.update(evaluation)
        await uow.audit.record(
            AuditEntry(
                "evaluation",
                str(evaluation.id),
                "amended",
                actor.subject,
                now,
                _snapshot(evaluation),
                command.reason,
                actor_name=actor.name,
            )
        )
        uow.publish(_recorded_event(evaluation))
        await mark_for_initiative(uow, services, evaluation.initiative_id)
        await uow.commit()
    return evaluation
