"""SQL repositories of sector opinions and selection decisions: one row per initiative each,
whose columns are the domain object's fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import RowMapping, Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import decisions, sector_opinions
from cchc_evaluation.domain.selection import Decision, SectorOpinion

T = TypeVar("T")


class _OnePerInitiative(Generic[T]):
    """Reads of a table keyed by ``initiative_id``, each row one domain object."""

    table: Table
    load: Callable[..., T]

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    def _of(self, row: RowMapping) -> T:
        return self.load(**row)

    async def get(self, initiative_id: UUID) -> T | None:
        result = await self.connection.execute(
            select(self.table).where(self.table.c.initiative_id == initiative_id)
        )
        row = result.mappings().first()
        return self._of(row) if row else None

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, T]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        result = await self.connection.execute(
            select(self.table).where(self.table.c.initiative_id.in_(wanted))
        )
        return {row["initiative_id"]: self._of(row) for row in result.mappings()}

    async def _insert(self, values: dict[str, Any]) -> None:
        await self.connection.execute(insert(self.table).values(**values))


class SqlOpinionRepository(_OnePerInitiative[SectorOpinion]):
    table = sector_opinions
    load = SectorOpinion

    async def save(self, opinion: SectorOpinion) -> None:
        await self.connection.execute(
            delete(sector_opinions).where(sector_opinions.c.initiative_id == opinion.initiative_id)
        )
        await self._insert(dataclasses.asdict(opinion))


class SqlDecisionRepository(_OnePerInitiative[Decision]):
    table = decisions
    load = Decision

    async def of_campaign(self, year: int) -> list[Decision]:
        result = await self.connection.execute(
            select(decisions).where(decisions.c.campaign_year == year)
        )
        return [self._of(row) for row in result.mappings()]

    async def add(self, d: Decision) -> None:
        await self._insert(dataclasses.asdict(d))
