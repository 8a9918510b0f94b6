"""The SQL unit of work: the kit's transaction, outbox and inbox, with intake's repositories
(it satisfies ``ports.UnitOfWork``)."""

from __future__ import annotations

from typing import Self

from cchc_intake.adapters.orm import audit_log
from cchc_intake.adapters.repository import (
    SqlAgencyRepository,
    SqlCampaignRepository,
    SqlDraftRepository,
    SqlInitiativeRepository,
    SqlRejectionRepository,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork
from cchc_shared.persistence.audit import SqlAuditLog


class SqlIntakeUnitOfWork(SqlAlchemyUnitOfWork):
    agencies: SqlAgencyRepository
    campaigns: SqlCampaignRepository
    initiatives: SqlInitiativeRepository
    drafts: SqlDraftRepository
    rejections: SqlRejectionRepository
    audit: SqlAuditLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.agencies = SqlAgencyRepository(self.connection)
        self.campaigns = SqlCampaignRepository(self.connection)
        self.initiatives = SqlInitiativeRepository(self.connection)
        self.drafts = SqlDraftRepository(self.connection)
        self.rejections = SqlRejectionRepository(self.connection)
        self.audit = SqlAuditLog(self.connection, audit_log)
        return self

    async def commit(self) -> None:
        # The events the aggregates recorded leave in the same transaction as the change.
        for initiative in self.initiatives.seen:
            while initiative.events:
                self.publish(initiative.events.pop(0))
        await super().commit()
