"""Migrations in production run once, as a Job, before the rollout: a replica started with
start-up migrations off (``CCHC_<SERVICE>_RUN_MIGRATIONS_ON_START=false``) checks that the
database has every migration of its code and refuses to start on an older schema, saying
what to run."""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_shared.persistence.database import create_engine
from cchc_shared.persistence.migrations import (
    SchemaBehind,
    missing_heads,
    require_current_schema,
    upgrade_async,
)
from cchc_testkit.nodes import free_port

pytestmark = pytest.mark.integration

SERVICES = ("intake", "scheduling", "evaluation", "reporting")


@pytest.mark.parametrize("service", SERVICES)
async def test_a_replica_refuses_a_schema_older_than_its_code(
    service: str, database_url: str
) -> None:
    migrations = importlib.import_module(f"cchc_{service}.bootstrap").MIGRATIONS
    engine = create_engine(database_url)
    try:
        assert await missing_heads(engine, migrations)  # nothing applied yet
        with pytest.raises(SchemaBehind, match="migrate"):
            await require_current_schema(engine, migrations)
        await upgrade_async(database_url, migrations)  # the Job
        assert await missing_heads(engine, migrations) == set()
        await require_current_schema(engine, migrations)
    finally:
        await engine.dispose()


async def test_a_service_started_without_migrations_on_a_fresh_database_does_not_start(
    database_url: str, amqp_url: str, tmp_path: Path
) -> None:
    """The real entry point: ``python -m cchc_intake serve`` exits, naming the migration."""
    env = {
        **os.environ,
        "CCHC_AMQP_URL": amqp_url,
        "CCHC_DATA_DIR": str(tmp_path),
        "CCHC_AUTH_SECRET": "migration-job-test-" + "z" * 40,
        "CCHC_INTAKE_DATABASE_URL": database_url,
        "CCHC_INTAKE_HTTP_PORT": str(free_port()),
        "CCHC_INTAKE_RUN_MIGRATIONS_ON_START": "false",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cchc_intake", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "the database lacks migrations" in result.stdout + result.stderr
