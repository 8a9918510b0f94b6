"""Async engines for SQLite (embedded default) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_in_memory(url: str) -> bool:
    """An in-memory SQLite database: each engine (each connection, even) would see its own."""
    return is_sqlite(url) and make_url(url).database in (None, "", ":memory:")


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An engine; on PostgreSQL its pool has up to ``2 * pool_size`` connections, as many
    as ``pool_size`` kept and as many again in overflow would make, all of them kept."""
    url = normalise_database_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs three round trips per checkout on every event and request. A
    # connection lost to a database restart fails once and invalidates the pool; consumers
    # retry the message, HTTP answers 503 (chassis.http).
    # No overflow: an overflow connection is closed when it comes back to a full pool, so a
    # stream of events hovering around the pool's size opened and closed connections all
    # along (connect, authentication, the driver's set-up: milliseconds of CPU each). The
    # most connections at once is what it was (``pool_size`` kept + as many in overflow);
    # beyond that, handlers wait for one.
    return create_async_engine(
        url, echo=echo, pool_size=2 * pool_size, max_overflow=0, pool_recycle=1800
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so two writers queue on the busy
    timeout instead of failing when a read lock is upgraded."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
