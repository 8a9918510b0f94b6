"""Inserts on the hot path: every consumed event writes an inbox row, most also an effect
row and an outbox row.

On PostgreSQL these go to asyncpg directly, inside the transaction SQLAlchemy holds on the
same connection: SQLAlchemy's execution path costs about 0.1 ms of CPU per statement, more
than the database spends on such an insert (docs/performance.md). The SQL, with its casts,
and the bind processing are SQLAlchemy's own, compiled once per table and column set, so a
row goes in exactly as ``connection.execute(insert(table), row)`` would put it. Elsewhere
(SQLite) the same inserts run through SQLAlchemy Core.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection

Row = Mapping[str, Any]


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


async def insert_rows(
    connection: AsyncConnection,
    table: Table,
    rows: Row | Sequence[Row],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert one row or several (all with the same keys) in the connection's transaction
    and return how many went in: with ``ignore_conflicts``, a row whose unique key is taken
    is skipped (``ON CONFLICT DO NOTHING``) instead of failing the transaction."""
    many = list(rows) if isinstance(rows, Sequence) else [rows]
    if not many:
        return 0
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "asyncpg":
        _check_columns(table, tuple(many[0]))  # Core would ignore an unknown key silently
        statement = (
            insert_or_ignore(table, dialect.name) if ignore_conflicts else plain_insert(table)
        )
        result = await connection.execute(statement, many[0] if len(many) == 1 else many)
        count = getattr(result, "rowcount", -1)
        return len(many) if count < 0 else int(count)
    compiled = _compiled(table, tuple(many[0]), ignore_conflicts, dialect)
    if not connection.in_transaction():
        await connection.begin()  # so that connection.commit() commits what is sent below
    pooled = _pooled(connection) or await connection.get_raw_connection()
    driver: Any = pooled.driver_connection
    adapted: Any = pooled.dbapi_connection
    try:
        # SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its first statement: a
        # statement sent past it before that would run (and commit) on its own.
        if adapted._transaction is None:
            await adapted._start_transaction()
        if not ignore_conflicts:
            await driver.executemany(compiled.sql, [compiled.arguments(row) for row in many])
            return len(many)
        inserted = 0
        for row in many:
            # The status is "INSERT 0 <rows>".
            status: str = await driver.execute(compiled.sql, *compiled.arguments(row))
            inserted += int(status.rsplit(" ", 1)[-1])
        return inserted
    except Exception as error:
        lost = driver.is_closed()
        if lost:  # as SQLAlchemy does: out of the pool, and HTTP answers 503 (chassis.http)
            await connection.invalidate(error)
        raise _as_sqlalchemy_error(error, compiled.sql, adapted, lost) from error
    except BaseException as error:
        # A cancellation with BEGIN or a statement on the wire: asyncpg may then take a later
        # BEGIN on this connection for a SAVEPOINT inside a transaction that never commits.
        # SQLAlchemy discards such a connection; so does this.
        await connection.invalidate(error)
        raise


def _as_sqlalchemy_error(error: Exception, sql: str, adapted: Any, invalidated: bool) -> Exception:
    """The exception SQLAlchemy would raise for ``error`` (``IntegrityError`` for a taken
    unique key, and so on), so callers handle one set of exceptions on every path."""
    try:
        adapted._handle_exception(error)  # raises the DB-API form of the asyncpg error
    except Exception as dbapi_error:
        error = dbapi_error
    return DBAPIError.instance(
        sql, None, error, adapted.dbapi.Error, connection_invalidated=invalidated
    )


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    keys: tuple[str, ...]  # in the order of the statement's $1, $2, ...
    processors: tuple[Callable[[Any], Any] | None, ...]

    def arguments(self, row: Row) -> list[Any]:
        return [
            value if process is None else process(value)
            for value, process in zip(map(row.__getitem__, self.keys), self.processors, strict=True)
        ]


@functools.cache
def _check_columns(table: Table, keys: tuple[str, ...]) -> None:
    unknown = sorted(set(keys) - set(table.c.keys()))
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")


@functools.cache
def _compiled(
    table: Table, keys: tuple[str, ...], ignore_conflicts: bool, dialect: Dialect
) -> _CompiledInsert:
    _check_columns(table, keys)
    statement = postgresql.insert(table)
    if ignore_conflicts:
        statement = statement.on_conflict_do_nothing()
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    order = tuple(compiled.positiontup or ())
    if sorted(order) != sorted(keys):  # e.g. a column default computed in Python
        raise ValueError(f"{table.name}: the insert would bind {order}, not {keys}")
    return _CompiledInsert(
        sql=compiled.string,
        keys=order,
        processors=tuple(
            table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order
        ),
    )


def _pooled(connection: AsyncConnection) -> PoolProxiedConnection | None:
    """The connection's pooled DBAPI connection while it is live, without the greenlet hop of
    ``get_raw_connection()`` (which is there to cover a reconnect)."""
    sync = connection.sync_connection
    if sync is None or sync.closed or sync.invalidated:
        return None
    return sync.connection
