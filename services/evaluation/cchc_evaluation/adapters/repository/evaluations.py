"""SQL repositories of rubrics and evaluations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import evaluation_request_keys, evaluations, rubrics
from cchc_evaluation.domain.evaluations import Evaluation, KeyedRequest, Narrative
from cchc_evaluation.domain.rubric import CriterionScore, Rubric, rubric_from_dict, rubric_to_dict


class SqlRubricRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, year: int) -> Rubric | None:
        definition = (
            await self.connection.execute(
                select(rubrics.c.definition).where(rubrics.c.campaign_year == year)
            )
        ).scalar_one_or_none()
        return rubric_from_dict(definition) if definition is not None else None

    async def save(self, rubric: Rubric, actor: str, at: datetime) -> None:
        values = {"definition": rubric_to_dict(rubric), "updated_at": at, "updated_by": actor}
        changed = await self.connection.execute(
            update(rubrics).where(rubrics.c.campaign_year == rubric.campaign_year).values(**values)
        )
        if getattr(changed, "rowcount", 0) == 0:
            await self.connection.execute(
                insert(rubrics).values(campaign_year=rubric.campaign_year, **values)
            )


def _evaluation(row: RowMapping) -> Evaluation:
    return Evaluation(
        id=row["id"],
        initiative_id=row["initiative_id"],
        round_id=row["round_id"],
        visit_id=row["visit_id"],
        evaluator_id=row["evaluator_id"],
        campaign_year=row["campaign_year"],
        scores=tuple(
            CriterionScore(s["criterion"], float(s["score"]), float(s["max_score"]))
            for s in row["scores"]
        ),
        total=float(row["total"]),
        narrative=Narrative(row["strengths"], row["limitations"], row["difficulties"]),
        recommendation=row["recommendation"],
        recorded_at=row["recorded_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _evaluation_values(e: Evaluation) -> dict[str, Any]:
    return {**e.sheet_values(), "updated_at": e.updated_at, "version": e.version}


class SqlEvaluationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, evaluation_id: UUID) -> Evaluation | None:
        return await self._one(evaluations.c.id == evaluation_id)

    async def by_member(self, initiative_id: UUID, evaluator_id: str) -> Evaluation | None:
        return await self._one(
            (evaluations.c.initiative_id == initiative_id)
            & (evaluations.c.evaluator_id == evaluator_id)
        )

    async def _one(self, condition: Any) -> Evaluation | None:
        row = (
            (await self.connection.execute(select(evaluations).where(condition))).mappings().first()
        )
        return _evaluation(row) if row else None

    async def of_initiative(self, initiative_id: UUID) -> list[Evaluation]:
        return await self._many(evaluations.c.initiative_id == initiative_id)

    async def of_campaign(self, year: int) -> list[Evaluation]:
        return await self._many(evaluations.c.campaign_year == year)

    async def of_member(self, evaluator_id: str) -> list[Evaluation]:
        return await self._many(evaluations.c.evaluator_id == evaluator_id)

    async def of_initiatives(self, initiative_ids: Iterable[UUID]) -> list[Evaluation]:
        wanted = list(set(initiative_ids))
        return await self._many(evaluations.c.initiative_id.in_(wanted)) if wanted else []

    async def _many(self, condition: Any) -> list[Evaluation]:
        result = await self.connection.execute(
            select(evaluations).where(condition).order_by(evaluations.c.recorded_at)
        )
        return [_evaluation(row) for row in result.mappings()]

    async def count_of_campaign(self, year: int) -> int:
        return int(
            (
                await self.connection.execute(
                    select(func.count())
                    .select_from(evaluations)
                    .where(evaluations.c.campaign_year == year)
                )
            ).scalar_one()
        )

    async def add(self, e: Evaluation) -> None:
        values = {**e.values(), "updated_at": e.updated_at, "version": e.version}
        await self.connection.execute(
            insert(evaluations).values(
                id=values.pop("evaluation_id"),
                campaign_year=e.campaign_year,
                recorded_at=e.recorded_at,
                **values,
            )
        )

    async def update(self, e: Evaluation) -> None:
        await self.connection.execute(
            update(evaluations).where(evaluations.c.id == e.id).values(**_evaluation_values(e))
        )


class SqlKeyedRequestRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, evaluator_id: str, key: str) -> KeyedRequest | None:
        t = evaluation_request_keys
        row = (
            (
                await self.connection.execute(
                    select(t).where(
                        (t.c.evaluator_id == evaluator_id) & (t.c.idempotency_key == key)
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return KeyedRequest(
            row["evaluator_id"],
            row["idempotency_key"],
            row["fingerprint"],
            row["evaluation_id"],
            row["recorded_at"],
        )

    async def add(self, request: KeyedRequest) -> None:
        await self.connection.execute(
            insert(evaluation_request_keys).values(
                evaluator_id=request.evaluator_id,
                idempotency_key=request.key,
                fingerprint=request.fingerprint,
                evaluation_id=request.evaluation_id,
                recorded_at=request.recorded_at,
            )
        )
