"""SQL repositories of sector opinions and selection decisions."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import RowMapping, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import decisions, sector_opinions
from cchc_evaluation.domain.selection import Decision, SectorOpinion


def _opinion(row: RowMapping) -> SectorOpinion:
    return SectorOpinion(
        initiative_id=row["initiative_id"],
        agency_code=row["agency_code"],
        stance=row["stance"],
        opinion=row["opinion"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


class SqlOpinionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, initiative_id: UUID) -> SectorOpinion | None:
        row = (
            (
                await self.connection.execute(
                    select(sector_opinions).where(sector_opinions.c.initiative_id == initiative_id)
                )
            )
            .mappings()
            .first()
        )
        return _opinion(row) if row else None

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, SectorOpinion]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        result = await self.connection.execute(
            select(sector_opinions).where(sector_opinions.c.initiative_id.in_(wanted))
        )
        return {row["initiative_id"]: _opinion(row) for row in result.mappings()}

    async def save(self, opinion: SectorOpinion) -> None:
        await self.connection.execute(
            delete(sector_opinions).where(sector_opinions.c.initiative_id == opinion.initiative_id)
        )
        await self.connection.execute(
            insert(sector_opinions).values(
                initiative_id=opinion.initiative_id,
                agency_code=opinion.agency_code,
                stance=opinion.stance,
                opinion=opinion.opinion,
                recorded_by=opinion.recorded_by,
                recorded_at=opinion.recorded_at,
            )
        )


def _decision(row: RowMapping) -> Decision:
    return Decision(
        initiative_id=row["initiative_id"],
        campaign_year=row["campaign_year"],
        decision=row["decision"],
        scope=row["scope"],
        rationale=row["rationale"],
        override_reason=row["override_reason"],
        overridden=bool(row["overridden"]),
        final_score=float(row["final_score"]),
        evaluation_count=row["evaluation_count"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
    )


class SqlDecisionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, initiative_id: UUID) -> Decision | None:
        row = (
            (
                await self.connection.execute(
                    select(decisions).where(decisions.c.initiative_id == initiative_id)
                )
            )
            .mappings()
            .first()
        )
        return _decision(row) if row else None

    async def of_campaign(self, year: int) -> list[Decision]:
        result = await self.connection.execute(
            select(decisions).where(decisions.c.campaign_year == year)
        )
        return [_decision(row) for row in result.mappings()]

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, Decision]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        result = await self.connection.execute(
            select(decisions).where(decisions.c.initiative_id.in_(wanted))
        )
        return {row["initiative_id"]: _decision(row) for row in result.mappings()}

    async def add(self, d: Decision) -> None:
        await self.connection.execute(
            insert(decisions).values(
                initiative_id=d.initiative_id,
                campaign_year=d.campaign_year,
                decision=d.decision,
                scope=d.scope,
                rationale=d.rationale,
                override_reason=d.override_reason,
                overridden=d.overridden,
                final_score=d.final_score,
                evaluation_count=d.evaluation_count,
                decided_by=d.decided_by,
                decided_at=d.decided_at,
            )
        )
