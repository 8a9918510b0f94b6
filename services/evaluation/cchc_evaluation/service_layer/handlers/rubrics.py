"""A campaign's rubric: set by the secretariat until the first evaluation is recorded under it;
the first evaluation of a campaign without one freezes the default as its rubric."""

from __future__ import annotations

from datetime import datetime

from cchc_evaluation.domain.commands import Actor, SetRubric
from cchc_evaluation.domain.rubric import Rubric, rubric_to_dict
from cchc_evaluation.ports import UnitOfWork
from cchc_evaluation.service_layer.queries import rubric_of
from cchc_evaluation.service_layer.services import Services
from cchc_shared.errors import Conflict, Fault, InvalidInput
from cchc_shared.persistence.audit import AuditEntry


async def set_rubric(services: Services, actor: Actor, command: SetRubric) -> Rubric:
    rubric = command.rubric
    problems = rubric.problems()
    if problems:
        raise InvalidInput(*problems)
    async with services.uow() as uow:
        recorded = await uow.evaluations.count_of_campaign(rubric.campaign_year)
        if recorded:
            raise Conflict(
                Fault(
                    "campaign_year",
                    f"Đã có {recorded} phiếu đánh giá theo bộ tiêu chí năm {rubric.campaign_year}; "
                    "không thể thay đổi bộ tiêu chí",
                    f"{recorded} evaluations were recorded under the {rubric.campaign_year} "
                    "rubric; it can no longer change",
                )
            )
        now = services.clock()
        await uow.rubrics.save(rubric, actor.subject, now)
        await uow.audit.record(
            AuditEntry(
                "rubric",
                str(rubric.campaign_year),
                "set",
                actor.subject,
                now,
                rubric_to_dict(rubric),
                actor_name=actor.name,
            )
        )
        await uow.commit()
    return rubric


async def rubric_for_recording(
    uow: UnitOfWork, services: Services, year: int, actor: Actor, now: datetime
) -> Rubric:
    """The rubric a new evaluation is scored on, inside the caller's transaction."""
    rubric, own = await rubric_of(uow, year, services.rubric_step)
    if not own:  # the first evaluation freezes the default as the campaign's rubric
        await uow.rubrics.save(rubric, actor.subject, now)
        await uow.audit.record(
            AuditEntry(
                "rubric",
                str(year),
                "adopted_default",
                actor.subject,
                now,
                rubric_to_dict(rubric),
                actor_name=actor.name,
            )
        )
    return rubric
