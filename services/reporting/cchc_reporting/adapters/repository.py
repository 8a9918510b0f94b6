"""The event log and the fact store over SQLAlchemy: rows in, domain facts out.

A fact is written with one conditional upsert (``INSERT ... ON CONFLICT DO UPDATE ... WHERE
stored version < new version``), so two handlers racing on the same key on PostgreSQL still
keep the newest version: the row lock makes the later statement re-check the condition.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, func, insert, or_, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_reporting.adapters.orm import (
    READ_MODEL_TABLES,
    event_log,
    rm_decision,
    rm_evaluation,
    rm_initiative,
    rm_meta,
    rm_par_contribution,
    rm_recommendation,
    rm_rejection,
    rm_round,
    rm_round_cancellation,
    rm_visit,
    rm_withdrawal,
)
from cchc_reporting.domain.facts import (
    FACT_KINDS,
    CancellationFact,
    DecisionFact,
    EvaluationFact,
    Fact,
    FactSet,
    InitiativeFact,
    ParContributionFact,
    ParRuleFact,
    RecommendationFact,
    RejectionFact,
    RoundFact,
    ScoreFact,
    TeamMemberFact,
    Version,
    VisitFact,
    WithdrawalFact,
)
from cchc_reporting.domain.views import CampaignFacts
from cchc_shared.contracts.envelope import CloudEvent

GENERATION_KEY = "generation"
_CHUNK = 500


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    event_source: str
    event_id: str
    event_type: str
    subject: str | None
    occurred_at: datetime | None
    data: Any
    received_at: datetime


@dataclass(frozen=True)
class LogPosition:
    """Where the log stands: changes whenever an event is appended or the read models rebuilt."""

    count: int
    last_seq: int
    generation: int


_APPEND_EVENT = insert(event_log)


class SqlEventLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def append(self, event: CloudEvent, received_at: datetime | None = None) -> None:
        await self.connection.execute(
            _APPEND_EVENT,
            {
                "event_source": event.source,
                "event_id": event.id,
                "event_type": event.type,
                "subject": event.subject,
                "occurred_at": event.time,
                "data": event.data,
                "received_at": received_at or datetime.now(UTC),
            },
        )

    async def lock_for_rebuild(self) -> None:
        """Hold new appends (and so every live projection) until the rebuild commits.
        SQLite already runs one writer at a time (BEGIN IMMEDIATE)."""
        if self.connection.dialect.name == "postgresql":
            await self.connection.execute(text("LOCK TABLE event_log IN EXCLUSIVE MODE"))

    async def stream(self, batch: int = 2_000) -> AsyncIterator[LoggedEvent]:
        last = 0
        while True:
            rows = (
                (
                    await self.connection.execute(
                        select(event_log)
                        .where(event_log.c.seq > last)
                        .order_by(event_log.c.seq)
                        .limit(batch)
                    )
                )
                .mappings()
                .all()
            )
            if not rows:
                return
            for row in rows:
                yield LoggedEvent(
                    seq=row["seq"],
                    event_source=row["event_source"],
                    event_id=row["event_id"],
                    event_type=row["event_type"],
                    subject=row["subject"],
                    occurred_at=row["occurred_at"],
                    data=row["data"],
                    received_at=row["received_at"],
                )
            last = rows[-1]["seq"]

    async def position(self) -> LogPosition:
        count, last = (
            await self.connection.execute(select(func.count(), func.max(event_log.c.seq)))
        ).one()
        generation = (
            await self.connection.execute(
                select(rm_meta.c.value).where(rm_meta.c.key == GENERATION_KEY)
            )
        ).scalar_one_or_none()
        return LogPosition(int(count), int(last or 0), int(generation or 0))

    async def counts_by_type(self) -> dict[str, int]:
        rows = await self.connection.execute(
            select(event_log.c.event_type, func.count()).group_by(event_log.c.event_type)
        )
        return {event_type: int(count) for event_type, count in rows.all()}


# ---------------------------------------------------------------------------------------
# Facts <-> rows


def _version(fact: Fact) -> dict[str, Any]:
    return {"version": fact.version.stamp, "version_event_id": fact.version.event_id}


def _row_version(row: RowMapping) -> Version:
    return Version(int(row["version"]), row["version_event_id"])


def _initiative_row(f: InitiativeFact) -> dict[str, Any]:
    return {
        "initiative_id": f.initiative_id,
        "campaign_year": f.campaign_year,
        "agency_code": f.agency_code,
        "kind": f.kind,
        "title": f.title,
        "summary": f.summary,
        "par_area": f.par_area,
        "applied_since": f.applied_since,
        "results": f.results,
        "limitations": f.limitations,
        "submitted_at": f.submitted_at,
        "amended_at": f.amended_at,
        **_version(f),
    }


def _initiative(row: RowMapping) -> InitiativeFact:
    return InitiativeFact(
        initiative_id=row["initiative_id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        kind=row["kind"],
        title=row["title"],
        summary=row["summary"],
        par_area=row["par_area"],
        applied_since=row["applied_since"],
        results=row["results"],
        limitations=row["limitations"],
        submitted_at=row["submitted_at"],
        amended_at=row["amended_at"],
        version=_row_version(row),
    )


def _withdrawal_row(f: WithdrawalFact) -> dict[str, Any]:
    return {
        "initiative_id": f.initiative_id,
        "campaign_year": f.campaign_year,
        "agency_code": f.agency_code,
        "reason": f.reason,
        "withdrawn_at": f.withdrawn_at,
        **_version(f),
    }


def _withdrawal(row: RowMapping) -> WithdrawalFact:
    return WithdrawalFact(
        initiative_id=row["initiative_id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        reason=row["reason"],
        withdrawn_at=row["withdrawn_at"],
        version=_row_version(row),
    )


def _round_row(f: RoundFact) -> dict[str, Any]:
    return {
        "round_id": f.round_id,
        "campaign_year": f.campaign_year,
        "sequence": f.sequence,
        "starts_on": f.starts_on,
        "ends_on": f.ends_on,
        "team": [
            {"member_id": m.member_id, "name": m.name, "role": m.role, "agency_code": m.agency_code}
            for m in f.team
        ],
        "rescheduled": f.rescheduled,
        "reason": f.reason,
        **_version(f),
    }


def _visit_rows(f: RoundFact) -> list[dict[str, Any]]:
    return [
        {
            "round_id": f.round_id,
            "visit_id": v.visit_id,
            "position": position,
            "initiative_id": v.initiative_id,
            "agency_code": v.agency_code,
            "visit_date": v.date,
            "starts_at": v.starts_at,
        }
        for position, v in enumerate(f.visits)
    ]


def _round(row: RowMapping, visits: Sequence[RowMapping]) -> RoundFact:
    return RoundFact(
        round_id=row["round_id"],
        campaign_year=row["campaign_year"],
        sequence=row["sequence"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        team=tuple(
            TeamMemberFact(m["member_id"], m["name"], m["role"], m["agency_code"])
            for m in row["team"]
        ),
        visits=tuple(
            VisitFact(
                v["visit_id"], v["initiative_id"], v["agency_code"], v["visit_date"], v["starts_at"]
            )
            for v in sorted(visits, key=lambda v: v["position"])
        ),
        rescheduled=bool(row["rescheduled"]),
        reason=row["reason"],
        version=_row_version(row),
    )


def _cancellation_row(f: CancellationFact) -> dict[str, Any]:
    return {
        "round_id": f.round_id,
        "campaign_year": f.campaign_year,
        "sequence": f.sequence,
        "reason": f.reason,
        "cancelled_at": f.cancelled_at,
        **_version(f),
    }


def _cancellation(row: RowMapping) -> CancellationFact:
    return CancellationFact(
        round_id=row["round_id"],
        campaign_year=row["campaign_year"],
        sequence=row["sequence"],
        reason=row["reason"],
        cancelled_at=row["cancelled_at"],
        version=_row_version(row),
    )


def _evaluation_row(f: EvaluationFact) -> dict[str, Any]:
    return {
        "evaluation_id": f.evaluation_id,
        "initiative_id": f.initiative_id,
        "round_id": f.round_id,
        "visit_id": f.visit_id,
        "evaluator_id": f.evaluator_id,
        "scores": [
            {"criterion": s.criterion, "score": s.score, "max_score": s.max_score} for s in f.scores
        ],
        "total": f.total,
        "strengths": f.strengths,
        "limitations": f.limitations,
        "difficulties": f.difficulties,
        "recommendation": f.recommendation,
        "recorded_at": f.recorded_at,
        **_version(f),
    }


def _evaluation(row: RowMapping) -> EvaluationFact:
    return EvaluationFact(
        evaluation_id=row["evaluation_id"],
        initiative_id=row["initiative_id"],
        round_id=row["round_id"],
        visit_id=row["visit_id"],
        evaluator_id=row["evaluator_id"],
        scores=tuple(
            ScoreFact(s["criterion"], float(s["score"]), float(s["max_score"]))
            for s in row["scores"]
        ),
        total=float(row["total"]),
        strengths=row["strengths"],
        limitations=row["limitations"],
        difficulties=row["difficulties"],
        recommendation=row["recommendation"],
        recorded_at=row["recorded_at"],
        version=_row_version(row),
    )


def _recommendation_row(f: RecommendationFact) -> dict[str, Any]:
    return {
        "initiative_id": f.initiative_id,
        "campaign_year": f.campaign_year,
        "agency_code": f.agency_code,
        "title": f.title,
        "kind": f.kind,
        "par_area": f.par_area,
        "final_score": f.final_score,
        "evaluation_count": f.evaluation_count,
        "scope": f.scope,
        "rationale": f.rationale,
        "decided_at": f.decided_at,
        **_version(f),
    }


def _recommendation(row: RowMapping) -> RecommendationFact:
    return RecommendationFact(
        initiative_id=row["initiative_id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        title=row["title"],
        kind=row["kind"],
        par_area=row["par_area"],
        final_score=float(row["final_score"]),
        evaluation_count=row["evaluation_count"],
        scope=row["scope"],
        rationale=row["rationale"],
        decided_at=row["decided_at"],
        version=_row_version(row),
    )


def _decision_row(f: DecisionFact) -> dict[str, Any]:
    return {
        "initiative_id": f.initiative_id,
        "campaign_year": f.campaign_year,
        "decision": f.decision,
        "scope": f.scope,
        "final_score": f.final_score,
        "evaluation_count": f.evaluation_count,
        "rationale": f.rationale,
        "overridden": f.overridden,
        "decided_at": f.decided_at,
        **_version(f),
    }


def _decision(row: RowMapping) -> DecisionFact:
    return DecisionFact(
        initiative_id=row["initiative_id"],
        campaign_year=row["campaign_year"],
        decision=row["decision"],
        scope=row["scope"],
        final_score=float(row["final_score"]),
        evaluation_count=row["evaluation_count"],
        rationale=row["rationale"],
        overridden=bool(row["overridden"]),
        decided_at=row["decided_at"],
        version=_row_version(row),
    )


def _rejection_row(f: RejectionFact) -> dict[str, Any]:
    return {
        "origin_source": f.origin_source,
        "origin_id": f.origin_id,
        "errors": [{"field": field, "message": message} for field, message in f.errors],
        "occurred_at": f.occurred_at,
        "campaign_year": f.campaign_year,
        **_version(f),
    }


def _rejection(row: RowMapping) -> RejectionFact:
    return RejectionFact(
        origin_source=row["origin_source"],
        origin_id=row["origin_id"],
        errors=tuple((e["field"], e["message"]) for e in row["errors"]),
        occurred_at=row["occurred_at"],
        version=_row_version(row),
        campaign_year=row["campaign_year"],
    )


def _par_contribution_row(f: ParContributionFact) -> dict[str, Any]:
    rule = f.rule
    return {
        "campaign_year": f.campaign_year,
        "agency_code": f.agency_code,
        "submitted": f.submitted,
        "surveyed": f.surveyed,
        "recommended": f.recommended,
        "mean_score": f.mean_score,
        "points": f.points,
        "rule": {
            "per_submitted": rule.per_submitted,
            "per_surveyed": rule.per_surveyed,
            "per_recommended": rule.per_recommended,
            "cap": rule.cap,
            "district_counts_wards": rule.district_counts_wards,
            "final_score_method": rule.final_score_method,
        },
        "computed_at": f.computed_at,
        **_version(f),
    }


def _par_contribution(row: RowMapping) -> ParContributionFact:
    rule = row["rule"]
    return ParContributionFact(
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        submitted=row["submitted"],
        surveyed=row["surveyed"],
        recommended=row["recommended"],
        mean_score=None if row["mean_score"] is None else float(row["mean_score"]),
        points=float(row["points"]),
        rule=ParRuleFact(
            per_submitted=float(rule["per_submitted"]),
            per_surveyed=float(rule["per_surveyed"]),
            per_recommended=float(rule["per_recommended"]),
            cap=float(rule["cap"]),
            district_counts_wards=bool(rule["district_counts_wards"]),
            final_score_method=rule["final_score_method"],
        ),
        computed_at=row["computed_at"],
        version=_row_version(row),
    )


_TABLE_OF: dict[type[Fact], tuple[Table, tuple[str, ...]]] = {
    InitiativeFact: (rm_initiative, ("initiative_id",)),
    WithdrawalFact: (rm_withdrawal, ("initiative_id",)),
    RoundFact: (rm_round, ("round_id",)),
    CancellationFact: (rm_round_cancellation, ("round_id",)),
    EvaluationFact: (rm_evaluation, ("evaluation_id",)),
    RecommendationFact: (rm_recommendation, ("initiative_id",)),
    DecisionFact: (rm_decision, ("initiative_id",)),
    RejectionFact: (rm_rejection, ("origin_source", "origin_id")),
    ParContributionFact: (rm_par_contribution, ("campaign_year", "agency_code")),
}


def fact_row(fact: Fact) -> dict[str, Any]:
    if isinstance(fact, InitiativeFact):
        return _initiative_row(fact)
    if isinstance(fact, WithdrawalFact):
        return _withdrawal_row(fact)
    if isinstance(fact, RoundFact):
        return _round_row(fact)
    if isinstance(fact, CancellationFact):
        return _cancellation_row(fact)
    if isinstance(fact, EvaluationFact):
        return _evaluation_row(fact)
    if isinstance(fact, RecommendationFact):
        return _recommendation_row(fact)
    if isinstance(fact, DecisionFact):
        return _decision_row(fact)
    if isinstance(fact, ParContributionFact):
        return _par_contribution_row(fact)
    return _rejection_row(fact)


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
        table, keys = _TABLE_OF[type(fact)]
        statement = _versioned_upsert(table, keys, self.connection.dialect.name)
        result = await self.connection.execute(statement, fact_row(fact))
        applied = bool(getattr(result, "rowcount", 0) == 1)
        if applied and isinstance(fact, RoundFact):
            await self.connection.execute(
                delete(rm_visit).where(rm_visit.c.round_id == fact.round_id)
            )
            rows = _visit_rows(fact)
            if rows:
                await self.connection.execute(insert(rm_visit), rows)
        return applied

    async def replace_all(self, facts: FactSet) -> dict[str, int]:
        """Empty every read-model table and write ``facts`` (the rebuild)."""
        for table in READ_MODEL_TABLES:
            await self.connection.execute(delete(table))
        written: dict[str, int] = {}
        for kind in FACT_KINDS:
            table, _ = _TABLE_OF[kind]
            items = list(facts.of_kind(kind))
            rows = [fact_row(f) for f in items]
            await self._insert_chunks(table, rows)
            written[table.name] = len(rows)
            if kind is RoundFact:
                visits = [row for f in items if isinstance(f, RoundFact) for row in _visit_rows(f)]
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

    async def _rows(self, statement: Any) -> Sequence[RowMapping]:
        return (await self.connection.execute(statement)).mappings().all()

    async def load_campaign(self, year: int) -> CampaignFacts:
        initiatives = [
            _initiative(r)
            for r in await self._rows(
                select(rm_initiative).where(rm_initiative.c.campaign_year == year)
            )
        ]
        round_rows = await self._rows(select(rm_round).where(rm_round.c.campaign_year == year))
        visit_rows: dict[UUID, list[RowMapping]] = {}
        for visit in await self._rows(
            select(rm_visit)
            .join(rm_round, rm_round.c.round_id == rm_visit.c.round_id)
            .where(rm_round.c.campaign_year == year)
        ):
            visit_rows.setdefault(visit["round_id"], []).append(visit)
        year_initiatives = select(rm_initiative.c.initiative_id).where(
            rm_initiative.c.campaign_year == year
        )
        year_recommendations = select(rm_recommendation.c.initiative_id).where(
            rm_recommendation.c.campaign_year == year
        )
        year_rounds = select(rm_round.c.round_id).where(rm_round.c.campaign_year == year)
        year_decisions = select(rm_decision.c.initiative_id).where(
            rm_decision.c.campaign_year == year
        )
        evaluations = await self._rows(
            select(rm_evaluation).where(
                or_(
                    rm_evaluation.c.initiative_id.in_(year_initiatives),
                    rm_evaluation.c.initiative_id.in_(year_recommendations),
                    rm_evaluation.c.initiative_id.in_(year_decisions),
                    rm_evaluation.c.round_id.in_(year_rounds),
                )
            )
        )
        return CampaignFacts(
            year=year,
            initiatives=initiatives,
            withdrawals=[
                _withdrawal(r)
                for r in await self._rows(
                    select(rm_withdrawal).where(rm_withdrawal.c.campaign_year == year)
                )
            ],
            rounds=[_round(r, visit_rows.get(r["round_id"], [])) for r in round_rows],
            cancellations=[
                _cancellation(r)
                for r in await self._rows(
                    select(rm_round_cancellation).where(
                        rm_round_cancellation.c.campaign_year == year
                    )
                )
            ],
            evaluations=[_evaluation(r) for r in evaluations],
            recommendations=[
                _recommendation(r)
                for r in await self._rows(
                    select(rm_recommendation).where(rm_recommendation.c.campaign_year == year)
                )
            ],
            decisions=[
                _decision(r)
                for r in await self._rows(
                    select(rm_decision).where(rm_decision.c.campaign_year == year)
                )
            ],
            rejections=[_rejection(r) for r in await self._rows(select(rm_rejection))],
            par_contributions=[
                _par_contribution(r)
                for r in await self._rows(
                    select(rm_par_contribution).where(rm_par_contribution.c.campaign_year == year)
                )
            ],
        )

    async def load_all(self) -> FactSet:
        """Every stored fact (for comparing a rebuild with the live read models)."""
        facts = FactSet()
        visit_rows: dict[UUID, list[RowMapping]] = {}
        for visit in await self._rows(select(rm_visit)):
            visit_rows.setdefault(visit["round_id"], []).append(visit)
        loaders: Iterable[tuple[Table, Any]] = (
            (rm_initiative, _initiative),
            (rm_withdrawal, _withdrawal),
            (rm_round_cancellation, _cancellation),
            (rm_evaluation, _evaluation),
            (rm_recommendation, _recommendation),
            (rm_decision, _decision),
            (rm_rejection, _rejection),
            (rm_par_contribution, _par_contribution),
        )
        for table, load in loaders:
            facts.apply_all(load(r) for r in await self._rows(select(table)))
        facts.apply_all(
            _round(r, visit_rows.get(r["round_id"], [])) for r in await self._rows(select(rm_round))
        )
        return facts
