"""The hot-path inserts, on SQLite and PostgreSQL: in the connection's transaction (committed
with it, rolled back with it), typed as SQLAlchemy would type them, and a lost connection
reported as SQLAlchemy reports one."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_shared.persistence import create_engine
from cchc_shared.persistence.inserts import insert_rows
from cchc_shared.persistence.types import UtcDateTime

pytestmark = pytest.mark.integration

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(50), nullable=False, unique=True),
    Column("day", Date),
    Column("at", UtcDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Column("count", Integer, nullable=False, server_default=text("0")),
)


def thing(name: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "name": name,
        "day": date(2023, 5, 4),
        # Not UTC: the column's own bind processing must turn it into UTC.
        "at": datetime(2023, 5, 4, 9, 30, tzinfo=timezone(timedelta(hours=7))),
        "payload": {"tên": "Sáng kiến", "n": [1, 2]},
        "blob": "dữ liệu".encode(),
        **changes,
    }


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.scalars(select(things.c.name).order_by("name"))).all())


async def test_a_row_reads_back_as_a_core_insert_writes_it(engine: AsyncEngine) -> None:
    by_kit, by_core = thing("kit"), thing("core")
    async with engine.connect() as connection:
        assert await insert_rows(connection, things, by_kit) == 1
        await connection.execute(insert(things), by_core)
        await connection.commit()
    async with engine.connect() as connection:
        rows = {r.name: r._asdict() for r in await connection.execute(select(things))}
    for name, written in (("kit", by_kit), ("core", by_core)):
        row = rows[name]
        assert row["id"] == written["id"]
        assert row["day"] == written["day"]
        assert row["at"] == written["at"] and row["at"].tzinfo == UTC
        assert row["payload"] == written["payload"]
        assert row["blob"] == written["blob"]
        assert row["count"] == 0  # the server default


async def test_first_statement_of_a_transaction_commits_with_it(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await insert_rows(connection, things, [thing("a"), thing("b")]) == 2
        await connection.commit()
    assert await names(engine) == ["a", "b"]


async def test_rolled_back_with_the_transaction(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await insert_rows(connection, things, thing("first"))  # opens the transaction
        await connection.execute(insert(things), thing("core"))
        await insert_rows(connection, things, thing("after core"))
        await connection.rollback()
        # A new transaction on the same connection after the rollback.
        await insert_rows(connection, things, thing("kept"))
        await connection.commit()
        await insert_rows(connection, things, thing("dropped on close"))
    assert await names(engine) == ["kept"]


async def test_conflicts_are_skipped_and_counted_only_when_asked(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await insert_rows(connection, things, thing("taken"))
        await connection.commit()
        inserted = await insert_rows(
            connection, things, [thing("taken"), thing("free")], ignore_conflicts=True
        )
        assert inserted == 1
        assert await insert_rows(connection, things, thing("taken"), ignore_conflicts=True) == 0
        await connection.commit()
    assert await names(engine) == ["free", "taken"]
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            await insert_rows(connection, things, thing("taken"))


async def test_unknown_columns_are_refused(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(Exception, match="colour"):
            await insert_rows(connection, things, {**thing("x"), "colour": "red"})


async def test_nothing_to_insert(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await insert_rows(connection, things, []) == 0


async def test_a_lost_connection_is_invalidated_and_reported(
    engine: AsyncEngine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a server connection to lose is PostgreSQL's")
    async with engine.connect() as victim:
        pid = await victim.scalar(text("SELECT pg_backend_pid()"))
        await victim.rollback()
        async with engine.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await admin.commit()
        with pytest.raises(DBAPIError) as raised:
            await insert_rows(victim, things, thing("lost"))
        assert raised.value.connection_invalidated
        await victim.rollback()
    # The pool hands out a live connection next.
    async with engine.connect() as connection:
        await insert_rows(connection, things, thing("after"))
        await connection.commit()
        assert await connection.scalar(select(func.count()).select_from(things)) == 1


async def test_a_cancelled_insert_leaves_no_half_transaction_behind(database_url: str) -> None:
    """A handler cancelled mid-insert (its channel closed under it, say): the connection must
    not go back to the pool inside the unfinished transaction, where the next unit of work's
    commit would only release a savepoint and its acknowledged message would be lost."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the insert goes past SQLAlchemy only on PostgreSQL")
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with create_engine(database_url).connect() as blocker:
            # An uncommitted row with the same name: the insert below waits on its lock.
            await blocker.execute(insert(things), thing("contested"))

            async def contested() -> None:
                async with engine.connect() as connection:
                    await insert_rows(connection, things, thing("mine"))
                    await insert_rows(connection, things, thing("contested"), ignore_conflicts=True)
                    await connection.commit()

            task = asyncio.create_task(contested())
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await blocker.rollback()
        # The pool's one connection (or its replacement) commits for real.
        async with engine.connect() as connection:
            await insert_rows(connection, things, thing("next"))
            await connection.commit()
        assert await names(engine) == ["next"]
    finally:
        await engine.dispose()


async def test_a_unit_of_work_cancelled_at_any_point_leaves_the_pool_sound(
    database_url: str,
) -> None:
    """Cancelled after 0, 1, 2, ... turns of the event loop, so that some cancellations land
    while BEGIN or an insert is on the wire: every later commit on the pool is real."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the insert goes past SQLAlchemy only on PostgreSQL")
    engine = create_engine(database_url, pool_size=1)
    watcher = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

        async def unit_of_work(name: str) -> None:
            async with engine.connect() as connection:
                await insert_rows(connection, things, thing(name), ignore_conflicts=True)
                await insert_rows(connection, things, thing(f"{name} 2"))
                await connection.commit()

        for turns in range(40):
            task = asyncio.create_task(unit_of_work(f"cancelled {turns}"))
            for _ in range(turns):
                await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await unit_of_work(f"after {turns}")
            async with watcher.connect() as connection:
                committed = await connection.scalar(
                    select(func.count()).where(things.c.name == f"after {turns}")
                )
            assert committed == 1, f"a commit after a cancellation at turn {turns} was lost"
    finally:
        await engine.dispose()
        await watcher.dispose()
