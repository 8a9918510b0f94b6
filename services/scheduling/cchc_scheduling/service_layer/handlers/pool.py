"""The pool of initiatives to survey, fed by intake's events. Each event is applied once
(the inbox), in the same transaction as its effect."""

from __future__ import annotations

from dataclasses import replace

from cchc_scheduling.domain.errors import IdentityChanged
from cchc_scheduling.domain.model import PoolInitiative, PoolStatus
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.queries import members_in
from cchc_scheduling.service_layer.services import now
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import (
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.errors import Fault

POOL_CONSUMER = "scheduling.pool"
WITHDRAWAL_REASON = "Đơn vị đã rút sáng kiến khỏi đợt khảo sát"

InitiativeEvent = InitiativeSubmittedV1 | InitiativeAmendedV1 | InitiativeWithdrawnV1


def _same_identity(current: PoolInitiative, data: InitiativeEvent) -> None:
    """Intake fixes an initiative's agency and campaign when it is submitted: an event that
    names others would move scheduled visits to the wrong agency, so it is refused."""
    faults = []
    if data.agency_code != current.agency_code:
        faults.append(
            Fault(
                "agency_code",
                f"Sáng kiến thuộc đơn vị {current.agency_code}, sự kiện ghi đơn vị "
                f"{data.agency_code}",
                f"the initiative belongs to {current.agency_code}, the event names "
                f"{data.agency_code}",
            )
        )
    if data.campaign_year != current.campaign_year:
        faults.append(
            Fault(
                "campaign_year",
                f"Sáng kiến thuộc kế hoạch năm {current.campaign_year}, sự kiện ghi năm "
                f"{data.campaign_year}",
                f"the initiative belongs to the {current.campaign_year} campaign, the event "
                f"names {data.campaign_year}",
            )
        )
    if faults:
        raise IdentityChanged(*faults)


async def initiative_submitted(
    uow: UnitOfWork, event: CloudEvent, data: InitiativeSubmittedV1 | InitiativeAmendedV1
) -> None:
    """Submitted and amended events both carry the whole initiative; the newest wins
    (queues are separate, so an amendment may arrive before its submission)."""
    changed_at = data.amended_at if isinstance(data, InitiativeAmendedV1) else data.submitted_at
    async with uow:
        if not await uow.accept_once(POOL_CONSUMER, event):
            return
        current = await uow.pool.get(data.initiative_id)
        if current is not None:
            _same_identity(current, data)
            if current.updated_at >= changed_at:
                await uow.commit()  # an older event: recorded as seen, nothing changes
                return
        status = current.status if current is not None else PoolStatus.IN_POOL
        entry = PoolInitiative(
            initiative_id=data.initiative_id,
            campaign_year=data.campaign_year,
            agency_code=data.agency_code,
            kind=data.kind,
            title=data.title,
            par_area=data.par_area,
            status=status,
            updated_at=changed_at,
        )
        await uow.pool.put(entry, new=current is None)
        await uow.commit()


async def initiative_withdrawn(
    uow: UnitOfWork, event: CloudEvent, data: InitiativeWithdrawnV1
) -> None:
    """The initiative leaves the pool and every visit of it that has not taken place."""
    async with uow:
        if not await uow.accept_once(POOL_CONSUMER, event):
            return
        current = await uow.pool.get(data.initiative_id)
        if current is None:  # withdrawn before its submission reached us: a tombstone
            entry = PoolInitiative(
                data.initiative_id,
                data.campaign_year,
                data.agency_code,
                "initiative",
                "(đã rút)",
                "procedures",
                PoolStatus.WITHDRAWN,
                data.withdrawn_at,
            )
            await uow.pool.put(entry, new=True)
        else:
            _same_identity(current, data)
            await uow.pool.put(
                replace(
                    current,
                    status=PoolStatus.WITHDRAWN,
                    updated_at=max(current.updated_at, data.withdrawn_at),
                ),
                new=False,
            )
        members = await members_in(uow)
        reason = WITHDRAWAL_REASON + (f": {data.reason}" if data.reason else "")
        for round_ in await uow.rounds.with_visit_of(data.initiative_id):
            if round_.drop_visits_of(data.initiative_id, now(), members, reason):
                await uow.rounds.save(round_)
        await uow.commit()
