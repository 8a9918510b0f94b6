"""The SQL unit of work: the kit's SqlAlchemyUnitOfWork (one transaction with the inbox and
the outbox) plus the service's repositories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_evaluation.adapters.orm import audit_log, campaign_settings
from cchc_evaluation.adapters.repository.adoptions import SqlAdoptionRepository
from cchc_evaluation.adapters.repository.evaluations import (
    SqlEvaluationRepository,
    SqlKeyedRequestRepository,
    SqlRubricRepository,
)
from cchc_evaluation.adapters.repository.knowledge import (
    SqlInitiativeRepository,
    SqlRoundRepository,
)
from cchc_evaluation.adapters.repository.par_index import (
    SqlParContributionRepository,
    SqlParIndexStaleRepository,
)
from cchc_evaluation.adapters.repository.selection import (
    SqlDecisionRepository,
    SqlOpinionRepository,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork
from cchc_shared.persistence.audit import SqlAuditLog
from cchc_shared.persistence.campaign_settings import SqlCampaignSettings
from cchc_shared.persistence.tables import KitTables


class SqlEvaluationUnitOfWork(SqlAlchemyUnitOfWork):
    initiatives: SqlInitiativeRepository
    rounds: SqlRoundRepository
    rubrics: SqlRubricRepository
    evaluations: SqlEvaluationRepository
    keyed_requests: SqlKeyedRequestRepository
    opinions: SqlOpinionRepository
    decisions: SqlDecisionRepository
    par_contributions: SqlParContributionRepository
    par_stale: SqlParIndexStaleRepository
    adoptions: SqlAdoptionRepository
    audit: SqlAuditLog
    campaign_settings: SqlCampaignSettings

    def __init__(
        self,
        engine: AsyncEngine,
        tables: KitTables,
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
        on_stale: Callable[[], None] | None = None,
    ) -> None:
        """``on_stale`` is called after a commit that marked a PAR-Index unit stale."""
        super().__init__(engine, tables, source=source, on_commit=on_commit)
        self._on_stale = on_stale

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.initiatives = SqlInitiativeRepository(self.connection)
        self.rounds = SqlRoundRepository(self.connection)
        self.rubrics = SqlRubricRepository(self.connection)
        self.evaluations = SqlEvaluationRepository(self.connection)
        self.keyed_requests = SqlKeyedRequestRepository(self.connection)
        self.opinions = SqlOpinionRepository(self.connection)
        self.decisions = SqlDecisionRepository(self.connection)
        self.par_contributions = SqlParContributionRepository(self.connection)
        self.par_stale = SqlParIndexStaleRepository(self.connection)
        self.adoptions = SqlAdoptionRepository(self.connection)
        self.audit = SqlAuditLog(self.connection, audit_log)
        self.campaign_settings = SqlCampaignSettings(self.connection, campaign_settings)
        return self

    async def commit(self) -> None:
        marked, self.par_stale.marked = self.par_stale.marked, False
        await super().commit()
        if marked and self._on_stale is not None:
            self._on_stale()

    async def lock(self, key: UUID) -> None:
        """Serialise writers of one aggregate on PostgreSQL (SQLite's BEGIN IMMEDIATE already
        serialises every writer)."""
        if self.connection.dialect.name == "postgresql":
            lock_id = int.from_bytes(key.bytes[:8], "big", signed=True)
            await self.connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id}
            )
