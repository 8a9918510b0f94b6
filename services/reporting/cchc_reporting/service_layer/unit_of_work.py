"""The unit of work: one transaction over the inbox, the event log and the fact store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from cchc_reporting.adapters.repository import (
    LoggedEvent,
    LogPosition,
    SqlEventLog,
    SqlFactRepository,
)
from cchc_reporting.domain.facts import Fact, FactSet
from cchc_reporting.domain.views import CampaignFacts
from cchc_shared.contracts import CloudEvent
from cchc_shared.persistence import SqlAlchemyUnitOfWork


class EventLog(Protocol):
    async def append(self, event: CloudEvent, received_at: datetime | None = None) -> None: ...
    async def lock_for_rebuild(self) -> None: ...
    def stream(self, batch: int = ...) -> AsyncIterator[LoggedEvent]: ...
    async def position(self) -> LogPosition: ...
    async def counts_by_type(self) -> dict[str, int]: ...


class FactRepository(Protocol):
    async def apply(self, fact: Fact) -> bool: ...
    async def replace_all(self, facts: FactSet) -> dict[str, int]: ...
    async def bump_generation(self) -> int: ...
    async def campaign_years(self) -> list[int]: ...
    async def load_campaign(self, year: int) -> CampaignFacts: ...
    async def load_all(self) -> FactSet: ...


class UnitOfWork(Protocol):
    @property
    def log(self) -> EventLog: ...
    @property
    def facts(self) -> FactRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def accept_once(self, consumer: str, event: CloudEvent) -> bool: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SqlReportingUnitOfWork(SqlAlchemyUnitOfWork):
    log: SqlEventLog
    facts: SqlFactRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.log = SqlEventLog(self.connection)
        self.facts = SqlFactRepository(self.connection)
        return self
