"""The fact store over SQLAlchemy: domain facts in, the facts of a campaign out.

A fact is written with one conditional upsert (``INSERT ... ON CONFLICT DO UPDATE ... WHERE
stored version < new version``), so two handlers racing on the same key on PostgreSQL still
keep the newest version: the row lock makes the later statement re-check the condition.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, func, insert, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_reporting.adapters.event_log import GENERATION_KEY
from cchc_reporting.adapters.fact_rows import TABLE_OF, fact_of, fact_row, visit_rows
from cchc_reporting.adapters.orm import (
    READ_MODEL_TABLES,
    rm_decision,
    rm_evaluation,
    rm_initiative,
    rm_meta,
    rm_par_contribution,
    rm_recommendation,
    rm_round,
    rm_visit,
    rm_withdrawal,
)
from cchc_reporting.domain.facts import (
    FACT_KINDS,
    AdoptionFact,
    CampaignFacts,
    CampaignSettingsFact,
    CancellationFact,
    DecisionFact,
    EvaluationFact,
    Fact,
    FactSet,
    FollowUpFacts,
    InitiativeFact,
    ParContributionFact,
    RecognitionFact,
    RecommendationFact,
    RejectionFact,
    RoundFact,
    WithdrawalFact,
)

_CHUNK = 500


@functools.cache
def _versioned_upsert(table: Table, keys: tuple[str, ...], dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE only when the incoming (version, event id) is newer;
    built once per table and dialect, since building it costs more than running it."""
    insert_into = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert_into.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: insert_into.excluded[c.name] for c in table.c if c.name not in keys},
        where=tuple_(table.c.version, table.c.version_event_id)
        < tuple_(insert_into.excluded.version, insert_into.excluded.version_event_id),
    )


class SqlFactRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def apply(self, fact: Fact) -> bool:
        """Store ``fact`` unless a newer or equal version is stored; True if it was stored."""
        table, keys = TABLE_OF[type(fact)]
        statement = _versioned_upsert(table, keys, self.connection.dialect.name)
        result = await self.connection.execute(statement, fact_row(fact))
        applied = bool(getattr(result, "rowcount", 0) == 1)
        if applied and isinstance(fact, RoundFact):
            await self.connection.execute(
                delete(rm_visit).where(rm_visit.c.round_id == fact.round_id)
            )
            rows = visit_rows(fact)
            if rows:
                await self.connection.execute(insert(rm_visit), rows)
        return applied

    async def replace_all(self, facts: FactSet) -> dict[str, int]:
        """Empty every read-model table and write ``facts`` (the rebuild)."""
        for table in READ_MODEL_TABLES:
            await self.connection.execute(delete(table))
        written: dict[str, int] = {}
        for kind in FACT_KINDS:
            table, _ = TABLE_OF[kind]
            items = list(facts.of_kind(kind))
            rows = [fact_row(f) for f in items]
            await self._insert_chunks(table, rows)
            written[table.name] = len(rows)
            if kind is RoundFact:
                visits = [row for f in items if isinstance(f, RoundFact) for row in visit_rows(f)]
                await self._insert_chunks(rm_visit, visits)
                written[rm_visit.name] = len(visits)
        return written

    async def _insert_chunks(self, table: Table, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), _CHUNK):
            await self.connection.execute(insert(table), rows[start : start + _CHUNK])

    async def bump_generation(self) -> int:
        current = (
            await self.connection.execute(
                select(rm_meta.c.value).where(rm_meta.c.key == GENERATION_KEY)
            )
        ).scalar_one_or_none()
        if current is None:
            await self.connection.execute(insert(rm_meta).values(key=GENERATION_KEY, value=1))
            return 1
        await self.connection.execute(
            rm_meta.update().where(rm_meta.c.key == GENERATION_KEY).values(value=current + 1)
        )
        return int(current) + 1

    # -- reading ----------------------------------------------------------------------------

    async def campaign_years(self) -> list[int]:
        years: set[int] = set()
        for table in (
            rm_initiative,
            rm_round,
            rm_recommendation,
            rm_withdrawal,
            rm_decision,
            rm_par_contribution,
        ):
            rows = await self.connection.execute(select(table.c.campaign_year).distinct())
            years.update(int(y) for y in rows.scalars())
        return sorted(years)

    async def initiative_counts(self) -> dict[int, int]:
        """Initiatives received per campaign (withdrawn included)."""
        rows = await self.connection.execute(
            select(rm_initiative.c.campaign_year, func.count()).group_by(
                rm_initiative.c.campaign_year
            )
        )
        return {int(year): int(count) for year, count in rows.all()}

    async def _rows(self, statement: Any) -> Sequence[RowMapping]:
        return (await self.connection.execute(statement)).mappings().all()

    async def _facts(self, kind: type[Fact], where: Any = None) -> list[Any]:
        """The stored facts of ``kind`` (those ``where`` selects), a round with its visits."""
        table, _ = TABLE_OF[kind]
        statement = select(table) if where is None else select(table).where(where)
        rows = await self._rows(statement)
        if kind is not RoundFact:
            return [fact_of(kind, r) for r in rows]
        rounds = select(rm_round.c.round_id)
        if where is not None:
            rounds = rounds.where(where)
        visits: dict[UUID, list[RowMapping]] = {}
        for visit in await self._rows(select(rm_visit).where(rm_visit.c.round_id.in_(rounds))):
            visits.setdefault(visit["round_id"], []).append(visit)
        return [fact_of(kind, r, visits.get(r["round_id"], [])) for r in rows]

    async def load_campaign(self, year: int) -> CampaignFacts:
        of_year = {
            kind: TABLE_OF[kind][0].c.campaign_year == year
            for kind in FACT_KINDS
            if kind not in (EvaluationFact, RejectionFact, RecognitionFact, AdoptionFact)
        }
        # An evaluation belongs to the campaign of its initiative, its decision or its round.
        evaluations = or_(
            *(
                column.in_(select(TABLE_OF[kind][0].c[key]).where(of_year[kind]))
                for column, kind, key in (
                    (rm_evaluation.c.initiative_id, InitiativeFact, "initiative_id"),
                    (rm_evaluation.c.initiative_id, RecommendationFact, "initiative_id"),
                    (rm_evaluation.c.initiative_id, DecisionFact, "initiative_id"),
                    (rm_evaluation.c.round_id, RoundFact, "round_id"),
                )
            )
        )
        return CampaignFacts(
            year=year,
            initiatives=await self._facts(InitiativeFact, of_year[InitiativeFact]),
            withdrawals=await self._facts(WithdrawalFact, of_year[WithdrawalFact]),
            rounds=await self._facts(RoundFact, of_year[RoundFact]),
            cancellations=await self._facts(CancellationFact, of_year[CancellationFact]),
            evaluations=await self._facts(EvaluationFact, evaluations),
            recommendations=await self._facts(RecommendationFact, of_year[RecommendationFact]),
            decisions=await self._facts(DecisionFact, of_year[DecisionFact]),
            # Counted by the year each names (RejectionFact.counts_in).
            rejections=await self._facts(RejectionFact),
            par_contributions=await self._facts(ParContributionFact, of_year[ParContributionFact]),
            settings=next(
                iter(await self._facts(CampaignSettingsFact, of_year[CampaignSettingsFact])), None
            ),
        )

    async def load_follow_up(self) -> FollowUpFacts:
        return FollowUpFacts(
            recognitions=await self._facts(RecognitionFact),
            adoptions=await self._facts(AdoptionFact),
        )

    async def initiatives_by_id(self, ids: Collection[UUID]) -> list[InitiativeFact]:
        if not ids:
            return []
        return await self._facts(InitiativeFact, rm_initiative.c.initiative_id.in_(list(ids)))

    async def initiatives_building_on(self, ids: Collection[UUID]) -> list[InitiativeFact]:
        """The initiatives whose ``builds_on`` names one of ``ids`` (the next generation)."""
        if not ids:
            return []
        return await self._facts(InitiativeFact, rm_initiative.c.builds_on_id.in_(list(ids)))

    async def load_all(self) -> FactSet:
        """Every stored fact (for comparing a rebuild with the live read models)."""
        facts = FactSet()
        for kind in FACT_KINDS:
            facts.apply_all(await self._facts(kind))
        return facts
