"""Repositories over the service's tables: they map rows to domain objects and back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import (
    audit_log,
    decisions,
    evaluations,
    initiatives,
    par_contributions,
    round_members,
    rounds,
    rubrics,
    sector_opinions,
    visits,
)
from cchc_evaluation.domain.evaluations import Evaluation, Narrative
from cchc_evaluation.domain.knowledge import (
    InitiativeInfo,
    InitiativeStatus,
    Round,
    RoundStatus,
    TeamMember,
    Visit,
)
from cchc_evaluation.domain.par_index import IndexRow, IndexUnit, ParContribution, ParIndexRule
from cchc_evaluation.domain.rubric import CriterionScore, Rubric, rubric_from_dict, rubric_to_dict
from cchc_evaluation.domain.selection import Decision, SectorOpinion


async def advisory_lock(connection: AsyncConnection, key: UUID) -> None:
    """Serialise writers of one aggregate on PostgreSQL (SQLite's BEGIN IMMEDIATE already
    serialises every writer)."""
    if connection.dialect.name == "postgresql":
        lock_id = int.from_bytes(key.bytes[:8], "big", signed=True)
        await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


# --------------------------------------------------------------------------------------
# Knowledge from events


def _initiative(row: RowMapping) -> InitiativeInfo:
    return InitiativeInfo(
        id=row["id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        status=InitiativeStatus(row["status"]),
        kind=row["kind"],
        title=row["title"],
        summary=row["summary"],
        par_area=row["par_area"],
        content_as_of=row["content_as_of"],
        withdrawn_at=row["withdrawn_at"],
    )


def _initiative_values(info: InitiativeInfo) -> dict[str, Any]:
    return {
        "campaign_year": info.campaign_year,
        "agency_code": info.agency_code,
        "status": info.status.value,
        "kind": info.kind,
        "title": info.title,
        "summary": info.summary,
        "par_area": info.par_area,
        "content_as_of": info.content_as_of,
        "withdrawn_at": info.withdrawn_at,
    }


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


# --------------------------------------------------------------------------------------
# Rubrics, evaluations, opinions, decisions, audit


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


def scores_json(scores: Sequence[CriterionScore]) -> list[dict[str, Any]]:
    return [{"criterion": s.criterion, "score": s.score, "max_score": s.max_score} for s in scores]


def _evaluation_values(e: Evaluation) -> dict[str, Any]:
    return {
        "scores": scores_json(e.scores),
        "total": e.total,
        "strengths": e.narrative.strengths,
        "limitations": e.narrative.limitations,
        "difficulties": e.narrative.difficulties,
        "recommendation": e.recommendation,
        "updated_at": e.updated_at,
        "version": e.version,
    }


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
        await self.connection.execute(
            insert(evaluations).values(
                id=e.id,
                initiative_id=e.initiative_id,
                round_id=e.round_id,
                visit_id=e.visit_id,
                evaluator_id=e.evaluator_id,
                campaign_year=e.campaign_year,
                recorded_at=e.recorded_at,
                **_evaluation_values(e),
            )
        )

    async def update(self, e: Evaluation) -> None:
        await self.connection.execute(
            update(evaluations).where(evaluations.c.id == e.id).values(**_evaluation_values(e))
        )


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


def _rule_json(rule: ParIndexRule) -> dict[str, Any]:
    return {
        "per_submitted": rule.per_submitted,
        "per_surveyed": rule.per_surveyed,
        "per_recommended": rule.per_recommended,
        "cap": rule.cap,
        "district_counts_wards": rule.district_counts_wards,
    }


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
        rule = row["rule"]
        return ParContribution(
            campaign_year=row["campaign_year"],
            row=IndexRow(
                code=unit.code,
                name=unit.name,
                level=unit.level,
                submitted=row["submitted"],
                surveyed=row["surveyed"],
                recommended=row["recommended"],
                mean_score=row["mean_score"],
                points=float(row["points"]),
            ),
            rule=ParIndexRule(
                per_submitted=float(rule["per_submitted"]),
                per_surveyed=float(rule["per_surveyed"]),
                per_recommended=float(rule["per_recommended"]),
                cap=float(rule["cap"]),
                district_counts_wards=bool(rule["district_counts_wards"]),
            ),
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
            "rule": _rule_json(c.rule),
            "final_score_method": c.final_score_method,
            "version": c.version,
            "computed_at": c.computed_at,
        }
        if c.version == 1:
            await self.connection.execute(
                insert(par_contributions).values(
                    campaign_year=c.campaign_year, agency_code=c.row.code, **values
                )
            )
        else:
            await self.connection.execute(
                update(par_contributions)
                .where(
                    (par_contributions.c.campaign_year == c.campaign_year)
                    & (par_contributions.c.agency_code == c.row.code)
                )
                .values(**values)
            )


class SqlAuditLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def record(
        self,
        entity: str,
        entity_id: str,
        action: str,
        actor: str,
        at: datetime,
        snapshot: dict[str, Any],
        reason: str | None = None,
    ) -> None:
        await self.connection.execute(
            insert(audit_log).values(
                entity=entity,
                entity_id=entity_id,
                action=action,
                actor=actor,
                at=at,
                reason=reason,
                snapshot=snapshot,
            )
        )

    async def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        result = await self.connection.execute(
            select(audit_log)
            .where((audit_log.c.entity == entity) & (audit_log.c.entity_id == entity_id))
            .order_by(audit_log.c.seq)
        )
        return [
            {
                "action": row["action"],
                "actor": row["actor"],
                "at": row["at"],
                "reason": row["reason"],
                "snapshot": row["snapshot"],
            }
            for row in result.mappings()
        ]
