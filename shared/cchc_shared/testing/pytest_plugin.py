"""Pytest fixtures shared by every test suite (loaded from the root conftest.py).

- ``amqp_url``: a fresh RabbitMQ virtual host per test.
- ``database_url``: parametrised, each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cchc_shared.testing.infra import fresh_postgres_database, fresh_vhost


@pytest.fixture
async def amqp_url() -> AsyncIterator[str]:
    async with fresh_vhost() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
        return
    async with fresh_postgres_database() as url:
        yield url
