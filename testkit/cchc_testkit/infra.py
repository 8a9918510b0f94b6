"""Fresh RabbitMQ virtual hosts and PostgreSQL databases for tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from urllib.parse import quote

import asyncpg
import httpx

RABBITMQ_HOST = os.environ.get("CCHC_TEST_RABBITMQ_HOST", "localhost:5672")
RABBITMQ_USER = os.environ.get("CCHC_TEST_RABBITMQ_USER", "guest")
RABBITMQ_PASSWORD = os.environ.get("CCHC_TEST_RABBITMQ_PASSWORD", RABBITMQ_USER)
MANAGEMENT_URL = os.environ.get("CCHC_TEST_RABBITMQ_MANAGEMENT_URL", "http://localhost:15672")
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


class VirtualHosts:
    """Creates and deletes virtual hosts through the management API when the broker has it
    (milliseconds), else through ``rabbitmqctl`` (a second or so per call)."""

    def __init__(self) -> None:
        self._api: bool | None = None

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=MANAGEMENT_URL, auth=(RABBITMQ_USER, RABBITMQ_PASSWORD), timeout=30
        )

    def has_api(self) -> bool:
        if self._api is None:
            try:
                with self._client() as client:
                    self._api = client.get("/api/overview").status_code == 200
            except httpx.HTTPError:
                self._api = False
        return self._api

    def create(self, prefix: str = "cchc-test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        if self.has_api():
            everything = {"configure": ".*", "write": ".*", "read": ".*"}
            with self._client() as client:
                client.put(f"/api/vhosts/{name}").raise_for_status()
                client.put(
                    f"/api/permissions/{name}/{RABBITMQ_USER}", json=everything
                ).raise_for_status()
        else:
            rabbitmqctl("add_vhost", name)
            rabbitmqctl("set_permissions", "-p", name, RABBITMQ_USER, ".*", ".*", ".*")
        return name

    def delete(self, name: str) -> None:
        """Best effort: a deletion the broker is slow to finish must not fail the test that
        used the vhost (``.ci/run`` removes leftovers before the next run)."""
        try:
            if self.has_api():
                with self._client() as client:
                    response = client.delete(f"/api/vhosts/{name}")
                    if response.status_code not in (204, 404):
                        response.raise_for_status()
            else:
                rabbitmqctl("delete_vhost", name)
        except (httpx.HTTPError, RuntimeError) as exc:
            warnings.warn(f"virtual host {name} not deleted: {exc}", stacklevel=2)

    def url(self, name: str) -> str:
        return f"amqp://{RABBITMQ_USER}:{RABBITMQ_PASSWORD}@{RABBITMQ_HOST}/{quote(name, safe='')}"


VIRTUAL_HOSTS = VirtualHosts()


def broker_file_handles() -> tuple[int, int] | None:
    """The shared broker's file handles (in use, limit), from its management API; None when
    the API does not answer."""
    try:
        with httpx.Client(
            base_url=MANAGEMENT_URL, auth=(RABBITMQ_USER, RABBITMQ_PASSWORD), timeout=5
        ) as client:
            nodes = client.get("/api/nodes").raise_for_status().json()
    except (httpx.HTTPError, ValueError):
        return None
    if not nodes or "fd_total" not in nodes[0]:
        return None
    return int(nodes[0].get("fd_used", 0)), int(nodes[0]["fd_total"])


@asynccontextmanager
async def fresh_vhost(prefix: str = "cchc-test") -> AsyncIterator[str]:
    """A new, empty virtual host; yields its AMQP URL and deletes it afterwards."""
    name = await asyncio.to_thread(VIRTUAL_HOSTS.create, prefix)
    try:
        yield VIRTUAL_HOSTS.url(name)
    finally:
        await asyncio.to_thread(VIRTUAL_HOSTS.delete, name)


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


@asynccontextmanager
async def fresh_service_databases(
    services: Iterable[str], prefix: str
) -> AsyncIterator[dict[str, str]]:
    """A new PostgreSQL database per service (each its own, as in production); yields their
    SQLAlchemy URLs by service and drops them all afterwards."""
    async with AsyncExitStack() as stack:
        yield {
            service: await stack.enter_async_context(fresh_postgres_database(f"{prefix}_{service}"))
            for service in services
        }
