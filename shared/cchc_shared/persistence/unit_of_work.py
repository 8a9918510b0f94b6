"""Async unit of work: one transaction holding the state change, the outgoing events
(outbox) and the record of the incoming event (inbox)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cchc_shared.contracts.envelope import CloudEvent, EncodedMessage, encode_event
from cchc_shared.contracts.events import EventData
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


# Statements built once per table (and dialect): building one per event costs more Python
# time than the database spends running it.


@functools.cache
def insert_or_ignore(table: Table, dialect: str) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` into ``table`` (values given at execution;
    ``rowcount`` tells whether the row went in)."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return builder(table).on_conflict_do_nothing()


@functools.cache
def plain_insert(table: Table) -> Any:
    """``INSERT INTO table`` (values given at execution)."""
    return insert(table)


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
        statement = insert_or_ignore(self._tables.inbox, self.connection.dialect.name)
        result = await self.connection.execute(statement, values)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def commit(self) -> None:
        if self._pending:
            now = datetime.now(UTC)
            rows = [outbox_row(m, now) for m in self._pending]
            await self.connection.execute(plain_insert(self._tables.outbox), rows)
        await self.connection.commit()
        had_events = bool(self._pending)
        self._pending = []
        if had_events and self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._pending = []
        await self.connection.rollback()
