"""The unit-of-work port every service's own extends: what the kit's SqlAlchemyUnitOfWork
gives each service (transaction, inbox, outbox). A service's ``ports.UnitOfWork`` adds its
repositories as read-only properties; its fakes satisfy the same Protocol."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self

from cchc_shared.contracts.envelope import CloudEvent, EncodedMessage
from cchc_shared.contracts.events import EventData
from cchc_shared.persistence.audit import AuditEntry


class KitUnitOfWork(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def publish(
        self, data: EventData, *, subject: str | None = None, event_id: str | None = None
    ) -> EncodedMessage:
        """Queue an event for the outbox: it is written with the rest at ``commit``."""
        ...

    async def accept_once(self, consumer: str, event: CloudEvent) -> bool:
        """Record a consumed event in the inbox; False when it was already processed."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class AuditLog(Protocol):
    """Who did what to which record (:mod:`cchc_shared.persistence.audit`)."""

    async def record(self, entry: AuditEntry) -> None: ...

    async def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        """The record's entries, oldest first, as the APIs show them."""
        ...
