"""Every Protocol the service layer depends on: the unit of work with its repositories, and
the attachment storage. The adapters implement them; the tests' fakes satisfy them too."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_intake.domain.model import Attachment, Campaign, Initiative
from cchc_shared.persistence.ports import AuditLog, KitUnitOfWork
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
    seen: list[Initiative]  # the aggregates loaded or added: their events leave on commit

    async def get(self, initiative_id: UUID) -> Initiative | None: ...
    async def live_with_title(
        self, campaign_year: int, agency_code: str, key: str
    ) -> UUID | None: ...
    async def add(self, initiative: Initiative) -> None: ...
    async def save(self, initiative: Initiative) -> None: ...
    async def add_attachment(self, attachment: Attachment) -> None: ...
    async def attachments_of(self, initiative_id: UUID) -> list[Attachment]: ...
    async def count_attachments(self, initiative_id: UUID) -> int: ...


class UnitOfWork(KitUnitOfWork, Protocol):
    """The kit's transaction, inbox and outbox, with intake's repositories."""

    @property
    def agencies(self) -> AgencyRepository: ...
    @property
    def campaigns(self) -> CampaignRepository: ...
    @property
    def initiatives(self) -> InitiativeRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def connection(self) -> AsyncConnection:
        """The transaction's connection: the read side (``queries``) reads the tables."""
        ...


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


class AttachmentStorage(Protocol):
    async def put(self, chunks: AsyncIterable[bytes]) -> StoredObject:
        """Store the bytes; content-addressed, so storing the same bytes twice is harmless."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...
