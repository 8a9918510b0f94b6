"""SQL repositories of the PAR-Index contributions as last announced, and of the marks of
the units to compute again."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import par_contributions, par_index_stale
from cchc_evaluation.domain.par_index import IndexRow, IndexUnit, ParContribution, ParIndexRule
from cchc_shared.persistence.inserts import insert_rows


def _rule(stored: dict[str, Any]) -> ParIndexRule:
    """The rule as stored in JSON, where a whole figure comes back as an int."""
    figures = {k: float(v) for k, v in stored.items() if k != "district_counts_wards"}
    return ParIndexRule(**figures, district_counts_wards=bool(stored["district_counts_wards"]))


def _contribution(row: Any, unit: IndexUnit) -> ParContribution:
    return ParContribution(
        campaign_year=row["campaign_year"],
        row=IndexRow(
            agency_code=unit.code,
            name=unit.name,
            level=unit.level,
            submitted=row["submitted"],
            surveyed=row["surveyed"],
            recommended=row["recommended"],
            mean_score=row["mean_score"],
            points=float(row["points"]),
            adopted=row["adopted"],
        ),
        rule=_rule(row["rule"]),
        final_score_method=row["final_score_method"],
        version=row["version"],
        computed_at=row["computed_at"],
    )


class SqlParContributionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, year: int, unit: IndexUnit) -> ParContribution | None:
        return (await self.many(year, [unit])).get(unit.code)

    async def many(self, year: int, units: Iterable[IndexUnit]) -> dict[str, ParContribution]:
        by_code = {u.code: u for u in units}
        if not by_code:
            return {}
        result = await self.connection.execute(
            select(par_contributions).where(
                (par_contributions.c.campaign_year == year)
                & par_contributions.c.agency_code.in_(sorted(by_code))
            )
        )
        return {
            row["agency_code"]: _contribution(row, by_code[row["agency_code"]])
            for row in result.mappings()
        }

    async def save(self, c: ParContribution) -> None:
        """Store the next version; the caller holds the unit's lock, so versions never race."""
        values = {
            "submitted": c.row.submitted,
            "surveyed": c.row.surveyed,
            "recommended": c.row.recommended,
            "mean_score": c.row.mean_score,
            "points": c.row.points,
            "adopted": c.row.adopted,
            "rule": dataclasses.asdict(c.rule),
            "final_score_method": c.final_score_method,
            "version": c.version,
            "computed_at": c.computed_at,
        }
        if c.version == 1:
            await self.connection.execute(
                insert(par_contributions).values(
                    campaign_year=c.campaign_year, agency_code=c.row.agency_code, **values
                )
            )
        else:
            await self.connection.execute(
                update(par_contributions)
                .where(
                    (par_contributions.c.campaign_year == c.campaign_year)
                    & (par_contributions.c.agency_code == c.row.agency_code)
                )
                .values(**values)
            )


class SqlParIndexStaleRepository:
    """Each mark is a row of its own, inserted without conflict: a mark made while a
    recomputer holds the unit's earlier ones (and may have read the unit before this change
    committed) is not merged into them, so it stays for the next pass."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.marked = False  # whether this transaction marked a unit (the recomputer's wake-up)

    async def mark(self, targets: Iterable[tuple[int, str]], at: datetime) -> None:
        rows = [
            {"mark_id": uuid.uuid4(), "campaign_year": year, "unit_code": code, "marked_at": at}
            for year, code in targets
        ]
        if rows:
            # A new mark id never conflicts: DO NOTHING only takes the insert's one-row path.
            await insert_rows(self.connection, par_index_stale, rows, ignore_conflicts=True)
            self.marked = True

    async def take(self, limit: int) -> list[tuple[int, str]]:
        t = par_index_stale
        oldest = select(t.c.mark_id).order_by(t.c.marked_at).limit(limit)
        if self.connection.dialect.name == "postgresql":
            oldest = oldest.with_for_update(skip_locked=True)
        result = await self.connection.execute(
            delete(t)
            .where(t.c.mark_id.in_(oldest.scalar_subquery()))
            .returning(t.c.campaign_year, t.c.unit_code)
        )
        return [(year, code) for year, code in result]
