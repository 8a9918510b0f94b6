"""The unit of work: one transaction over the repositories, the outbox and the inbox."""

from __future__ import annotations

from typing import Self

from cchc_scheduling.adapters.orm import audit_log, campaign_settings
from cchc_scheduling.adapters.repository import (
    SqlMemberRepository,
    SqlPlanJobRepository,
    SqlPoolRepository,
    SqlProposalRepository,
    SqlRoundRepository,
)
from cchc_shared.persistence import SqlAlchemyUnitOfWork
from cchc_shared.persistence.audit import SqlAuditLog
from cchc_shared.persistence.campaign_settings import SqlCampaignSettings


class SqlSchedulingUnitOfWork(SqlAlchemyUnitOfWork):
    members: SqlMemberRepository
    pool: SqlPoolRepository
    rounds: SqlRoundRepository
    proposals: SqlProposalRepository
    plan_jobs: SqlPlanJobRepository
    audit: SqlAuditLog
    campaign_settings: SqlCampaignSettings

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.members = SqlMemberRepository(self.connection)
        self.pool = SqlPoolRepository(self.connection)
        self.rounds = SqlRoundRepository(self.connection)
        self.proposals = SqlProposalRepository(self.connection)
        self.plan_jobs = SqlPlanJobRepository(self.connection)
        self.audit = SqlAuditLog(self.connection, audit_log)
        self.campaign_settings = SqlCampaignSettings(self.connection, campaign_settings)
        return self

    async def commit(self) -> None:
        # The events the rounds recorded leave in the same transaction as the change.
        for round_ in self.rounds.seen:
            while round_.events:
                self.publish(round_.events.pop(0))
        await super().commit()
