"""Alembic per service, with the kit's migration written once.

The kit's directory (``kit_migrations/``: ``env.py``, ``script.py.mako`` and ``versions/``
with revision ``0001``, the outbox and inbox tables) is the script location of every
service; a service's migrations directory holds only its own ``versions/``, which start
with ``down_revision = "0001"``. Alembic reads both version directories as one history, so
revision ids are those the services always had and a database at any former head is at a
head of this history too.

A later kit revision revises the kit's last one under an id of its own (``kit_0002``, ...);
every service then has two heads, which ``upgrade`` (to ``heads``) applies both.

A new service revision: ``alembic.command.revision(alembic_config(url, MIGRATIONS),
message, version_path=str(MIGRATIONS / "versions"), head="<service head>")``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_shared.persistence.database import create_engine, normalise_database_url

_MIGRATION_LOCK_ID = 7_310_2023  # PostgreSQL advisory lock: one migrator at a time


KIT_MIGRATIONS = Path(__file__).parent / "kit_migrations"


def alembic_config(
    database_url: str, script_location: str | Path, target_metadata: MetaData | None = None
) -> Config:
    """``script_location`` is the service's migrations directory (its ``versions/``); the
    kit's directory provides the environment and the kit's own revisions."""
    config = Config()
    config.set_main_option("script_location", str(KIT_MIGRATIONS))
    config.set_main_option("path_separator", "os")
    versions = [KIT_MIGRATIONS / "versions", Path(script_location) / "versions"]
    config.set_main_option("version_locations", os.pathsep.join(str(v) for v in versions))
    config.set_main_option(
        "sqlalchemy.url", normalise_database_url(database_url).replace("%", "%%")
    )
    if target_metadata is not None:
        config.attributes["target_metadata"] = target_metadata
    return config


def upgrade(database_url: str, script_location: str | Path, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url, script_location), revision)


async def upgrade_async(database_url: str, script_location: str | Path) -> None:
    # Alembic's env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, database_url, script_location)


class SchemaBehind(RuntimeError):
    """The database is not at the code's migrations: a replica that does not migrate at start
    refuses to start on it (in production the rollout's migration Job runs first)."""


async def missing_heads(engine: AsyncEngine, script_location: str | Path) -> set[str]:
    """The heads of the migration history the database has not reached (empty: current)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://", script_location))

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        applied = await connection.run_sync(current)
    reached = {
        revision.revision for head in applied for revision in script.iterate_revisions(head, "base")
    }
    return set(script.get_heads()) - reached


async def require_current_schema(engine: AsyncEngine, script_location: str | Path) -> None:
    missing = await missing_heads(engine, script_location)
    if missing:
        raise SchemaBehind(
            f"the database lacks migrations {sorted(missing)}: run "
            "`python -m cchc_<service> migrate` (the migration Job) before the replicas start"
        )


def run_env(context: EnvironmentContext, target_metadata: MetaData | None) -> None:
    """Body of the kit's ``env.py``: online migrations over the async engine."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None

    def migrate(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})"))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(migrate)
        finally:
            await engine.dispose()

    asyncio.run(main())
