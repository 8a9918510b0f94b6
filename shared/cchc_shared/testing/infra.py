"""Fresh RabbitMQ virtual hosts and PostgreSQL databases for tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import asyncpg

RABBITMQ_HOST = os.environ.get("CCHC_TEST_RABBITMQ_HOST", "localhost:5672")
RABBITMQ_USER = os.environ.get("CCHC_TEST_RABBITMQ_USER", "guest")
POSTGRES_ADMIN_DSN = os.environ.get(
    "CCHC_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


_BROKER_RESTARTING = ("'rabbit' app", "unable to perform an operation", "nodedown")


def rabbitmqctl(*args: str, stdin: str | None = None, attempts: int = 30) -> str:
    """Run rabbitmqctl; while the broker app is restarting (another test), wait for it."""
    for _ in range(attempts):
        result = subprocess.run(
            ["rabbitmqctl", "-q", *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode == 0:
            return result.stdout
        if not any(marker in result.stderr for marker in _BROKER_RESTARTING):
            break
        subprocess.run(
            ["rabbitmqctl", "-q", "await_startup"], capture_output=True, check=False, timeout=120
        )
        time.sleep(1)
    raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()}")


@asynccontextmanager
async def fresh_vhost(prefix: str = "cchc-test") -> AsyncIterator[str]:
    """A new, empty virtual host; yields its AMQP URL and deletes it afterwards."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(rabbitmqctl, "add_vhost", name)
    await asyncio.to_thread(
        rabbitmqctl, "set_permissions", "-p", name, RABBITMQ_USER, ".*", ".*", ".*"
    )
    try:
        yield f"amqp://{RABBITMQ_USER}:{RABBITMQ_USER}@{RABBITMQ_HOST}/{quote(name, safe='')}"
    finally:
        await asyncio.to_thread(rabbitmqctl, "delete_vhost", name)


@asynccontextmanager
async def fresh_postgres_database(prefix: str = "cchc_test") -> AsyncIterator[str]:
    """A new PostgreSQL database; yields its SQLAlchemy URL and drops it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
