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

from cchc_testkit.infra import broker_file_handles, fresh_postgres_database, fresh_vhost
from cchc_testkit.nodes import PrivateRabbitMQ

# Six services booted side by side (the security and portal suites) hold some 400 quorum
# queues, each with files open: below this the broker makes new connections wait.
FILE_HANDLES_NEEDED = 4096


def pytest_report_header() -> str | None:
    handles = broker_file_handles()
    if handles is None:
        return None
    used, limit = handles
    line = f"shared RabbitMQ: {used} of {limit} file handles in use"
    if limit < FILE_HANDLES_NEEDED:
        line += (
            f" -- WARNING: below {FILE_HANDLES_NEEDED}; connections will stall once the"
            " limit is reached. Start the broker after `ulimit -n 65536` (as .ci/run does)."
        )
    return line


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
