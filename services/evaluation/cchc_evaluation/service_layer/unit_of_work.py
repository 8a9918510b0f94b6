"""The unit of work: one transaction over the repositories, the outbox and the inbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from cchc_evaluation.adapters.repository import (
    SqlAuditLog,
    SqlDecisionRepository,
    SqlEvaluationRepository,
    SqlInitiativeRepository,
    SqlOpinionRepository,
    SqlRoundRepository,
    SqlRubricRepository,
    advisory_lock,
)
from cchc_evaluation.domain.model import (
    Decision,
    Evaluation,
    InitiativeInfo,
    Round,
    SectorOpinion,
)
from cchc_evaluation.domain.rubric import Rubric
from cchc_shared.contracts import CloudEvent, EncodedMessage, EventData
from cchc_shared.persistence import SqlAlchemyUnitOfWork


class InitiativeRepository(Protocol):
    async def get(self, initiative_id: UUID) -> InitiativeInfo | None: ...
    async def add(self, info: InitiativeInfo) -> None: ...
    async def update(self, info: InitiativeInfo) -> None: ...
    async def of_campaign(self, year: int) -> list[InitiativeInfo]: ...
    async def many(self, ids: Iterable[UUID]) -> dict[UUID, InitiativeInfo]: ...


class RoundRepository(Protocol):
    async def get(self, round_id: UUID) -> Round | None: ...
    async def containing_visit(self, visit_id: UUID) -> Round | None: ...
    async def visiting(self, initiative_ids: Iterable[UUID]) -> list[Round]: ...
    async def with_member(self, member_id: str) -> list[Round]: ...
    async def add(self, round_: Round) -> None: ...
    async def update(self, round_: Round) -> None: ...


class RubricRepository(Protocol):
    async def get(self, year: int) -> Rubric | None: ...
    async def save(self, rubric: Rubric, actor: str, at: datetime) -> None: ...


class EvaluationRepository(Protocol):
    async def get(self, evaluation_id: UUID) -> Evaluation | None: ...
    async def by_member(self, initiative_id: UUID, evaluator_id: str) -> Evaluation | None: ...
    async def of_initiative(self, initiative_id: UUID) -> list[Evaluation]: ...
    async def of_campaign(self, year: int) -> list[Evaluation]: ...
    async def of_member(self, evaluator_id: str) -> list[Evaluation]: ...
    async def count_of_campaign(self, year: int) -> int: ...
    async def add(self, e: Evaluation) -> None: ...
    async def update(self, e: Evaluation) -> None: ...


class OpinionRepository(Protocol):
    async def get(self, initiative_id: UUID) -> SectorOpinion | None: ...
    async def many(self, ids: Iterable[UUID]) -> dict[UUID, SectorOpinion]: ...
    async def save(self, opinion: SectorOpinion) -> None: ...


class DecisionRepository(Protocol):
    async def get(self, initiative_id: UUID) -> Decision | None: ...
    async def of_campaign(self, year: int) -> list[Decision]: ...
    async def add(self, d: Decision) -> None: ...


class AuditLog(Protocol):
    async def record(
        self,
        entity: str,
        entity_id: str,
        action: str,
        actor: str,
        at: datetime,
        snapshot: dict[str, Any],
        reason: str | None = None,
    ) -> None: ...
    async def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]: ...


class UnitOfWork(Protocol):
    # Read-only members, so a unit of work with concrete repositories satisfies the protocol.
    @property
    def initiatives(self) -> InitiativeRepository: ...
    @property
    def rounds(self) -> RoundRepository: ...
    @property
    def rubrics(self) -> RubricRepository: ...
    @property
    def evaluations(self) -> EvaluationRepository: ...
    @property
    def opinions(self) -> OpinionRepository: ...
    @property
    def decisions(self) -> DecisionRepository: ...
    @property
    def audit(self) -> AuditLog: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def lock(self, key: UUID) -> None: ...
    async def accept_once(self, consumer: str, event: CloudEvent) -> bool: ...
    def publish(self, data: EventData, *, subject: str | None = None) -> EncodedMessage: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SqlEvaluationUnitOfWork(SqlAlchemyUnitOfWork):
    initiatives: SqlInitiativeRepository
    rounds: SqlRoundRepository
    rubrics: SqlRubricRepository
    evaluations: SqlEvaluationRepository
    opinions: SqlOpinionRepository
    decisions: SqlDecisionRepository
    audit: SqlAuditLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.initiatives = SqlInitiativeRepository(self.connection)
        self.rounds = SqlRoundRepository(self.connection)
        self.rubrics = SqlRubricRepository(self.connection)
        self.evaluations = SqlEvaluationRepository(self.connection)
        self.opinions = SqlOpinionRepository(self.connection)
        self.decisions = SqlDecisionRepository(self.connection)
        self.audit = SqlAuditLog(self.connection)
        return self

    async def lock(self, key: UUID) -> None:
        await advisory_lock(self.connection, key)
