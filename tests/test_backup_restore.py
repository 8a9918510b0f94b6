"""The per-database backup and restore of docs/operations.md ("Backups and restore"), done on a
copy: a service database with real rows is dumped with ``pg_dump -Fc`` and restored with
``pg_restore`` into a new database on the same server (both created and dropped here); the
copy has every table, row and migration of the original, and the service's code accepts it
(no migration missing)."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from cchc_intake.adapters.orm import kit_tables
from cchc_intake.bootstrap import MIGRATIONS
from cchc_intake.service_layer.handlers.reference_data import seed_reference_data
from cchc_intake.service_layer.unit_of_work import SqlIntakeUnitOfWork
from cchc_shared.persistence.database import create_engine
from cchc_shared.persistence.migrations import missing_heads, upgrade_async
from cchc_shared.reference import load_agencies
from cchc_testkit.infra import fresh_postgres_database

pytestmark = pytest.mark.integration


def libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and the md5 of its rows in a fixed order."""
    connection = await asyncpg.connect(libpq(url))
    try:
        tables = [
            r["tablename"]
            for r in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        out = {}
        for table in tables:
            row = await connection.fetchrow(
                "SELECT count(*) AS n, "
                "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h "
                f'FROM "{table}" t'
            )
            out[table] = (int(row["n"]), str(row["h"]))
        return out
    finally:
        await connection.close()


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


async def test_a_service_database_dumped_and_restored_into_a_copy_is_whole(
    tmp_path: Path,
) -> None:
    async with fresh_postgres_database("cchc_backup") as original:
        await upgrade_async(original, MIGRATIONS)
        engine = create_engine(original)
        try:
            uow = SqlIntakeUnitOfWork(engine, kit_tables, source="/cchc/intake")
            await seed_reference_data(uow, load_agencies().values(), date(2023, 5, 2))
        finally:
            await engine.dispose()
        before = await fingerprint(original)
        assert before["agencies"][0] > 300 and before["alembic_version"][0] >= 1

        dump = tmp_path / "intake.dump"
        await asyncio.to_thread(run, "pg_dump", "-Fc", "-d", libpq(original), "-f", str(dump))
        async with fresh_postgres_database("cchc_restored") as copy:
            await asyncio.to_thread(
                run, "pg_restore", "--no-owner", "--exit-on-error", "-d", libpq(copy), str(dump)
            )
            assert await fingerprint(copy) == before
            engine = create_engine(copy)
            try:
                assert await missing_heads(engine, MIGRATIONS) == set()
            finally:
                await engine.dispose()
