"""Tokens from a real OpenID provider (panva's certified ``oidc-provider``, started by the
test kit) against every service booted through its composition root, with
``CCHC_AUTH_ISSUER`` naming the provider: a genuine token is let in; a forged, expired,
foreign or confused one is answered 401; a token without a known role or binding 403; after a
key rotation a token signed with the new key is let in without a restart."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from cchc_shared.auth.oidc import OidcVerifier
from cchc_testkit.oidc import AUDIENCE, Client, OidcProvider, provider_available

from .conftest import OWN_AGENCY, OWN_MEMBER, SERVICES, Booted, boot, enrol_members
from .figures import count

pytestmark = pytest.mark.integration

AREA = "provider tokens"
PROTECTED = {
    "intake": "/api/v1/initiatives",
    "scheduling": "/api/v1/roster",
    "evaluation": "/api/v1/campaigns/2023/ranking",
    "reporting": "/api/v1/campaigns",
    "notifications": "/api/v1/notifications",
    "replication": "/api/v1/decisions",
}
ROLE_MAP = {
    "cchc-agency": "agency_submitter",
    "cchc-secretariat": "secretariat",
    "cchc-surveyor": "surveyor",
    "cchc-viewer": "committee_viewer",
    "cchc-admin": "admin",
}


def realm(*roles: str, **extra: Any) -> dict[str, Any]:
    """Claims as Keycloak shapes them: realm roles nested, attributes under ``cchc``."""
    return {"realm_access": {"roles": list(roles)}, **extra}


CLIENTS = [
    Client("staff-rs256", "RS256", claims=realm("cchc-secretariat", "offline_access")),
    Client("staff-es256", "ES256", claims=realm("cchc-secretariat")),
    Client("agency", "ES256", claims=realm("cchc-agency", cchc={"agency": OWN_AGENCY})),
    Client(
        "agency-surveyor",
        "RS256",
        claims=realm(
            "cchc-agency", "cchc-surveyor", cchc={"agency": OWN_AGENCY, "member": OWN_MEMBER}
        ),
    ),
    Client("agency-unbound", "RS256", claims=realm("cchc-agency")),
    Client("surveyor-unbound", "RS256", claims=realm("cchc-surveyor", cchc={"agency": "SNV"})),
    Client("no-known-role", "RS256", claims=realm("offline_access", "uma_authorization")),
    Client("flat-roles", "RS256", claims={"roles": ["secretariat"]}),
    Client("short-lived", "RS256", ttl=1, claims=realm("cchc-secretariat")),
    Client("foreign-iss", "RS256", claims=realm("cchc-secretariat", iss="https://sso.example")),
    Client("not-yet", "RS256", claims=realm("cchc-secretariat", nbf=4_102_444_800)),
    Client("member", "ES256", claims=realm("cchc-surveyor", cchc={"member": OWN_MEMBER})),
    Client(
        "staff-named",
        "RS256",
        claims=realm("cchc-secretariat", name="Nguyễn Thị Lan", preferred_username="lan.nt"),
    ),
    Client("staff-username", "ES256", claims=realm("cchc-secretariat", preferred_username="binh")),
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    why = provider_available()
    if why is not None:  # skipped on a workstation, a failure in CI
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no OpenID provider: {why}")
    with OidcProvider(CLIENTS, tmp_path_factory.mktemp("oidc-provider")) as running:
        yield running


@pytest.fixture(scope="module")
async def services(
    provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Booted]]:
    environment = {
        "CCHC_AUTH_ISSUER": provider.issuer,
        "CCHC_AUTH_AUDIENCE": AUDIENCE,
        "CCHC_AUTH_LEEWAY": "PT1S",
        "CCHC_AUTH_ROLES_CLAIM": "realm_access.roles",
        "CCHC_AUTH_ROLE_MAP": json.dumps(ROLE_MAP),
        "CCHC_AUTH_AGENCY_CLAIM": "cchc.agency",
        "CCHC_AUTH_MEMBER_CLAIM": "cchc.member",
        "CCHC_AUTH_JWKS_MIN_REFRESH": "PT0S",
    }
    async with boot(tmp_path_factory, "oidc", environment) as result:
        for booted in result.values():
            assert isinstance(booted.app.state.oidc_verifier, OidcVerifier)
        await enrol_members(
            result["scheduling"].client,
            {"Authorization": f"Bearer {provider.token('staff-rs256')}"},
        )
        yield result


async def call(booted: Booted, token: str, path: str | None = None) -> httpx.Response:
    answer = await booted.client.get(
        path or PROTECTED[booted.name], headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code < 500, answer.text
    return answer


def refused_401(answer: httpx.Response) -> str:
    assert answer.status_code == 401, answer.text
    assert answer.headers["WWW-Authenticate"].startswith("Bearer ")
    [detail] = answer.json()["detail"]
    assert detail["field"] == "Authorization" and detail["message"] and detail["message_en"]
    count(AREA, "refused 401")
    return str(detail["message_en"])


def refused_403(answer: httpx.Response) -> dict[str, str]:
    assert answer.status_code == 403, answer.text
    [detail] = answer.json()["detail"]
    count(AREA, "refused 403")
    return dict(detail)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
        json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))),
    )


# -- genuine tokens ----------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("client_id", ["staff-rs256", "staff-es256"])
async def test_a_genuine_provider_token_is_let_in_by_every_service(
    services: dict[str, Booted], provider: OidcProvider, service: str, client_id: str
) -> None:
    token = provider.token(client_id)
    header, _ = parts(token)
    assert header["alg"] == client_id[-5:].upper() and header["kid"].startswith("gen")
    count(AREA, "provider tokens tried")
    answer = await call(services[service], token)
    assert answer.status_code == 200, answer.text
    count(AREA, "genuine, let in")


async def test_roles_come_from_the_nested_claim_through_the_mapping(
    services: dict[str, Booted], provider: OidcProvider
) -> None:
    scheduling = services["scheduling"]
    # flat `roles` is not the configured claim: nothing known is found there
    count(AREA, "provider tokens tried", 4)
    detail = refused_403(await call(scheduling, provider.token("flat-roles")))
    assert "realm_access.roles" in detail["message_en"] and "vai trò" in detail["message"]
    # an agency's officer may not read the roster ...
    refused_403(await call(scheduling, provider.token("agency")))
    # ... but the same person who is also a survey-team member holds both roles
    answer = await call(scheduling, provider.token("agency-surveyor"))
    assert answer.status_code == 200, answer.text
    answer = await call(scheduling, provider.token("member"))
    assert answer.status_code == 200, answer.text
    count(AREA, "genuine, let in", 2)


async def test_a_bound_role_is_bound_by_the_configured_claims(
    services: dict[str, Booted], provider: OidcProvider
) -> None:
    intake = services["intake"]
    answer = await call(intake, provider.token("agency"))
    assert answer.status_code == 200, answer.text
    count(AREA, "provider tokens tried")
    count(AREA, "genuine, let in")


@pytest.mark.parametrize(
    ("client_id", "missing"),
    [
        ("no-known-role", "realm_access.roles"),
        ("agency-unbound", "cchc.agency"),
        ("surveyor-unbound", "cchc.member"),
    ],
)
@pytest.mark.parametrize("service", SERVICES)
async def test_no_known_role_or_a_missing_binding_is_refused_403(
    services: dict[str, Booted], provider: OidcProvider, service: str, client_id: str, missing: str
) -> None:
    count(AREA, "provider tokens tried")
    detail = refused_403(await call(services[service], provider.token(client_id)))
    assert missing in detail["message"] and missing in detail["message_en"]


# -- refused: the token itself is bad ---------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
async def test_wrong_audience_foreign_issuer_and_not_yet_valid_are_refused_401(
    services: dict[str, Booted], provider: OidcProvider, service: str
) -> None:
    booted = services[service]
    count(AREA, "provider tokens tried", 3)
    assert "audience" in refused_401(
        await call(booted, provider.token("staff-rs256", audience="urn:other:api"))
    )
    assert "issuer" in refused_401(await call(booted, provider.token("foreign-iss")))
    assert "not yet valid" in refused_401(await call(booted, provider.token("not-yet")))


async def test_an_expired_provider_token_is_refused_401(
    services: dict[str, Booted], provider: OidcProvider
) -> None:
    token = provider.token("short-lived")
    await asyncio.sleep(3.2)  # lifetime 1 s, leeway 1 s
    for service in SERVICES:
        count(AREA, "provider tokens tried")
        assert "expired" in refused_401(await call(services[service], token))


async def test_a_token_from_another_provider_is_refused_401(
    services: dict[str, Booted], tmp_path_factory: pytest.TempPathFactory
) -> None:
    with OidcProvider(CLIENTS[:1], tmp_path_factory.mktemp("other-provider")) as other:
        token = other.token("staff-rs256")
    for service in SERVICES:
        count(AREA, "provider tokens tried")
        refused_401(await call(services[service], token))


async def test_tampered_none_and_confused_tokens_are_refused_401(
    services: dict[str, Booted], provider: OidcProvider
) -> None:
    genuine = provider.token("agency")
    header, payload = parts(genuine)
    signature = genuine.rsplit(".", 1)[1]
    elevated = {**payload, "realm_access": {"roles": ["cchc-admin"]}}
    tampered = (
        f"{b64(json.dumps(header).encode())}.{b64(json.dumps(elevated).encode())}.{signature}"
    )
    alg_none = forge({"alg": "none", "typ": "JWT", "kid": header["kid"]}, elevated, lambda _: b"")
    pem = provider.current_keys.rsa_public_pem()
    rsa_kid = f"{provider.current_keys.generation}-rsa"
    ec_kid = f"{provider.current_keys.generation}-ec"
    confused = forge(
        {"alg": "HS256", "typ": "JWT", "kid": rsa_kid},
        elevated,
        lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
    )
    # RS256 named against the EC key: the key's type pins its algorithm
    cross = forge({"alg": "RS256", "typ": "JWT", "kid": ec_kid}, elevated, lambda _: b"x" * 256)
    unknown_kid = forge({"alg": "RS256", "kid": "nobody-knows"}, elevated, lambda _: b"x" * 256)
    cases = {
        "tampered": (tampered, "signature"),
        "alg none": (alg_none, "algorithm"),
        "HS256 with the public key": (confused, "algorithm"),
        "RS256 on an EC key": (cross, "algorithm"),
        "unknown kid": (unknown_kid, "unknown signing key"),
    }
    for service in SERVICES:
        for name, (token, reason) in cases.items():
            count(AREA, "forged tokens")
            message = refused_401(await call(services[service], token))
            assert reason in message, (name, message)


# -- key rotation -----------------------------------------------------------------------


async def test_after_key_rotation_the_new_key_is_let_in_without_a_restart(
    services: dict[str, Booted], provider: OidcProvider
) -> None:
    for booted in services.values():  # every service has the current keys cached
        assert (await call(booted, provider.token("staff-es256"))).status_code == 200
    before = {name: b.app.state.oidc_verifier.fetches for name, b in services.items()}
    new_keys = provider.rotate()
    for client_id in ("staff-rs256", "staff-es256"):
        token = provider.token(client_id)
        header, _ = parts(token)
        assert header["kid"].startswith(new_keys.generation)
        for service, booted in services.items():
            count(AREA, "provider tokens tried")
            answer = await call(booted, token)
            assert answer.status_code == 200, (service, answer.text)
            count(AREA, "after rotation, let in")
    after = {name: b.app.state.oidc_verifier.fetches for name, b in services.items()}
    # one fetch of the key set per service for the new key ids, then the cache answers
    assert all(after[name] - before[name] in (1, 2) for name in services), (before, after)


# -- who acted ------------------------------------------------------------------------------


async def test_a_write_records_the_provider_subject_and_display_name(
    services: dict[str, Booted], provider: OidcProvider
) -> None:
    """The audit trail names the person by the token's ``sub`` and, beside it, its ``name``
    (else ``preferred_username``): the rubric set by two members of the secretariat."""
    evaluation = services["evaluation"]
    path = "/api/v1/rubrics/2031"
    default = await evaluation.client.get(path, headers=_bearer(provider.token("staff-named")))
    assert default.status_code == 200, default.text
    body = {k: default.json()[k] for k in ("title", "step", "criteria")}
    for client_id, title in (("staff-named", "Bộ tiêu chí 2031"), ("staff-username", "Bản sửa")):
        answer = await evaluation.client.put(
            path, json={**body, "title": title}, headers=_bearer(provider.token(client_id))
        )
        assert answer.status_code == 200, answer.text
    history = await evaluation.client.get(
        path + "/history", headers=_bearer(provider.token("staff-named"))
    )
    assert history.status_code == 200, history.text
    assert [(e["action"], e["actor"], e["actor_name"]) for e in history.json()] == [
        ("set", "staff-named", "Nguyễn Thị Lan"),
        ("set", "staff-username", "binh"),
    ]
    assert history.json()[1]["snapshot"]["title"] == "Bản sửa"
    count(AREA, "provider tokens tried", 2)
    count(AREA, "writes naming the person", 2)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
