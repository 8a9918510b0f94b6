"""The unit of work: one transaction over the repositories, the outbox and the inbox."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_intake.adapters.repository import (
    SqlAgencyRepository,
    SqlCampaignRepository,
    SqlInitiativeRepository,
)
from cchc_intake.domain.model import Attachment, Campaign, Initiative
from cchc_shared.contracts import CloudEvent, EventData
from cchc_shared.persistence import KitTables, SqlAlchemyUnitOfWork
from cchc_shared.reference import Agency


class AgencyRepository(Protocol):
    async def get(self, code: str) -> Agency | None: ...
    async def seed(self, catalogue: Iterable[Agency]) -> int: ...


class CampaignRepository(Protocol):
    async def get(self, year: int) -> Campaign | None: ...
    async def list(self) -> list[Campaign]: ...
    async def taking_submissions(self, day: date) -> Campaign | None: ...
    async def add(self, campaign: Campaign) -> None: ...
    async def save(self, campaign: Campaign) -> None: ...


class InitiativeRepository(Protocol):
    seen: list[Initiative]

    async def get(self, initiative_id: UUID) -> Initiative | None: ...
    async def live_with_title(
        self, campaign_year: int, agency_code: str, key: str
    ) -> UUID | None: ...
    async def add(self, initiative: Initiative) -> None: ...
    async def save(self, initiative: Initiative) -> None: ...
    async def add_attachment(self, attachment: Attachment) -> None: ...
    async def attachments_of(self, initiative_id: UUID) -> list[Attachment]: ...
    async def count_attachments(self, initiative_id: UUID) -> int: ...


class UnitOfWork(Protocol):
    @property
    def agencies(self) -> AgencyRepository: ...
    @property
    def campaigns(self) -> CampaignRepository: ...
    @property
    def initiatives(self) -> InitiativeRepository: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def accept_once(self, consumer: str, event: CloudEvent) -> bool: ...
    def publish(
        self, data: EventData, *, subject: str | None = None, event_id: str | None = None
    ) -> object: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SqlIntakeUnitOfWork(SqlAlchemyUnitOfWork):
    agencies: SqlAgencyRepository
    campaigns: SqlCampaignRepository
    initiatives: SqlInitiativeRepository

    def __init__(
        self,
        engine: AsyncEngine,
        tables: KitTables,
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(engine, tables, source=source, on_commit=on_commit)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.agencies = SqlAgencyRepository(self.connection)
        self.campaigns = SqlCampaignRepository(self.connection)
        self.initiatives = SqlInitiativeRepository(self.connection)
        return self

    async def commit(self) -> None:
        # The events the aggregates recorded leave in the same transaction as the change.
        for initiative in self.initiatives.seen:
            while initiative.events:
                self.publish(initiative.events.pop(0))
        await super().commit()
