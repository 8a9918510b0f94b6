"""Fixtures of the security suite: every service booted once per session through its real
composition root (SQLite, a fresh RabbitMQ virtual host each), and tokens for every role."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_shared.auth import AuthSettings, issue_token
from cchc_testkit.infra import fresh_vhost

from .figures import AREA_OF_MODULE, count, lines

SERVICES = ("intake", "scheduling", "evaluation", "reporting")
AUTH = AuthSettings()

# Bindings used by the bound roles throughout the suite.
OWN_AGENCY = "26740"  # a ward of District 1
OTHER_AGENCY = "26743"
OWN_MEMBER = "member-self"
OTHER_MEMBER = "member-other"

ROLES: dict[str, dict[str, str]] = {
    "agency_submitter": {"agency": OWN_AGENCY},
    "secretariat": {},
    "surveyor": {"member": OWN_MEMBER},
    "committee_viewer": {},
    "admin": {},
}


def token(role: str, **binding: str) -> str:
    return issue_token(AUTH, role, **(binding or ROLES[role]))  # type: ignore[arg-type]


def bearer(role: str, **binding: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, **binding)}"}


def build_app(service: str, database_url: str, amqp_url: str, data_dir: Path) -> Any:
    bootstrap = importlib.import_module(f"cchc_{service}.bootstrap")
    config = importlib.import_module(f"cchc_{service}.config")
    settings_class = getattr(config, f"{service.capitalize()}Settings")
    settings = settings_class(
        database_url=database_url, CCHC_AMQP_URL=amqp_url, CCHC_DATA_DIR=str(data_dir)
    )
    return bootstrap.create_app(settings)


class Booted:
    def __init__(self, name: str, app: Any, client: httpx.AsyncClient, amqp_url: str) -> None:
        self.name = name
        self.amqp_url = amqp_url
        self.app = app
        self.client = client


@pytest.fixture(scope="module")
async def booted(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Booted]]:
    """All four services, started once per test module. Not once per session: a runtime
    left alive on the session's event loop, which stands still while synchronous tests run
    (schemathesis), stalls a service started later in another loop."""
    async with AsyncExitStack() as stack:
        result: dict[str, Booted] = {}
        for service in SERVICES:
            directory = tmp_path_factory.mktemp(f"security-{service}")
            amqp_url = await stack.enter_async_context(fresh_vhost())
            app = build_app(
                service, f"sqlite+aiosqlite:///{directory / 'service.db'}", amqp_url, directory
            )
            manager = await stack.enter_async_context(
                LifespanManager(app, startup_timeout=60, shutdown_timeout=60)
            )
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=manager.app),
                    base_url=f"http://{service}",
                    timeout=60,
                )
            )
            result[service] = Booted(service, app, client, amqp_url)
        await enrol_members(result["scheduling"].client, bearer("secretariat"))
        yield result


async def enrol_members(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """The suite's survey-team members are on scheduling's roster: a token naming a member
    the roster does not know is refused there (403)."""
    for member_id, name in ((OWN_MEMBER, "Nguyễn Văn Một"), (OTHER_MEMBER, "Trần Thị Hai")):
        answer = await client.post(
            "/api/v1/roster",
            json={
                "member_id": member_id,
                "name": name,
                "honorific": "Ông",
                "position": "Chuyên viên",
                "agency_code": "SNV",
                "expertise": ["procedures"],
            },
            headers=headers,
        )
        assert answer.status_code in (200, 201, 409), answer.text


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    area = AREA_OF_MODULE.get(Path(report.location[0]).stem)
    if area is not None:
        count(area, f"cases {report.outcome}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summary = lines()
    if summary:
        terminalreporter.section("security suite: what was tried and how it was answered")
        for line in summary:
            terminalreporter.write_line(line)
