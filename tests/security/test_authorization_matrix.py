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

The matrix runs in two token modes, the services booted once for each: ``development``
(HS256 tokens signed by the kit, as ``cchc token`` prints them) and ``provider`` (access
tokens from the test kit's real OpenID provider through the client-credentials grant, one
client per role carrying the role and its binding claims in Keycloak's shapes, the services
configured with ``CCHC_AUTH_ISSUER``). The same table holds in both.

Besides the five person roles, ``platform`` (another city platform's client) has its column:
it reads reference data, campaigns, the rubric, the recommended initiatives and the PAR-Index
contributions, and nothing that is a person's act or a person's view.

A new operation without a table entry fails ``test_every_operation_has_an_expectation``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from cchc_shared.auth import issue_token
from cchc_testkit.oidc import Client, OidcProvider

from .conftest import (
    AUTH,
    OWN_AGENCY,
    OWN_MEMBER,
    ROLES,
    SERVICES,
    Booted,
    boot,
    build_app,
    enrol_members,
)
from .figures import count
from .provider_services import (
    PROVIDER_ROLE,
    realm,
    require_provider,
    services_with_provider,
)

pytestmark = pytest.mark.integration

PLATFORM = "platform"
PEOPLE = frozenset(ROLES)
ALL_ROLES = PEOPLE | {PLATFORM}
# Each role's bindings in both token modes (the platform's client is bound to nothing).
BINDINGS: dict[str, dict[str, str]] = {**ROLES, PLATFORM: {}}
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
        # Drafts: their agency (its own), the secretariat and admin; never the Committee.
        ("POST", "/api/v1/initiatives/{initiative_id}/submit"): STAFF | {SUBMITTER},
        ("DELETE", "/api/v1/initiatives/{initiative_id}"): STAFF | {SUBMITTER},
        ("POST", "/api/v1/initiatives/{initiative_id}/attachments"): STAFF | {SUBMITTER},
        ("GET", "/api/v1/initiatives/{initiative_id}/attachments"): READERS | {SUBMITTER},
        ("GET", "/api/v1/initiatives/{initiative_id}/attachments/{attachment_id}"): READERS
        | {SUBMITTER},
        # Campaigns and reference data: any signed-in role, a platform's client too, reads;
        # only admin opens/changes.
        ("GET", "/api/v1/campaigns"): ALL_ROLES,
        ("POST", "/api/v1/campaigns"): frozenset({ADMIN}),
        ("GET", "/api/v1/campaigns/{year}"): ALL_ROLES,
        ("PATCH", "/api/v1/campaigns/{year}"): frozenset({ADMIN}),
        ("GET", "/api/v1/campaigns/{year}/history"): STAFF,
        ("GET", "/api/v1/agencies"): ALL_ROLES,
        ("GET", "/api/v1/agencies/{code}"): ALL_ROLES,
        ("GET", "/api/v1/par-areas"): ALL_ROLES,
        # Refused inbound messages kept as received, and their replay: the PAR office only
        # (a platform's client may not replay, even its own messages: it publishes anew).
        ("GET", "/api/v1/inbound/rejections"): STAFF,
        ("POST", "/api/v1/inbound/rejections/{rejection_id}/replay"): STAFF,
    },
    "scheduling": {
        **HEALTH,
        ("GET", "/api/v1/roster"): READERS | {SURVEYOR},
        ("POST", "/api/v1/roster"): STAFF,
        ("GET", "/api/v1/roster/{member_id}"): READERS | {SURVEYOR},
        ("PUT", "/api/v1/roster/{member_id}"): STAFF,
        ("DELETE", "/api/v1/roster/{member_id}"): STAFF,
        ("GET", "/api/v1/roster/{member_id}/history"): STAFF,
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
        ("GET", "/api/v1/rounds/{round_id}/notices"): PEOPLE,
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
        ("POST", "/api/v1/plan-jobs"): STAFF,
        ("GET", "/api/v1/plan-jobs/{job_id}"): STAFF,
        ("POST", "/api/v1/plan-jobs/{job_id}/stop"): STAFF,
        # Every person has "my visits": a member theirs, an agency the visits to it.
        ("GET", "/api/v1/visits"): PEOPLE,
    },
    "evaluation": {
        **HEALTH,
        # The criteria and their maximum scores are public, a platform's client reads them.
        ("GET", "/api/v1/rubrics/{campaign_year}"): ALL_ROLES,
        ("PUT", "/api/v1/rubrics/{campaign_year}"): STAFF,
        ("GET", "/api/v1/rubrics/{campaign_year}/history"): STAFF,
        ("GET", "/api/v1/my/visits"): frozenset({SURVEYOR}),
        # Ownership decided in the service layer (404 for what the caller may not see).
        ("GET", "/api/v1/rounds/{round_id}"): PEOPLE,
        ("POST", "/api/v1/evaluations"): frozenset({SURVEYOR}),
        ("PUT", "/api/v1/evaluations/{evaluation_id}"): frozenset({SURVEYOR}),
        ("GET", "/api/v1/evaluations/{evaluation_id}"): PEOPLE,
        ("GET", "/api/v1/initiatives/{initiative_id}/results"): PEOPLE,
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
        # Published anyway (ReplicationRecommended, ParIndexContributionUpdated): a
        # platform's client reads them too.
        ("GET", "/api/v1/campaigns/{year}/recommended"): READERS | {PLATFORM},
        ("GET", "/api/v1/campaigns/{year}/par-index"): READERS | {PLATFORM},
        ("GET", "/api/v1/campaigns/{year}/rejections"): STAFF,
        ("GET", "/api/v1/campaigns/{year}/exports/{table}.{fmt}"): READERS,
        ("GET", "/api/v1/campaigns/{year}/documents/{kind}.{fmt}"): READERS,
        (
            "GET",
            "/api/v1/campaigns/{year}/rounds/{round_id}/documents/survey-report.{fmt}",
        ): READERS,
        ("POST", "/api/v1/admin/rebuild"): frozenset({ADMIN}),
        ("GET", "/api/v1/admin/log"): STAFF,
        # The recognised models and their spread are read without signing in.
        ("GET", "/api/v1/follow-up/models"): PUBLIC,
        ("GET", "/api/v1/follow-up/models/{initiative_id}"): PUBLIC,
        ("GET", "/api/v1/follow-up/models/{initiative_id}/map.svg"): PUBLIC,
        # An agency reads what it must adopt; a surveyor is refused in the service layer.
        ("GET", "/api/v1/follow-up/agencies/{agency_code}"): READERS | {SUBMITTER},
        ("GET", "/api/v1/follow-up/overdue"): READERS,
        ("GET", "/api/v1/follow-up/export.xlsx"): READERS,
        ("GET", "/api/v1/follow-up/reports/{year}.{fmt}"): READERS,
        ("GET", "/api/v1/follow-up/decisions/{decision_id}/record.{fmt}"): READERS,
        # Whoever may read the initiative (another agency's answers 404; a surveyor reads
        # no reports).
        ("GET", "/api/v1/initiatives/{initiative_id}/lineage"): READERS | {SUBMITTER},
    },
    "replication": {
        **HEALTH,
        ("GET", "/api/v1/candidates"): STAFF,
        ("POST", "/api/v1/decisions"): STAFF,
        ("GET", "/api/v1/decisions"): PEOPLE,
        ("GET", "/api/v1/decisions/{decision_id}"): PEOPLE,
        # The target agency reports for itself, the PAR office for any agency; the People's
        # Committee and a surveyor are refused in the service layer.
        ("POST", "/api/v1/adoption-reports"): STAFF | {SUBMITTER},
        ("GET", "/api/v1/agencies/{agency_code}/assignments"): READERS | {SUBMITTER},
        ("GET", "/api/v1/models/{initiative_id}/agencies/{agency_code}/reports"): READERS
        | {SUBMITTER},
        # Evidence: uploaded by the target agency for itself or the PAR office; read by who
        # reads the reports.
        ("POST", "/api/v1/models/{initiative_id}/agencies/{agency_code}/evidence"): STAFF
        | {SUBMITTER},
        (
            "GET",
            "/api/v1/models/{initiative_id}/agencies/{agency_code}/evidence/{evidence_id}",
        ): READERS | {SUBMITTER},
    },
    "notifications": {
        **HEALTH,
        # Staff see every message; a member or an agency its own (the Committee none).
        ("GET", "/api/v1/notifications"): STAFF | {SURVEYOR, SUBMITTER},
        ("GET", "/api/v1/notifications/{notification_id}"): STAFF | {SURVEYOR, SUBMITTER},
        ("GET", "/api/v1/notifications/counts"): STAFF,
        ("POST", "/api/v1/notifications/{notification_id}/resend"): STAFF,
        ("POST", "/api/v1/rounds/{round_id}/release"): STAFF,
        ("GET", "/api/v1/campaigns/{campaign_year}/settings"): STAFF,
        ("PUT", "/api/v1/campaigns/{campaign_year}/settings"): STAFF,
        # Only a recipient chooses how it receives its mail.
        ("GET", "/api/v1/preferences"): frozenset({SURVEYOR, SUBMITTER}),
        ("PUT", "/api/v1/preferences"): frozenset({SURVEYOR, SUBMITTER}),
    },
}

# Served by every service, outside the OpenAPI paths.
PUBLIC_EXTRA = ("/openapi.json", "/docs")

# Minimal *valid* bodies where a handler checks ownership after body validation (else a
# forbidden role would meet the 422 before the 403).
BODIES: dict[tuple[str, str, str], Any] = {
    ("scheduling", "PUT", "/api/v1/roster/{member_id}/unavailable"): {"unavailable": []},
    ("notifications", "PUT", "/api/v1/preferences"): {"category": "decision", "mode": "digest"},
    ("replication", "POST", "/api/v1/adoption-reports"): {
        "initiative_id": "00000000-0000-4000-8000-00000000abcd",
        "agency_code": OWN_AGENCY,
        "quarter": "2024-Q1",
        "status": "not_started",
    },
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


@dataclass
class TokenMode:
    """The services of one token mode and how a role's bearer token is had there."""

    name: str
    booted: dict[str, Booted]
    token_of: Callable[[str], str]
    _cache: dict[str, tuple[float, str]] = field(default_factory=dict)

    def bearer(self, role: str) -> dict[str, str]:
        # A provider token costs a round trip: one per role, renewed well before it expires.
        had = self._cache.get(role)
        if had is None or time.monotonic() - had[0] > 300:
            had = (time.monotonic(), self.token_of(role))
            self._cache[role] = had
        return {"Authorization": f"Bearer {had[1]}"}


def _development_token(role: str) -> str:
    return issue_token(AUTH, role, **BINDINGS[role])  # type: ignore[arg-type]


def _client(role: str, alg: str) -> Client:
    extra: dict[str, Any] = {}
    binding = BINDINGS[role]
    if binding:
        extra["cchc"] = {"agency": binding.get("agency"), "member": binding.get("member")}
        extra["cchc"] = {k: v for k, v in extra["cchc"].items() if v is not None}
    return Client(f"matrix-{role}", alg, ttl=900, claims=realm(PROVIDER_ROLE[role], **extra))


# RS256 and ES256 alternate over the roles: both key types are on every door.
MATRIX_CLIENTS = [
    _client(role, "RS256" if i % 2 == 0 else "ES256") for i, role in enumerate(sorted(BINDINGS))
]


@pytest.fixture(scope="module", params=["development", "provider"])
async def mode(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TokenMode]:
    """Module-scoped and parametrized: pytest runs every case of one mode, then stops that
    mode's services and boots the next, so each mode's services are booted once and never
    two sets at a time."""
    if request.param == "development":
        async with boot(tmp_path_factory, "matrix-dev") as booted:
            await enrol_members(
                booted["scheduling"].client,
                {"Authorization": "Bearer " + _development_token(SECRETARIAT)},
            )
            yield TokenMode("development", booted, _development_token)
        return
    require_provider()
    with OidcProvider(MATRIX_CLIENTS, tmp_path_factory.mktemp("matrix-provider")) as provider:
        async with services_with_provider(provider, tmp_path_factory, "matrix") as booted:
            secretariat = {"Authorization": f"Bearer {provider.token('matrix-secretariat')}"}
            await enrol_members(booted["scheduling"].client, secretariat)
            yield TokenMode("provider", booted, lambda role: provider.token(f"matrix-{role}"))


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
async def test_authorization_matrix(mode: TokenMode, service: str, method: str, path: str) -> None:
    target = mode.booted[service]
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

    for role in sorted(BINDINGS):
        status = await _call(target.client, request, mode.bearer(role))
        allowed = expected == PUBLIC or role in expected
        count(area, "requests")
        count(area, f"requests with {mode.name} tokens")
        count(area, _outcome(status, allowed))
        if allowed and status in (401, 403):
            failures.append(f"{role}: {status}, expected to be let in")
        elif not allowed and status not in (403, 404):
            failures.append(f"{role}: {status}, expected 403 or 404")
        if status >= 500:
            failures.append(f"{role}: server error {status}")
    assert not failures, f"{service} {method} {request['url']} ({mode.name} tokens):\n" + "\n".join(
        failures
    )


@pytest.mark.parametrize("service", SERVICES)
async def test_openapi_and_docs_are_public(mode: TokenMode, service: str) -> None:
    for path in PUBLIC_EXTRA:
        answer = await mode.booted[service].client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
