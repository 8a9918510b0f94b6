"""Fixtures of the security suite: every service booted once per session through its real
composition root (SQLite, a fresh RabbitMQ virtual host each), and tokens for every role."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.auth.oidc import OidcVerifier
from cchc_shared.contracts import InitiativeSubmittedV1, RoundScheduledV1
from cchc_shared.contracts.events import TeamMember, Visit
from cchc_testkit.infra import fresh_vhost
from cchc_testkit.waiting import eventually

from .figures import AREA_OF_MODULE, count, lines

SERVICES = ("intake", "scheduling", "evaluation", "reporting", "notifications", "replication")
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


@asynccontextmanager
async def boot(
    tmp_path_factory: pytest.TempPathFactory,
    prefix: str,
    environment: Mapping[str, str] | None = None,
) -> AsyncIterator[dict[str, Booted]]:
    """Every service of :data:`SERVICES` through its composition root (SQLite, a fresh
    virtual host each), with ``environment`` set while they run (as a deployment's would be;
    without ``CCHC_AUTH_ISSUER`` they keep the development tokens), until the block ends."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (environment or {}).items():
            patch.setenv(name, value)
        async with AsyncExitStack() as stack:
            result: dict[str, Booted] = {}
            for service in SERVICES:
                directory = tmp_path_factory.mktemp(f"{prefix}-{service}")
                amqp_url = await stack.enter_async_context(fresh_vhost())
                app = build_app(
                    service, f"sqlite+aiosqlite:///{directory / 'service.db'}", amqp_url, directory
                )
                # tokens are verified by the provider's key set exactly when an issuer is named
                oidc = isinstance(app.state.oidc_verifier, OidcVerifier)
                assert oidc == ("CCHC_AUTH_ISSUER" in (environment or {})), service
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
            yield result


@pytest.fixture(scope="module")
async def booted(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Booted]]:
    """All four services, started once per test module. Not once per session: a runtime
    left alive on the session's event loop, which stands still while synchronous tests run
    (schemathesis), stalls a service started later in another loop."""
    async with boot(tmp_path_factory, "security") as result:
        await enrol_members(result["scheduling"].client, bearer("secretariat"))
        yield result


def vn_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def submitted_initiative(**fields: Any) -> InitiativeSubmittedV1:
    """An initiative of :data:`OWN_AGENCY` in this year's campaign (Vietnam time), submitted
    a month ago, as intake would announce it; ``fields`` replace any of its data."""
    data: dict[str, Any] = {
        "initiative_id": uuid.uuid4(),
        "campaign_year": vn_today().year,
        "agency_code": OWN_AGENCY,
        "kind": "model",
        "title": "Mô hình “Một cửa không hẹn lần hai”",
        "summary": "Tiếp nhận và trả kết quả thủ tục hành chính trong ngày tại bộ phận một cửa.",
        "par_area": "procedures",
        "applied_since": date(2022, 3, 1),
        "results": "98% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 96%.",
        "limitations": "Chưa liên thông dữ liệu với một số sở, ngành.",
        "submitted_at": datetime.now(UTC) - timedelta(days=30),
    }
    return InitiativeSubmittedV1(**{**data, **fields})


def visited_initiative(
    title: str, team: list[TeamMember], *, sequence: int
) -> tuple[InitiativeSubmittedV1, Visit, RoundScheduledV1]:
    """An initiative of :data:`OWN_AGENCY` submitted a month ago, and a round of ``team``
    that visited it yesterday (Vietnam time): the events intake and scheduling would publish."""
    initiative = submitted_initiative(title=title)
    year = initiative.campaign_year
    day = vn_today() - timedelta(days=1)
    visit = Visit(
        visit_id=uuid.uuid4(),
        initiative_id=initiative.initiative_id,
        agency_code=OWN_AGENCY,
        date=day,
        starts_at=time(8, 30),
    )
    planned = RoundScheduledV1(
        round_id=uuid.uuid4(),
        campaign_year=year,
        sequence=sequence,
        starts_on=day,
        ends_on=day,
        team=team,
        visits=[visit],
    )
    return initiative, visit, planned


def persistent(body: bytes, message_id: str, content_type: str | None) -> aio_pika.Message:
    return aio_pika.Message(
        body=body,
        message_id=message_id,
        content_type=content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


# the service whose events they are, by the routing key's entity
async def until_round_known(client: httpx.AsyncClient, round_id: uuid.UUID) -> None:
    """Wait until the evaluation service behind ``client`` has taken in the round."""

    async def known() -> bool:
        answer = await client.get(f"/api/v1/rounds/{round_id}", headers=bearer("secretariat"))
        return answer.status_code == 200

    await eventually(known, "the evaluation service never learnt of the round")


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
