"""Schemathesis against each service's OpenAPI, in-process over ASGI: no generated request,
valid or not, may make a service answer 5xx (``not_a_server_error``).

Each operation is called with a token of a role allowed to call it (per the reviewed table of
the authorization matrix; admin or secretariat where they may, else the one role that may,
e.g. a surveyor recording an evaluation), so requests get past authentication and exercise
validation and the handlers. The examples per operation are bounded (``MAX_EXAMPLES``) to keep
the suite fast.

The applications are built at import (their OpenAPI documents drive the parametrisation) on
their own SQLite files and a RabbitMQ virtual host each, created by the session fixture below
before schemathesis starts their lifespans, and removed after those lifespans have ended.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi as schemathesis_asgi

from cchc_testkit.infra import RABBITMQ_PASSWORD, RABBITMQ_USER, VIRTUAL_HOSTS

from .conftest import SERVICES, bearer, build_app
from .figures import count
from .test_authorization_matrix import EXPECTATIONS, PUBLIC

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

# The planner operation solves CP-SAT per call: keep each test well under the timeout.
MAX_EXAMPLES = 5

_DATA = Path(tempfile.mkdtemp(prefix="cchc-schemathesis-"))
_VHOSTS = {service: f"cchc-test-fuzz-{service}-{uuid.uuid4().hex[:8]}" for service in SERVICES}
APPS = {
    service: build_app(
        service,
        f"sqlite+aiosqlite:///{_DATA / service}.db",
        VIRTUAL_HOSTS.url(_VHOSTS[service]),
        _DATA / service,
    )
    for service in SERVICES
}


def _schema(app: Any) -> Any:
    # The document is the one the app serves at /openapi.json; loaded from the app object
    # rather than fetched, so that no lifespan starts (no broker call) at collection time.
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(app.openapi())))
    loaded.app = app
    loaded.location = "/openapi.json"
    return loaded


SCHEMAS = {service: _schema(app) for service, app in APPS.items()}


def _create_vhost(name: str) -> None:
    if VIRTUAL_HOSTS.has_api():
        everything = {"configure": ".*", "write": ".*", "read": ".*"}
        with VIRTUAL_HOSTS._client() as client:
            client.put(f"/api/vhosts/{name}").raise_for_status()
            client.put(f"/api/permissions/{name}/{RABBITMQ_USER}", json=everything)
    else:
        from cchc_testkit.infra import rabbitmqctl

        rabbitmqctl("add_vhost", name)
        rabbitmqctl("set_permissions", "-p", name, RABBITMQ_USER, ".*", ".*", ".*")


@pytest.fixture(scope="module", autouse=True)
def _infrastructure() -> Iterator[None]:
    assert RABBITMQ_PASSWORD  # the URL above carries the test broker's credentials
    for service in SERVICES:
        (_DATA / service).mkdir(parents=True, exist_ok=True)
        _create_vhost(_VHOSTS[service])
    try:
        yield
    finally:
        schemathesis_asgi.shutdown_lifespans()
        for name in _VHOSTS.values():
            VIRTUAL_HOSTS.delete(name)
        shutil.rmtree(_DATA, ignore_errors=True)


_PREFERENCE = ("admin", "secretariat", "committee_viewer", "agency_submitter", "surveyor")


def role_for(service: str, method: str, path: str) -> str | None:
    allowed = EXPECTATIONS[service].get((method.upper(), path))
    assert allowed is not None, f"{service} {method} {path}: not in the authorization table"
    if allowed == PUBLIC:
        return None
    return next(role for role in _PREFERENCE if role in allowed)


def _run(service: str, case: Any) -> None:
    role = role_for(service, case.operation.method, case.operation.path)
    headers: dict[str, str] = bearer(role) if role else {}
    count("schemathesis", "generated requests")
    try:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
    except Exception:
        count("schemathesis", "failed checks (server errors)")
        raise


FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@SCHEMAS["intake"].parametrize()
@FUZZ
def test_intake_no_server_error(case: Any) -> None:
    _run("intake", case)


@SCHEMAS["scheduling"].parametrize()
@FUZZ
def test_scheduling_no_server_error(case: Any) -> None:
    _run("scheduling", case)


@SCHEMAS["evaluation"].parametrize()
@FUZZ
def test_evaluation_no_server_error(case: Any) -> None:
    _run("evaluation", case)


@SCHEMAS["reporting"].parametrize()
@FUZZ
def test_reporting_no_server_error(case: Any) -> None:
    _run("reporting", case)


@SCHEMAS["notifications"].parametrize()
@FUZZ
def test_notifications_no_server_error(case: Any) -> None:
    _run("notifications", case)


@SCHEMAS["replication"].parametrize()
@FUZZ
def test_replication_no_server_error(case: Any) -> None:
    _run("replication", case)
