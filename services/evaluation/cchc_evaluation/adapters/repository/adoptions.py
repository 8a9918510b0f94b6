"""SQL repository of what replication announces: the recognised models' campaigns and each
target agency's latest adoption status."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import adoption_states, recognised_models
from cchc_evaluation.domain.par_index import AdoptionState
from cchc_shared.persistence.inserts import insert_rows


class SqlAdoptionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add_models(self, campaign_year: int, initiative_ids: Iterable[UUID]) -> None:
        rows = [{"initiative_id": i, "campaign_year": campaign_year} for i in initiative_ids]
        if rows:
            await insert_rows(self.connection, recognised_models, rows, ignore_conflicts=True)

    async def model_year(self, initiative_id: UUID) -> int | None:
        found = await self.connection.execute(
            select(recognised_models.c.campaign_year).where(
                recognised_models.c.initiative_id == initiative_id
            )
        )
        return found.scalar_one_or_none()

    async def get(self, initiative_id: UUID, agency_code: str) -> AdoptionState | None:
        t = adoption_states
        row = (
            (
                await self.connection.execute(
                    select(t).where(
                        (t.c.initiative_id == initiative_id) & (t.c.agency_code == agency_code)
                    )
                )
            )
            .mappings()
            .one_or_none()
        )
        return AdoptionState(**row) if row else None

    async def of_models(self, initiative_ids: Iterable[UUID]) -> list[AdoptionState]:
        ids = list(initiative_ids)
        if not ids:
            return []
        rows = await self.connection.execute(
            select(adoption_states).where(adoption_states.c.initiative_id.in_(ids))
        )
        return [AdoptionState(**row) for row in rows.mappings()]

    async def save(self, state: AdoptionState, *, new: bool) -> None:
        values = {"quarter": state.quarter, "revision": state.revision, "status": state.status}
        t = adoption_states
        if new:
            await self.connection.execute(
                insert(t).values(
                    initiative_id=state.initiative_id, agency_code=state.agency_code, **values
                )
            )
        else:
            await self.connection.execute(
                update(t)
                .where(
                    (t.c.initiative_id == state.initiative_id)
                    & (t.c.agency_code == state.agency_code)
                )
                .values(**values)
            )

    async def adopters(self, campaign_year: int, agencies: Iterable[str]) -> list[str]:
        """Once per model of ``campaign_year`` each of ``agencies`` adopted: its code."""
        codes = sorted(set(agencies))
        if not codes:
            return []
        t, m = adoption_states, recognised_models
        rows = await self.connection.execute(
            select(t.c.agency_code)
            .join(m, m.c.initiative_id == t.c.initiative_id)
            .where(
                (m.c.campaign_year == campaign_year)
                & (t.c.status == "adopted")
                & t.c.agency_code.in_(codes)
            )
            .order_by(t.c.agency_code, t.c.initiative_id)
        )
        return list(rows.scalars())
