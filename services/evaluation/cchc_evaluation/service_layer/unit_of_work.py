"""The SQL unit of work: the kit's SqlAlchemyUnitOfWork (one transaction with the inbox and
the outbox) plus the service's repositories."""

from __future__ import annotations

from typing import Self
from uuid import UUID

from cchc_evaluation.adapters.repository import (
    SqlAuditLog,
    SqlDecisionRepository,
    SqlEvaluationRepository,
    SqlInitiativeRepository,
    SqlOpinionRepository,
    SqlParContributionRepository,
    SqlRoundRepository,
    SqlRubricRepository,
    advisory_lock,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork


class SqlEvaluationUnitOfWork(SqlAlchemyUnitOfWork):
    initiatives: SqlInitiativeRepository
    rounds: SqlRoundRepository
    rubrics: SqlRubricRepository
    evaluations: SqlEvaluationRepository
    opinions: SqlOpinionRepository
    decisions: SqlDecisionRepository
    par_contributions: SqlParContributionRepository
    audit: SqlAuditLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.initiatives = SqlInitiativeRepository(self.connection)
        self.rounds = SqlRoundRepository(self.connection)
        self.rubrics = SqlRubricRepository(self.connection)
        self.evaluations = SqlEvaluationRepository(self.connection)
        self.opinions = SqlOpinionRepository(self.connection)
        self.decisions = SqlDecisionRepository(self.connection)
        self.par_contributions = SqlParContributionRepository(self.connection)
        self.audit = SqlAuditLog(self.connection)
        return self

    async def lock(self, key: UUID) -> None:
        await advisory_lock(self.connection, key)
