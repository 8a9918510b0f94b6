"""SQL repository of the PAR-Index contributions as last announced."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import par_contributions
from cchc_evaluation.domain.par_index import IndexRow, IndexUnit, ParContribution, ParIndexRule


def _rule(stored: dict[str, Any]) -> ParIndexRule:
    """The rule as stored in JSON, where a whole figure comes back as an int."""
    figures = {k: float(v) for k, v in stored.items() if k != "district_counts_wards"}
    return ParIndexRule(**figures, district_counts_wards=bool(stored["district_counts_wards"]))


class SqlParContributionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, year: int, unit: IndexUnit) -> ParContribution | None:
        row = (
            (
                await self.connection.execute(
                    select(par_contributions).where(
                        (par_contributions.c.campaign_year == year)
                        & (par_contributions.c.agency_code == unit.code)
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
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
            ),
            rule=_rule(row["rule"]),
            final_score_method=row["final_score_method"],
            version=row["version"],
            computed_at=row["computed_at"],
        )

    async def save(self, c: ParContribution) -> None:
        """Store the next version; the caller holds the unit's lock, so versions never race."""
        values = {
            "submitted": c.row.submitted,
            "surveyed": c.row.surveyed,
            "recommended": c.row.recommended,
            "mean_score": c.row.mean_score,
            "points": c.row.points,
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
