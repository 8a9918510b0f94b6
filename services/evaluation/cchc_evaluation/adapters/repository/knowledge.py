"""SQL repositories of what the service learnt from events: initiatives and survey rounds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import initiatives, round_members, rounds, visits
from cchc_evaluation.domain.knowledge import (
    InitiativeInfo,
    InitiativeStatus,
    Round,
    RoundStatus,
    TeamMember,
    Visit,
)


# The columns are the fields of InitiativeInfo; its status is stored as its value.
def _initiative(row: RowMapping) -> InitiativeInfo:
    return InitiativeInfo(**{**row, "status": InitiativeStatus(row["status"])})


def _initiative_values(info: InitiativeInfo) -> dict[str, Any]:
    values = {**vars(info), "status": info.status.value}
    del values["id"]
    return values


# Built once: every initiative event reads and writes one row, and building the statements
# per event cost more Python time than running them.
_SELECT_INITIATIVE = select(initiatives).where(initiatives.c.id == bindparam("initiative_id"))
_INSERT_INITIATIVE = insert(initiatives)


class SqlInitiativeRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, initiative_id: UUID) -> InitiativeInfo | None:
        result = await self.connection.execute(_SELECT_INITIATIVE, {"initiative_id": initiative_id})
        row = result.mappings().first()
        return _initiative(row) if row else None

    async def add(self, info: InitiativeInfo) -> None:
        await self.connection.execute(
            _INSERT_INITIATIVE, {"id": info.id, **_initiative_values(info)}
        )

    async def update(self, info: InitiativeInfo) -> None:
        await self.connection.execute(
            update(initiatives)
            .where(initiatives.c.id == info.id)
            .values(**_initiative_values(info))
        )

    async def of_campaign(self, year: int) -> list[InitiativeInfo]:
        result = await self.connection.execute(
            select(initiatives).where(initiatives.c.campaign_year == year)
        )
        return [_initiative(row) for row in result.mappings()]

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, InitiativeInfo]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        result = await self.connection.execute(
            select(initiatives).where(initiatives.c.id.in_(wanted))
        )
        return {row["id"]: _initiative(row) for row in result.mappings()}

    async def of_agencies(self, year: int, agency_codes: Iterable[str]) -> list[InitiativeInfo]:
        codes = sorted(set(agency_codes))
        if not codes:
            return []
        result = await self.connection.execute(
            select(initiatives).where(
                (initiatives.c.campaign_year == year) & initiatives.c.agency_code.in_(codes)
            )
        )
        return [_initiative(row) for row in result.mappings()]


class SqlRoundRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, round_id: UUID) -> Round | None:
        found = await self._load(rounds.c.id == round_id)
        return found[0] if found else None

    async def containing_visit(self, visit_id: UUID) -> Round | None:
        subquery = select(visits.c.round_id).where(visits.c.visit_id == visit_id)
        found = await self._load(rounds.c.id.in_(subquery))
        return found[0] if found else None

    async def visiting(self, initiative_ids: Iterable[UUID]) -> list[Round]:
        wanted = list(set(initiative_ids))
        if not wanted:
            return []
        subquery = select(visits.c.round_id).where(visits.c.initiative_id.in_(wanted))
        return await self._load(rounds.c.id.in_(subquery))

    async def with_member(self, member_id: str) -> list[Round]:
        subquery = select(round_members.c.round_id).where(round_members.c.member_id == member_id)
        return await self._load(rounds.c.id.in_(subquery))

    async def _load(self, condition: Any) -> list[Round]:
        rows = (
            (
                await self.connection.execute(
                    select(rounds).where(condition).order_by(rounds.c.sequence)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        teams: dict[UUID, list[TeamMember]] = {i: [] for i in ids}
        for m in (
            await self.connection.execute(
                select(round_members)
                .where(round_members.c.round_id.in_(ids))
                .order_by(round_members.c.position)
            )
        ).mappings():
            teams[m["round_id"]].append(
                TeamMember(m["member_id"], m["name"], m["role"], m["agency_code"])
            )
        round_visits: dict[UUID, list[Visit]] = {i: [] for i in ids}
        for v in (
            await self.connection.execute(
                select(visits).where(visits.c.round_id.in_(ids)).order_by(visits.c.position)
            )
        ).mappings():
            round_visits[v["round_id"]].append(
                Visit(
                    v["visit_id"],
                    v["round_id"],
                    v["initiative_id"],
                    v["agency_code"],
                    v["date"],
                    v["starts_at"],
                )
            )
        return [
            Round(
                id=row["id"],
                campaign_year=row["campaign_year"],
                sequence=row["sequence"],
                status=RoundStatus(row["status"]),
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                team=tuple(teams[row["id"]]),
                visits=tuple(round_visits[row["id"]]),
                as_of=row["as_of"],
                as_of_rank=row["as_of_rank"],
                cancelled_at=row["cancelled_at"],
                cancel_reason=row["cancel_reason"],
            )
            for row in rows
        ]

    async def add(self, round_: Round) -> None:
        await self.connection.execute(insert(rounds).values(id=round_.id, **self._values(round_)))
        await self._write_children(round_)

    async def update(self, round_: Round) -> None:
        await self.connection.execute(
            update(rounds).where(rounds.c.id == round_.id).values(**self._values(round_))
        )
        await self.connection.execute(
            delete(round_members).where(round_members.c.round_id == round_.id)
        )
        await self.connection.execute(delete(visits).where(visits.c.round_id == round_.id))
        await self._write_children(round_)

    @staticmethod
    def _values(round_: Round) -> dict[str, Any]:
        return {
            "campaign_year": round_.campaign_year,
            "sequence": round_.sequence,
            "status": round_.status.value,
            "starts_on": round_.starts_on,
            "ends_on": round_.ends_on,
            "as_of": round_.as_of,
            "as_of_rank": round_.as_of_rank,
            "cancelled_at": round_.cancelled_at,
            "cancel_reason": round_.cancel_reason,
        }

    async def _write_children(self, round_: Round) -> None:
        if round_.team:
            await self.connection.execute(
                insert(round_members),
                [
                    {
                        "round_id": round_.id,
                        "member_id": m.member_id,
                        "position": i,
                        "name": m.name,
                        "role": m.role,
                        "agency_code": m.agency_code,
                    }
                    for i, m in enumerate(round_.team)
                ],
            )
        if round_.visits:
            # A visit moved from another round (a reschedule) leaves that round here.
            await self.connection.execute(
                delete(visits).where(visits.c.visit_id.in_([v.visit_id for v in round_.visits]))
            )
            await self.connection.execute(
                insert(visits),
                [
                    {
                        "visit_id": v.visit_id,
                        "round_id": round_.id,
                        "position": i,
                        "initiative_id": v.initiative_id,
                        "agency_code": v.agency_code,
                        "date": v.date,
                        "starts_at": v.starts_at,
                    }
                    for i, v in enumerate(round_.visits)
                ],
            )
