"""The candidates: evaluation's ReplicationRecommended events, each applied once (the inbox)."""

from __future__ import annotations

from cchc_replication.domain.model import Candidate
from cchc_replication.ports import UnitOfWork
from cchc_shared.contracts import CloudEvent, ReplicationRecommendedV1

CANDIDATES_CONSUMER = "replication.candidates"


async def on_recommended(
    uow: UnitOfWork, event: CloudEvent, data: ReplicationRecommendedV1
) -> None:
    async with uow:
        if not await uow.accept_once(CANDIDATES_CONSUMER, event):
            return
        await uow.candidates.put(
            Candidate(
                initiative_id=data.initiative_id,
                campaign_year=data.campaign_year,
                agency_code=data.agency_code,
                title=data.title,
                kind=data.kind,
                par_area=data.par_area,
                scope=data.scope,
                final_score=data.final_score,
                recommended_at=data.decided_at,
            )
        )
        await uow.commit()
