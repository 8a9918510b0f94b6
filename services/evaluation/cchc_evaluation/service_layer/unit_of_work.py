"""The SQL unit of work: the kit's SqlAlchemyUnitOfWork (one transaction with the inbox and
the outbox) plus the service's repositories."""

from __future__ import annotations

from typing import Self
from uuid import UUID

from sqlalchemy import text

from cchc_evaluation.adapters.repository.audit import SqlAuditLog
from cchc_evaluation.adapters.repository.evaluations import (
    SqlEvaluationRepository,
    SqlRubricRepository,
)
from cchc_evaluation.adapters.repository.knowledge import (
    SqlInitiativeRepository,
    SqlRoundRepository,
)
from cchc_evaluation.adapters.repository.par_index import SqlParContributionRepository
from cchc_evaluation.adapters.repository.selection import (
    SqlDecisionRepository,
    SqlOpinionRepository,
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
        """Serialise writers of one aggregate on PostgreSQL (SQLite's BEGIN IMMEDIATE already
        serialises every writer)."""
        if self.connection.dialect.name == "postgresql":
            lock_id = int.from_bytes(key.bytes[:8], "big", signed=True)
            await self.connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id}
            )
