"""The kit's migration is written once (``cchc_shared.persistence``) and every service's
history starts from it; a database migrated by the former layout (each service with its own
copy of revision 0001, ``env.py`` and ``script.py.mako``) upgrades to the new head without
re-creating a table and keeps its rows."""

from __future__ import annotations

import asyncio
import importlib
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, select, text

from cchc_shared.persistence.database import create_engine, normalise_database_url
from cchc_shared.persistence.migrations import alembic_config, upgrade, upgrade_async

pytestmark = pytest.mark.integration

SERVICES = ("intake", "scheduling", "evaluation", "reporting", "notifications")
# Services born with the kit's migration have no former layout to upgrade from.
ALL_SERVICES = (*SERVICES, "replication")

# The files each service had before the kit's migration was written once.
LEGACY_ENV = """\
from alembic import context

from cchc_{service}.adapters.orm import metadata
from cchc_shared.persistence.migrations import run_env

run_env(context, metadata)
"""
LEGACY_KIT_REVISION = '''\
"""Outbox and inbox tables of the kit."""

from alembic import op

from cchc_{service}.adapters.orm import kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in (kit_tables.outbox, kit_tables.inbox):
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (kit_tables.inbox, kit_tables.outbox):
        table.drop(bind)
'''


def _migrations(service: str) -> Path:
    return Path(importlib.import_module(f"cchc_{service}.bootstrap").MIGRATIONS)


def _legacy_layout(service: str, directory: Path) -> Path:
    """The former migrations directory of ``service``: its own env.py and revision 0001,
    with the service's revisions as they are now."""
    shutil.copytree(_migrations(service) / "versions", directory / "versions")
    (directory / "env.py").write_text(LEGACY_ENV.format(service=service), encoding="utf-8")
    (directory / "versions" / "0001_kit_tables.py").write_text(
        LEGACY_KIT_REVISION.format(service=service), encoding="utf-8"
    )
    return directory


def _legacy_upgrade(database_url: str, directory: Path, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(directory))
    config.set_main_option(
        "sqlalchemy.url", normalise_database_url(database_url).replace("%", "%%")
    )
    command.upgrade(config, revision)


def _heads(service: str, database_url: str) -> set[str]:
    config = alembic_config(database_url, _migrations(service))
    return set(ScriptDirectory.from_config(config).get_heads())


async def _state(database_url: str) -> dict[str, Any]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:

            def read(sync: Any) -> dict[str, Any]:
                tables = set(inspect(sync).get_table_names())
                versions = {row[0] for row in sync.execute(text("SELECT * FROM alembic_version"))}
                outbox = Table("outbox", MetaData(), autoload_with=sync)
                ids = [row[0] for row in sync.execute(select(outbox.c.event_id))]
                return {"tables": tables, "versions": versions, "outbox": ids}

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def _add_outbox_row(database_url: str) -> None:
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as connection:

            def insert(sync: Any) -> None:
                outbox = Table("outbox", MetaData(), autoload_with=sync)
                sync.execute(
                    outbox.insert().values(
                        event_id="kept-1",
                        event_type="t",
                        exchange="x",
                        routing_key="r",
                        content_type="application/json",
                        headers={},
                        body=b"{}",
                        created_at=now,
                        available_at=now,
                    )
                )

            await connection.run_sync(insert)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", ALL_SERVICES)
async def test_a_new_database_gets_the_kit_tables_and_the_services_own(
    service: str, database_url: str
) -> None:
    await upgrade_async(database_url, _migrations(service))
    state = await _state(database_url)
    assert {"outbox", "inbox"} <= state["tables"]
    assert len(state["tables"]) > 3  # the service's own tables too
    assert state["versions"] == _heads(service, database_url)
    # the history is one line from the kit's revision
    config = alembic_config(database_url, _migrations(service))
    base = ScriptDirectory.from_config(config).get_base()
    assert base == "0001"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("former", ["head", "0001"])
async def test_a_database_of_the_former_layout_upgrades_without_recreating_tables(
    service: str, former: str, database_url: str, tmp_path: Path
) -> None:
    legacy = _legacy_layout(service, tmp_path / "legacy")
    await asyncio.to_thread(_legacy_upgrade, database_url, legacy, former)
    await _add_outbox_row(database_url)
    before = await _state(database_url)

    # re-creating a table would fail here (it exists)
    await asyncio.to_thread(upgrade, database_url, _migrations(service))
    after = await _state(database_url)

    assert after["versions"] == _heads(service, database_url)
    assert after["outbox"] == before["outbox"] == ["kept-1"]
    if former == "head":
        assert after["tables"] == before["tables"]
    else:
        assert after["tables"] > before["tables"]


@pytest.mark.parametrize("service", ALL_SERVICES)
async def test_the_migrated_schema_is_the_one_the_tables_describe(
    service: str, database_url: str
) -> None:
    """Each service's migrations produce exactly its SQLAlchemy tables (columns, types,
    nullability, indexes): a table changed in ``orm.py`` without a migration, or a migration
    that drifted from the kit's table definitions, fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    await upgrade_async(database_url, _migrations(service))
    metadata = importlib.import_module(f"cchc_{service}.adapters.orm").metadata
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:

            def differences(sync: Any) -> list[Any]:
                context = MigrationContext.configure(
                    sync, opts={"compare_type": True, "compare_server_default": False}
                )
                found: list[Any] = compare_metadata(context, metadata)
                return [d for d in found if not _only_alembic_bookkeeping(d)]

            found = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert found == []


def _only_alembic_bookkeeping(difference: Any) -> bool:
    """Alembic's own version table is in the database, not in the service's metadata."""
    return (
        isinstance(difference, tuple)
        and difference[0] == "remove_table"
        and difference[1].name == "alembic_version"
    )
