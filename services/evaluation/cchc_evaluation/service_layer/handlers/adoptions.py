"""What replication announces, fed back into the PAR Index: a model the People's Committee
recognised after campaign Y counts, once adopted, in the adopting unit's contribution to
campaign Y + 1 (``ParIndexRule.per_adopted``). Events come in any order and more than once:
the inbox drops repeats, the latest quarter's highest revision wins, and a report that arrives
before its decision is kept until the decision says which campaign it belongs to."""

from __future__ import annotations

from cchc_evaluation.domain.par_index import AdoptionState
from cchc_evaluation.service_layer.handlers.inbound import accept_locked
from cchc_evaluation.service_layer.handlers.par_index import mark_par_stale
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import AdoptionReportedV1, ReplicationDecidedV1


async def on_replication_decided(
    services: Services, consumer: str, event: CloudEvent, data: ReplicationDecidedV1
) -> None:
    async with services.uow() as uow:
        if not await accept_locked(uow, consumer, event, data.decision_id):
            return
        ids = [m.initiative_id for m in data.models]
        await uow.adoptions.add_models(data.campaign_year, ids)
        # Reports that came first now know their campaign.
        early = await uow.adoptions.of_models(ids)
        await mark_par_stale(
            uow, services, {(data.campaign_year + 1, s.agency_code) for s in early}
        )
        await uow.commit()


async def on_adoption_reported(
    services: Services, consumer: str, event: CloudEvent, data: AdoptionReportedV1
) -> None:
    async with services.uow() as uow:
        if not await accept_locked(uow, consumer, event, data.initiative_id):
            return
        state = AdoptionState(
            data.initiative_id, data.agency_code, data.quarter, data.revision, data.status
        )
        current = await uow.adoptions.get(data.initiative_id, data.agency_code)
        if state.supersedes(current):
            await uow.adoptions.save(state, new=current is None)
            year = await uow.adoptions.model_year(data.initiative_id)
            changed = current is None or current.status != state.status
            if year is not None and changed:
                await mark_par_stale(uow, services, [(year + 1, data.agency_code)])
        await uow.commit()
