"""Pytest fixtures shared by every test suite (loaded from the root conftest.py).

- ``amqp_url``: a fresh RabbitMQ virtual host per test.
- ``database_url``: parametrised, each test runs on SQLite and on PostgreSQL.
- ``private_rabbitmq``: a RabbitMQ node of the session's own, for tests that stop or kill
  the broker (the shared one serves every other test).
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cchc_testkit.infra import fresh_postgres_database, fresh_vhost
from cchc_testkit.nodes import PrivateRabbitMQ


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


@pytest.fixture(scope="session")
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    node = PrivateRabbitMQ(Path(tempfile.mkdtemp(prefix="cchc-rabbitmq-")))
    node.start()
    try:
        yield node
    finally:
        node.stop()
