"""The event log over SQLAlchemy: every received event, append-only, exactly as it arrived;
the rebuild streams it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_reporting.adapters.orm import event_log, rm_meta
from cchc_reporting.domain.log import LoggedEvent, LogPosition
from cchc_shared.contracts.envelope import CloudEvent

GENERATION_KEY = "generation"


_APPEND_EVENT = insert(event_log)


class SqlEventLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def append(self, event: CloudEvent, received_at: datetime | None = None) -> None:
        await self.connection.execute(
            _APPEND_EVENT,
            {
                "event_source": event.source,
                "event_id": event.id,
                "event_type": event.type,
                "subject": event.subject,
                "occurred_at": event.time,
                "data": event.data,
                "received_at": received_at or datetime.now(UTC),
            },
        )

    async def lock_for_rebuild(self) -> None:
        """Hold new appends (and so every live projection) until the rebuild commits.
        SQLite already runs one writer at a time (BEGIN IMMEDIATE)."""
        if self.connection.dialect.name == "postgresql":
            await self.connection.execute(text("LOCK TABLE event_log IN EXCLUSIVE MODE"))

    async def stream(self, batch: int = 2_000) -> AsyncIterator[LoggedEvent]:
        last = 0
        while True:
            rows = (
                (
                    await self.connection.execute(
                        select(event_log)
                        .where(event_log.c.seq > last)
                        .order_by(event_log.c.seq)
                        .limit(batch)
                    )
                )
                .mappings()
                .all()
            )
            if not rows:
                return
            for row in rows:
                yield LoggedEvent(
                    seq=row["seq"],
                    event_source=row["event_source"],
                    event_id=row["event_id"],
                    event_type=row["event_type"],
                    subject=row["subject"],
                    occurred_at=row["occurred_at"],
                    data=row["data"],
                    received_at=row["received_at"],
                )
            last = rows[-1]["seq"]

    async def position(self) -> LogPosition:
        count, last = (
            await self.connection.execute(select(func.count(), func.max(event_log.c.seq)))
        ).one()
        generation = (
            await self.connection.execute(
                select(rm_meta.c.value).where(rm_meta.c.key == GENERATION_KEY)
            )
        ).scalar_one_or_none()
        return LogPosition(int(count), int(last or 0), int(generation or 0))

    async def counts_by_type(self) -> dict[str, int]:
        rows = await self.connection.execute(
            select(event_log.c.event_type, func.count()).group_by(event_log.c.event_type)
        )
        return {event_type: int(count) for event_type, count in rows.all()}
