"""What intake announces of initiatives. Events may come in any order and more than once: the
inbox drops repeats; each handler keeps the newest state it has seen and never fails for a
missing predecessor (a withdrawal may arrive before the submission). A change of what counts in
a unit's PAR Index marks the unit for the recomputer in the same transaction."""

from __future__ import annotations

from cchc_evaluation.domain.knowledge import InitiativeInfo, InitiativeStatus
from cchc_evaluation.service_layer.handlers.inbound import accept_locked
from cchc_evaluation.service_layer.handlers.par_index import mark_par_stale
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import (
    CloudEvent,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)


def _first_known(
    data: InitiativeSubmittedV1 | InitiativeAmendedV1 | InitiativeWithdrawnV1,
    status: InitiativeStatus,
) -> InitiativeInfo:
    return InitiativeInfo(data.initiative_id, data.campaign_year, data.agency_code, status)


async def on_initiative_content(
    services: Services,
    consumer: str,
    event: CloudEvent,
    data: InitiativeSubmittedV1 | InitiativeAmendedV1,
) -> None:
    as_of = data.amended_at if isinstance(data, InitiativeAmendedV1) else data.submitted_at
    async with services.uow() as uow:
        if not await accept_locked(uow, consumer, event, data.initiative_id):
            return
        info = await uow.initiatives.get(data.initiative_id)
        is_new = info is None
        if info is None:
            info = _first_known(data, InitiativeStatus.SUBMITTED)
        changed = info.apply_content(
            kind=data.kind,
            title=data.title,
            summary=data.summary,
            par_area=data.par_area,
            as_of=as_of,
        )
        counted_in = {(info.campaign_year, info.agency_code)}
        if is_new:
            await uow.initiatives.add(info)
        elif changed:
            info.campaign_year, info.agency_code = data.campaign_year, data.agency_code
            await uow.initiatives.update(info)
        if is_new or changed:  # an amendment may move it to another agency or campaign
            counted_in.add((info.campaign_year, info.agency_code))
            await mark_par_stale(uow, services, counted_in)
        await uow.commit()


async def on_initiative_withdrawn(
    services: Services, consumer: str, event: CloudEvent, data: InitiativeWithdrawnV1
) -> None:
    async with services.uow() as uow:
        if not await accept_locked(uow, consumer, event, data.initiative_id):
            return
        info = await uow.initiatives.get(data.initiative_id)
        is_new = info is None
        if info is None:  # withdrawn before its submission arrived
            info = _first_known(data, InitiativeStatus.WITHDRAWN)
        info.withdraw(data.withdrawn_at)
        await (uow.initiatives.add if is_new else uow.initiatives.update)(info)
        await mark_par_stale(uow, services, [(info.campaign_year, info.agency_code)])
        await uow.commit()
