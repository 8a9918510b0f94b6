"""Alembic per service: each service keeps its own migration scripts and calls these."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from cchc_shared.persistence.database import create_engine, normalise_database_url

_MIGRATION_LOCK_ID = 7_310_2023  # PostgreSQL advisory lock: one migrator at a time


def alembic_config(database_url: str, script_location: str | Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option(
        "sqlalchemy.url", normalise_database_url(database_url).replace("%", "%%")
    )
    return config


def upgrade(database_url: str, script_location: str | Path, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url, script_location), revision)


async def upgrade_async(database_url: str, script_location: str | Path) -> None:
    # Alembic's env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, database_url, script_location)


def run_env(context: EnvironmentContext, target_metadata: MetaData) -> None:
    """Body of a service's ``env.py``: online migrations over the async engine."""
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
