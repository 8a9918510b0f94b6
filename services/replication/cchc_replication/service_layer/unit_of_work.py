"""The unit of work: one transaction over the repositories, the outbox and the inbox."""

from __future__ import annotations

import hashlib
from typing import Self

from sqlalchemy import text

from cchc_replication.adapters.orm import audit_log
from cchc_replication.adapters.repository import (
    SqlCandidateRepository,
    SqlDecisionRepository,
    SqlEvidenceRepository,
    SqlReportRepository,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork
from cchc_shared.persistence.audit import SqlAuditLog


class SqlReplicationUnitOfWork(SqlAlchemyUnitOfWork):
    candidates: SqlCandidateRepository
    decisions: SqlDecisionRepository
    reports: SqlReportRepository
    evidence: SqlEvidenceRepository
    audit: SqlAuditLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.candidates = SqlCandidateRepository(self.connection)
        self.decisions = SqlDecisionRepository(self.connection)
        self.reports = SqlReportRepository(self.connection)
        self.evidence = SqlEvidenceRepository(self.connection)
        self.audit = SqlAuditLog(self.connection, audit_log)
        return self

    async def lock(self, key: str) -> None:
        """Serialise writers of one record on PostgreSQL (SQLite's BEGIN IMMEDIATE already
        serialises every writer)."""
        if self.connection.dialect.name == "postgresql":
            digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
            await self.connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"),
                {"id": int.from_bytes(digest, "big", signed=True)},
            )
