"""Authorization matrix over every HTTP operation of every service, discovered from OpenAPI.

For each operation the table below says which roles may call it (reviewed against the
route declarations: ``require_roles`` and the ownership checks in the handlers). Every
operation is then called with plausible path parameters and a minimal body, once per role
and once without a token:

* an allowed role must not be answered 401/403 (a 404 or 422 is fine: the id is unknown or
  the minimal body incomplete, the door itself was open);
* a forbidden role must be answered 403, or 404 where the service hides what it refuses;
* no token must be answered 401 (public operations: health, metrics, OpenAPI excepted).

Bound roles carry the suite's own bindings (``OWN_AGENCY``, ``OWN_MEMBER``), and path
parameters naming an agency or a member use those same own values, so the table records
what a bound role may do with *its own* agency/member; other agencies' and members' data
are covered in ``test_tenant_isolation.py``.

A new operation without a table entry fails ``test_every_operation_has_an_expectation``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from .conftest import OWN_AGENCY, OWN_MEMBER, ROLES, SERVICES, Booted, bearer, build_app
from .figures import count

pytestmark = pytest.mark.integration

ALL_ROLES = frozenset(ROLES)
PUBLIC = "public"
SUBMITTER, SECRETARIAT, SURVEYOR, VIEWER, ADMIN = (
    "agency_submitter",
    "secretariat",
    "surveyor",
    "committee_viewer",
    "admin",
)
STAFF = frozenset({SECRETARIAT, ADMIN})
READERS = STAFF | {VIEWER}

Expectation = frozenset[str] | str

HEALTH: dict[tuple[str, str], Expectation] = {
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
}

EXPECTATIONS: dict[str, dict[tuple[str, str], Expectation]] = {
    "intake": {
        **HEALTH,
        # Writer: an agency (its own), the secretariat and admin; Reader adds the Committee.
        ("POST", "/api/v1/initiatives"): STAFF | {SUBMITTER},
        ("GET", "/api/v1/initiatives"): READERS | {SUBMITTER},
        ("GET", "/api/v1/initiatives/{initiative_id}"): READERS | {SUBMITTER},
        ("PATCH", "/api/v1/initiatives/{initiative_id}"): STAFF | {SUBMITTER},
        ("GET", "/api/v1/initiatives/{initiative_id}/history"): READERS | {SUBMITTER},
        ("POST", "/api/v1/initiatives/{initiative_id}/withdraw"): STAFF | {SUBMITTER},
        ("POST", "/api/v1/initiatives/{initiative_id}/attachments"): STAFF | {SUBMITTER},
        ("GET", "/api/v1/initiatives/{initiative_id}/attachments"): READERS | {SUBMITTER},
        ("GET", "/api/v1/initiatives/{initiative_id}/attachments/{attachment_id}"): READERS
        | {SUBMITTER},
        # Campaigns and reference data: any signed-in role reads; only admin opens/changes.
        ("GET", "/api/v1/campaigns"): ALL_ROLES,
        ("POST", "/api/v1/campaigns"): frozenset({ADMIN}),
        ("GET", "/api/v1/campaigns/{year}"): ALL_ROLES,
        ("PATCH", "/api/v1/campaigns/{year}"): frozenset({ADMIN}),
        ("GET", "/api/v1/campaigns/{year}/history"): STAFF,
        ("GET", "/api/v1/agencies"): ALL_ROLES,
        ("GET", "/api/v1/agencies/{code}"): ALL_ROLES,
        ("GET", "/api/v1/par-areas"): ALL_ROLES,
    },
    "scheduling": {
        **HEALTH,
        ("GET", "/api/v1/roster"): READERS | {SURVEYOR},
        ("POST", "/api/v1/roster"): STAFF,
        ("GET", "/api/v1/roster/{member_id}"): READERS | {SURVEYOR},
        ("PUT", "/api/v1/roster/{member_id}"): STAFF,
        ("DELETE", "/api/v1/roster/{member_id}"): STAFF,
        # A member declares their own unavailability; staff anyone's.
        ("PUT", "/api/v1/roster/{member_id}/unavailable"): STAFF | {SURVEYOR},
        ("GET", "/api/v1/pool"): READERS,
        ("GET", "/api/v1/rounds"): READERS | {SURVEYOR},
        ("POST", "/api/v1/rounds"): STAFF,
        ("POST", "/api/v1/rounds/check"): STAFF,
        ("GET", "/api/v1/rounds/{round_id}"): READERS | {SURVEYOR},
        ("PUT", "/api/v1/rounds/{round_id}"): STAFF,
        ("GET", "/api/v1/rounds/{round_id}/history"): STAFF,
        ("POST", "/api/v1/rounds/{round_id}/confirm"): STAFF,
        ("POST", "/api/v1/rounds/{round_id}/cancel"): STAFF,
        # Notices: each party sees its own (filtered in the handler), readers see all.
        ("GET", "/api/v1/rounds/{round_id}/notices"): ALL_ROLES,
        (
            "GET",
            "/api/v1/rounds/{round_id}/notices/members/{member_id}.{file_format}",
        ): READERS | {SURVEYOR},
        (
            "GET",
            "/api/v1/rounds/{round_id}/notices/agencies/{agency_code}.{file_format}",
        ): READERS | {SUBMITTER},
        ("GET", "/api/v1/rounds/{round_id}/calendar/{member_id}.ics"): READERS | {SURVEYOR},
        ("POST", "/api/v1/plans"): STAFF,
        ("GET", "/api/v1/plans/{proposal_id}"): STAFF,
        ("POST", "/api/v1/plans/{proposal_id}/accept"): STAFF,
        # Everyone has "my visits": a member theirs, an agency the visits to it.
        ("GET", "/api/v1/visits"): ALL_ROLES,
    },
    "evaluation": {
        **HEALTH,
        ("GET", "/api/v1/rubrics/{campaign_year}"): ALL_ROLES,
        ("PUT", "/api/v1/rubrics/{campaign_year}"): STAFF,
        ("GET", "/api/v1/rubrics/{campaign_year}/history"): STAFF,
        ("GET", "/api/v1/my/visits"): frozenset({SURVEYOR}),
        # Ownership decided in the service layer (404 for what the caller may not see).
        ("GET", "/api/v1/rounds/{round_id}"): ALL_ROLES,
        ("POST", "/api/v1/evaluations"): frozenset({SURVEYOR}),
        ("PUT", "/api/v1/evaluations/{evaluation_id}"): frozenset({SURVEYOR}),
        ("GET", "/api/v1/evaluations/{evaluation_id}"): ALL_ROLES,
        ("GET", "/api/v1/initiatives/{initiative_id}/results"): ALL_ROLES,
        ("GET", "/api/v1/campaigns/{campaign_year}/ranking"): READERS,
        ("PUT", "/api/v1/initiatives/{initiative_id}/sector-opinion"): STAFF,
        ("GET", "/api/v1/initiatives/{initiative_id}/history"): STAFF,
        ("POST", "/api/v1/initiatives/{initiative_id}/decision"): STAFF,
        # An agency sees its own row; a surveyor is refused (403) in the service layer.
        ("GET", "/api/v1/campaigns/{campaign_year}/par-index"): READERS | {SUBMITTER},
    },
    "reporting": {
        **HEALTH,
        ("GET", "/api/v1/campaigns"): ALL_ROLES,
        ("GET", "/api/v1/campaigns/{year}/dashboard"): READERS,
        # An agency reads its own initiatives and scorecard; a surveyor reads no reports.
        ("GET", "/api/v1/campaigns/{year}/initiatives"): READERS | {SUBMITTER},
        ("GET", "/api/v1/campaigns/{year}/initiatives/{initiative_id}"): READERS | {SUBMITTER},
        ("GET", "/api/v1/campaigns/{year}/rounds"): READERS,
        ("GET", "/api/v1/campaigns/{year}/rounds/{round_id}"): READERS,
        ("GET", "/api/v1/campaigns/{year}/agencies"): READERS,
        ("GET", "/api/v1/campaigns/{year}/agencies/{agency_code}"): READERS | {SUBMITTER},
        ("GET", "/api/v1/campaigns/{year}/ranking"): READERS,
        ("GET", "/api/v1/campaigns/{year}/recommended"): READERS,
        ("GET", "/api/v1/campaigns/{year}/par-index"): READERS,
        ("GET", "/api/v1/campaigns/{year}/exports/{table}.{fmt}"): READERS,
        ("GET", "/api/v1/campaigns/{year}/documents/{kind}.{fmt}"): READERS,
        (
            "GET",
            "/api/v1/campaigns/{year}/rounds/{round_id}/documents/survey-report.{fmt}",
        ): READERS,
        ("POST", "/api/v1/admin/rebuild"): frozenset({ADMIN}),
        ("GET", "/api/v1/admin/log"): STAFF,
    },
}

# Served by every service, outside the OpenAPI paths.
PUBLIC_EXTRA = ("/openapi.json", "/docs")

# Minimal *valid* bodies where a handler checks ownership after body validation (else a
# forbidden role would meet the 422 before the 403).
BODIES: dict[tuple[str, str, str], Any] = {
    ("scheduling", "PUT", "/api/v1/roster/{member_id}/unavailable"): {"unavailable": []},
}

UNKNOWN_ID = str(uuid.UUID("00000000-0000-4000-8000-00000000abcd"))
YEAR = date.today().year


def operations(openapi: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    methods = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    return {
        (method.upper(), path): operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in methods
    }


def _value(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    for variant in [schema, *schema.get("anyOf", []), *schema.get("allOf", [])]:
        if "enum" in variant:
            return str(variant["enum"][0])
        if "const" in variant:
            return str(variant["const"])
    name = parameter["name"]
    if schema.get("format") == "uuid" or (name.endswith("_id") and name != "member_id"):
        return UNKNOWN_ID
    if schema.get("type") == "integer" or name in {"year", "campaign_year"}:
        return str(YEAR)
    if name == "member_id":
        return OWN_MEMBER
    if name in {"agency_code", "code"}:
        return OWN_AGENCY
    return "x"


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi["components"]["schemas"][name]
    return schema


def request_for(
    openapi: dict[str, Any], method: str, path: str, operation: dict[str, Any], service: str = ""
) -> dict[str, Any]:
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", _value(parameter))
    kwargs: dict[str, Any] = {"method": method, "url": url}
    content = operation.get("requestBody", {}).get("content", {})
    if (service, method, path) in BODIES:
        kwargs["json"] = BODIES[(service, method, path)]
    elif "multipart/form-data" in content:
        kwargs["files"] = {"file": ("rapport.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    elif "application/json" in content:
        kwargs["json"] = {}
    return kwargs


def test_every_operation_has_an_expectation(tmp_path: Any) -> None:
    """Both ways: no operation without a reviewed entry, no stale entry without an operation."""
    problems = []
    for service in SERVICES:
        app = build_app(
            service, f"sqlite+aiosqlite:///{tmp_path / service}.db", "amqp://x@localhost/", tmp_path
        )
        found = set(operations(app.openapi()))
        table = set(EXPECTATIONS[service])
        problems += [f"{service}: {m} {p} has no expectation" for m, p in sorted(found - table)]
        problems += [f"{service}: {m} {p} no longer exists" for m, p in sorted(table - found)]
    assert not problems, "\n".join(problems)


CASES = [
    pytest.param(service, method, path, id=f"{service}:{method}:{path}")
    for service in SERVICES
    for (method, path) in EXPECTATIONS[service]
]


async def _call(client: httpx.AsyncClient, request: dict[str, Any], headers: dict[str, str]) -> int:
    answer = await client.request(headers=headers, **request)
    return answer.status_code


def _outcome(status: int, allowed: bool) -> str:
    if status >= 500:
        return "server errors"
    if allowed:
        return "let in" if status not in (401, 403) else "wrongly refused"
    return "refused 403/404" if status in (403, 404) else "wrongly let in"


@pytest.mark.parametrize(("service", "method", "path"), CASES)
async def test_authorization_matrix(
    booted: dict[str, Booted], service: str, method: str, path: str
) -> None:
    target = booted[service]
    openapi = target.app.openapi()
    operation = operations(openapi).get((method, path))
    assert operation is not None, f"{method} {path} is not in {service}'s OpenAPI"
    request = request_for(openapi, method, path, operation, service)
    expected = EXPECTATIONS[service][(method, path)]
    failures: list[str] = []

    area = "authorization matrix"
    count(area, "operations")
    anonymous = await _call(target.client, request, {})
    count(area, "requests")
    if anonymous == 401:
        count(area, "refused 401 without a token")
    elif expected == PUBLIC:
        count(area, "public, answered without a token")
    if expected == PUBLIC:
        if anonymous in (401, 403):
            failures.append(f"no token: {anonymous}, expected a public answer")
    elif anonymous != 401:
        failures.append(f"no token: {anonymous}, expected 401")

    for role in sorted(ROLES):
        status = await _call(target.client, request, bearer(role))
        allowed = expected == PUBLIC or role in expected
        count(area, "requests")
        count(area, _outcome(status, allowed))
        if allowed and status in (401, 403):
            failures.append(f"{role}: {status}, expected to be let in")
        elif not allowed and status not in (403, 404):
            failures.append(f"{role}: {status}, expected 403 or 404")
        if status >= 500:
            failures.append(f"{role}: server error {status}")
    assert not failures, f"{service} {method} {request['url']}:\n" + "\n".join(failures)


@pytest.mark.parametrize("service", SERVICES)
async def test_openapi_and_docs_are_public(booted: dict[str, Booted], service: str) -> None:
    for path in PUBLIC_EXTRA:
        answer = await booted[service].client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
