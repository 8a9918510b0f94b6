"""Async unit of work: one transaction holding the state change, the outgoing events
(outbox) and the record of the incoming event (inbox)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cchc_shared.contracts.envelope import CloudEvent, EncodedMessage, encode_event
from cchc_shared.contracts.events import EventData
from cchc_shared.persistence.inserts import insert_rows
from cchc_shared.persistence.tables import KitTables


def outbox_row(message: EncodedMessage, now: datetime) -> dict[str, object]:
    return {
        "event_id": message.event_id,
        "event_type": message.event_type,
        "exchange": message.exchange,
        "routing_key": message.routing_key,
        "content_type": message.content_type,
        "headers": message.headers,
        "body": message.body,
        "created_at": now,
        "available_at": now,
        "attempts": 0,
    }


class SqlAlchemyUnitOfWork:
    """Services subclass this and add their repositories in ``__aenter__``.

    ``publish`` queues an event; the queued events are written to the outbox in the
    same transaction as everything else when ``commit`` is called, and the relay is
    woken once the transaction is durable.
    """

    connection: AsyncConnection

    def __init__(
        self,
        engine: AsyncEngine,
        tables: KitTables,
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._tables = tables
        self.source = source
        self._on_commit = on_commit
        self._pending: list[EncodedMessage] = []

    async def __aenter__(self) -> Self:
        self.connection = await self._engine.connect()
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self.connection.close()

    def publish(
        self, data: EventData, *, subject: str | None = None, event_id: str | None = None
    ) -> EncodedMessage:
        """Queue ``data`` for the outbox. A chosen ``event_id`` makes a repeat recognisable
        downstream (e.g. one rejection per refused message, however often it is redelivered)."""
        message = encode_event(data, source=self.source, subject=subject, event_id=event_id)
        self._pending.append(message)
        return message

    def publish_encoded(self, message: EncodedMessage) -> None:
        self._pending.append(message)

    async def accept_once(self, consumer: str, event: CloudEvent) -> bool:
        """Record the incoming event; False means it was already processed (a duplicate)."""
        values = {
            "consumer": consumer,
            "event_source": event.source,
            "event_id": event.id,
            "event_type": event.type,
            "received_at": datetime.now(UTC),
        }
        return (
            await insert_rows(self.connection, self._tables.inbox, values, ignore_conflicts=True)
            == 1
        )

    async def commit(self) -> None:
        if self._pending:
            now = datetime.now(UTC)
            rows = [outbox_row(m, now) for m in self._pending]
            await insert_rows(self.connection, self._tables.outbox, rows)
        await self.connection.commit()
        had_events = bool(self._pending)
        self._pending = []
        if had_events and self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._pending = []
        if self.connection.in_transaction():  # after a commit there is nothing to undo
            await self.connection.rollback()
