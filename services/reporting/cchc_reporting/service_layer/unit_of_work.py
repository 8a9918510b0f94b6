"""The SQL unit of work: one transaction over the inbox, the event log and the fact store
(the kit's SqlAlchemyUnitOfWork plus the service's repositories)."""

from __future__ import annotations

from typing import Self

from cchc_reporting.adapters.event_log import SqlEventLog
from cchc_reporting.adapters.repository import SqlFactRepository
from cchc_shared.persistence import SqlAlchemyUnitOfWork


class SqlReportingUnitOfWork(SqlAlchemyUnitOfWork):
    log: SqlEventLog
    facts: SqlFactRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.log = SqlEventLog(self.connection)
        self.facts = SqlFactRepository(self.connection)
        return self
