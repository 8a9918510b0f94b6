"""OpenID provider tokens in the kit: roles and bindings from claims, the key-set cache and its
rate-limited refetch, the provider's discovery document, the start-up check. (Tokens of a real
provider against the services: tests/security/test_provider_tokens.py.)"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from cchc_shared.auth import AuthError, AuthSettings, Principal, Role
from cchc_shared.auth.claims import ClaimSettings, RoleRefused, claim_at, principal_from_claims
from cchc_shared.auth.oidc import OidcVerifier, ProviderUnavailable, is_oidc_issuer
from cchc_shared.auth.startup import StartupSettings, development_secret_refusal, is_loopback

ISSUER = "https://sso.example.gov.vn/realms/cchc"
AUTH = AuthSettings(issuer=ISSUER, audience="cchc-api", leeway=timedelta(seconds=5))


# -- roles and bindings ------------------------------------------------------------------


def test_the_roles_claim_is_a_dotted_path() -> None:
    claims = {"realm_access": {"roles": ["secretariat"]}, "https://x.example/roles": ["admin"]}
    assert claim_at(claims, "realm_access.roles") == ["secretariat"]
    assert claim_at(claims, "https://x.example/roles") == ["admin"]
    assert claim_at(claims, "resource_access.cchc.roles") is None
    settings = ClaimSettings(roles_claim="realm_access.roles")
    principal = principal_from_claims({"sub": "u1", **claims}, settings)
    assert principal.role is Role.SECRETARIAT


def test_the_mapping_and_the_union_of_roles() -> None:
    settings = ClaimSettings(
        roles_claim="groups",
        role_map={"cchc-viewer": "committee_viewer", "cchc-survey": "surveyor"},
        member_claim="attrs.member",
    )
    principal = principal_from_claims(
        {"sub": "u1", "groups": ["cchc-viewer", "cchc-survey", "admin"], "attrs": {"member": "m1"}},
        settings,
    )
    # the unmapped "admin" does not count once a mapping is set
    assert principal.roles == {Role.COMMITTEE_VIEWER, Role.SURVEYOR}
    assert principal.role is Role.COMMITTEE_VIEWER  # the more privileged
    assert principal.member_id == "m1" and principal.is_member("m1") and principal.can_read_all
    assert principal.has_role(Role.SURVEYOR) and not principal.is_staff


def test_a_space_separated_roles_claim_and_bindings_as_one_element_lists() -> None:
    settings = ClaimSettings(roles_claim="scope", agency_claim="agency")
    principal = principal_from_claims(
        {"sub": "u1", "scope": "openid agency_submitter", "agency": ["26740"]}, settings
    )
    assert principal.owns_agency("26740") and principal.member_id is None


def test_a_binding_of_a_role_not_held_is_ignored() -> None:
    principal = principal_from_claims(
        {"sub": "u1", "roles": ["secretariat"], "agency_code": "SNV", "member_id": "m1"},
        ClaimSettings(),
    )
    assert principal.agency_code is None and principal.member_id is None


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["viewer", "root"]}, "roles"),
        ({"roles": "secretariat-ish"}, "roles"),
        ({"roles": ["agency_submitter"]}, "agency_code"),
        ({"roles": ["agency_submitter"], "agency_code": "not a code!"}, "agency_code"),
        ({"roles": ["surveyor"], "agency_code": "SNV"}, "member_id"),
    ],
)
def test_no_known_role_or_a_missing_binding_is_refused_naming_it(
    claims: dict[str, Any], named: str
) -> None:
    with pytest.raises(RoleRefused) as caught:
        principal_from_claims({"sub": "u1", **claims}, ClaimSettings())
    assert named in caught.value.reason and named in caught.value.message_vi


def test_claim_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_AUTH_ROLES_CLAIM", "realm_access.roles")
    monkeypatch.setenv("CCHC_AUTH_ROLE_MAP", json.dumps({"cchc-admin": "admin"}))
    monkeypatch.setenv("CCHC_AUTH_JWKS_URL", "https://sso.example/certs")
    settings = ClaimSettings()
    assert settings.roles_claim == "realm_access.roles"
    assert settings.role_map == {"cchc-admin": Role.ADMIN}
    assert settings.jwks_url == "https://sso.example/certs"
    monkeypatch.setenv("CCHC_AUTH_ROLE_MAP", json.dumps({"x": "superuser"}))
    with pytest.raises(ValueError, match="role_map"):
        ClaimSettings()
    with pytest.raises(ValueError, match="dotted"):
        ClaimSettings(roles_claim="realm_access..roles")


def test_a_principal_with_several_roles_checks_every_binding() -> None:
    both = Principal(
        "u1",
        Role.SURVEYOR,
        agency_code="SNV",
        member_id="m1",
        roles=frozenset({Role.AGENCY_SUBMITTER, Role.SURVEYOR}),
    )
    assert both.owns_agency("SNV") and both.is_member("m1")
    with pytest.raises(ValueError, match="member id"):
        Principal("u1", Role.SECRETARIAT, roles=frozenset({Role.SURVEYOR}))
    with pytest.raises(ValueError, match="most privileged"):
        Principal("u1", Role.SURVEYOR, member_id="m1", roles=frozenset({Role.ADMIN}))
    assert Principal("u1", Role.ADMIN).roles == {Role.ADMIN}


# -- the key set -------------------------------------------------------------------------


class Provider:
    """A fake provider behind ``httpx.MockTransport``: its documents and the requests made."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.published = [self.jwk(self.rsa, "k1", "RS256"), self.jwk(self.ec, "k2", "ES256")]
        self.requests: list[str] = []
        self.issuer = ISSUER
        self.down = False

    @staticmethod
    def jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
        algorithm = RSAAlgorithm if alg.startswith("RS") else ECAlgorithm
        data: dict[str, Any] = algorithm.to_jwk(key.public_key(), as_dict=True)
        data.update(kid=kid, alg=alg, use="sig")
        return data

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.down:
            return httpx.Response(502)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200, json={"issuer": self.issuer, "jwks_uri": f"{ISSUER}/protocol/certs"}
            )
        return httpx.Response(200, json={"keys": self.published})

    def verifier(self, **settings: Any) -> OidcVerifier:
        return OidcVerifier(
            AUTH, ClaimSettings(**settings), transport=httpx.MockTransport(self.handle)
        )

    def token(self, key: Any, kid: str, alg: str = "RS256", **claims: Any) -> str:
        now = datetime.now(UTC)
        payload = {
            "iss": ISSUER,
            "aud": ["cchc-api", "account"],
            "sub": "user-1",
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "jti": f"t-{now.timestamp()}-{id(claims)}",
            "roles": ["secretariat"],
            **claims,
        }
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


async def test_discovery_then_the_key_set_then_the_cache() -> None:
    provider = Provider()
    verifier = provider.verifier()
    for _ in range(3):
        principal = await verifier.verify(provider.token(provider.rsa, "k1"))
        assert principal.role is Role.SECRETARIAT and principal.subject == "user-1"
    await verifier.verify(provider.token(provider.ec, "k2", "ES256"))
    assert provider.requests == [
        "/realms/cchc/.well-known/openid-configuration",
        "/realms/cchc/protocol/certs",
    ]


async def test_the_jwks_url_setting_skips_discovery() -> None:
    provider = Provider()
    verifier = provider.verifier(jwks_url="https://keys.example/jwks")
    await verifier.verify(provider.token(provider.rsa, "k1"))
    assert provider.requests == ["/jwks"]


async def test_an_unknown_kid_refetches_at_most_once_per_interval() -> None:
    provider = Provider()
    verifier = provider.verifier(jwks_min_refresh=timedelta(seconds=30))
    await verifier.verify(provider.token(provider.rsa, "k1"))
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    provider.published.insert(0, provider.jwk(new_key, "k3", "RS256"))
    # within the interval: a flood of unknown kids costs no fetch
    for _ in range(5):
        with pytest.raises(AuthError, match="unknown signing key"):
            await verifier.verify(provider.token(new_key, "k3"))
    assert verifier.fetches == 1
    # once the interval has passed, one fetch finds the rotated key
    verifier._fetched_at = (verifier._fetched_at or 0) - 31
    results = await asyncio.gather(
        *(verifier.verify(provider.token(new_key, "k3")) for _ in range(5))
    )
    assert all(p.role is Role.SECRETARIAT for p in results)
    assert verifier.fetches == 2


async def test_the_discovery_document_must_name_the_configured_issuer() -> None:
    provider = Provider()
    provider.issuer = "https://evil.example"
    with pytest.raises(ProviderUnavailable, match="issuer"):
        await provider.verifier().verify(provider.token(provider.rsa, "k1"))


async def test_an_unreachable_provider_keeps_the_cached_keys() -> None:
    provider = Provider()
    verifier = provider.verifier(jwks_max_age=timedelta(seconds=1))
    await verifier.verify(provider.token(provider.rsa, "k1"))
    provider.down = True
    verifier._fetched_at = (verifier._fetched_at or 0) - 2  # the cache is stale
    assert (await verifier.verify(provider.token(provider.rsa, "k1"))).role is Role.SECRETARIAT
    fresh = provider.verifier()
    with pytest.raises(ProviderUnavailable):
        await fresh.verify(provider.token(provider.rsa, "k1"))


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        ({"aud": "another-api"}, "audience"),
        ({"iss": "https://sso.example.gov.vn/realms/other"}, "issuer"),
        ({"exp": datetime.now(UTC) - timedelta(seconds=6)}, "expired"),
        ({"nbf": datetime.now(UTC) + timedelta(seconds=60)}, "not yet valid"),
        ({"sub": None}, "sub"),
    ],
)
async def test_registered_claims_are_checked(mutate: dict[str, Any], reason: str) -> None:
    provider = Provider()
    token = provider.token(provider.rsa, "k1", **mutate)
    if mutate.get("sub", "") is None:
        payload = jwt.decode(token, options={"verify_signature": False})
        del payload["sub"]
        token = jwt.encode(payload, provider.rsa, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(AuthError, match=reason):
        await provider.verifier().verify(token)


async def test_within_the_leeway_an_expired_token_still_passes() -> None:
    provider = Provider()
    token = provider.token(provider.rsa, "k1", exp=datetime.now(UTC) - timedelta(seconds=2))
    assert (await provider.verifier().verify(token)).role is Role.SECRETARIAT


async def test_the_algorithm_is_pinned_to_the_key() -> None:
    provider = Provider()
    verifier = provider.verifier()
    # an RSA key published for RS256 refuses RS384, and an EC key refuses RS256
    with pytest.raises(AuthError, match="RS256"):
        await verifier.verify(provider.token(provider.rsa, "k1", "RS384"))
    with pytest.raises(AuthError, match="key's type"):
        await verifier.verify(provider.token(provider.rsa, "k2", "RS256"))
    for alg in ("HS256", "none"):
        header = jwt.utils.base64url_encode(json.dumps({"alg": alg, "kid": "k1"}).encode())
        body = jwt.utils.base64url_encode(b'{"sub":"x"}')
        with pytest.raises(AuthError, match="not allowed"):
            await verifier.verify(f"{header.decode()}.{body.decode()}.c2ln")


async def test_a_symmetric_or_private_key_in_the_key_set_is_never_used() -> None:
    provider = Provider()
    provider.published = [
        {"kty": "oct", "kid": "k1", "k": "c2VjcmV0", "alg": "HS256"},
        {**provider.jwk(provider.rsa, "k4", "RS256"), "d": "leaked"},
    ]
    verifier = provider.verifier()
    with pytest.raises(AuthError, match="unknown signing key"):
        await verifier.verify(provider.token(provider.rsa, "k4"))


# -- which issuer, and the start-up check ------------------------------------------------


def test_an_issuer_url_means_an_openid_provider() -> None:
    assert is_oidc_issuer("https://sso.example/realms/cchc")
    assert is_oidc_issuer("http://keycloak:8080/realms/cchc")
    assert not is_oidc_issuer("cchc-dev")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("10.0.0.5", False), ("::", False), ("intake.local", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_development_secret_is_refused_beyond_loopback() -> None:
    development = AuthSettings()
    assert development_secret_refusal(development, "127.0.0.1") is None
    refusal = development_secret_refusal(development, "0.0.0.0", StartupSettings())
    assert refusal is not None and "CCHC_AUTH_SECRET" in refusal
    allowed = StartupSettings(development_secret_on_network=True)
    assert development_secret_refusal(development, "0.0.0.0", allowed) is None
    assert development_secret_refusal(AUTH, "0.0.0.0", StartupSettings()) is None
    own = AuthSettings(secret="a-real-secret-of-the-deployment-0123456789")
    assert development_secret_refusal(own, "0.0.0.0", StartupSettings()) is None


async def test_a_provider_that_is_down_is_not_asked_at_every_request() -> None:
    provider = Provider()
    provider.down = True
    verifier = provider.verifier()
    token = provider.token(provider.rsa, "k1")
    for _ in range(5):
        with pytest.raises(ProviderUnavailable):
            await verifier.verify(token)
    assert len(provider.requests) == 1
    provider.down = False
    verifier._failed_at = (verifier._failed_at or 0) - 2
    assert (await verifier.verify(token)).role is Role.SECRETARIAT


def test_a_service_does_not_start_beyond_loopback_with_the_development_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi import FastAPI

    from cchc_shared.auth import configure_auth
    from cchc_shared.chassis import main
    from cchc_shared.chassis.settings import ServiceSettings

    started: list[str] = []

    class RecordingServer:
        """In place of uvicorn's server: records where it would listen, serves nothing."""

        def __init__(self, config: Any) -> None:
            self.config = config
            self.started = False

        def run(self) -> None:
            started.append(self.config.host)
            self.started = True

    monkeypatch.setattr(main.uvicorn, "Server", RecordingServer)
    monkeypatch.setattr(main, "start_metrics_server", lambda settings: None)
    monkeypatch.setattr(main.signal, "signal", lambda *_: None)
    monkeypatch.delenv("CCHC_AUTH_DEVELOPMENT_SECRET_ON_NETWORK", raising=False)

    def app_factory(settings: ServiceSettings) -> FastAPI:
        app = FastAPI()
        configure_auth(app, AuthSettings())
        return app

    for host, code in (("0.0.0.0", 2), ("127.0.0.1", 0)):
        rc = main.service_main(
            ["serve"],
            settings_factory=lambda host=host: ServiceSettings(
                http_host=host, CCHC_DATA_DIR=str(tmp_path)
            ),
            app_factory=app_factory,
            migrations=tmp_path,
        )
        assert rc == code
    assert started == ["127.0.0.1"]
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err


async def test_provider_tokens_get_the_kits_lifetime_cap_and_need_a_jti() -> None:
    """Issue 21's limits hold in both modes: a provider token longer-lived than the maximum,
    or without a jti (which the revocation list needs), is refused 401."""
    provider = Provider()
    now = datetime.now(UTC)
    too_long = provider.token(provider.rsa, "k1", iat=now, exp=now + timedelta(days=30))
    with pytest.raises(AuthError) as refused:
        await provider.verifier().verify(too_long)
    assert refused.value.code == "lifetime"
    without_jti = jwt.decode(
        provider.token(provider.rsa, "k1"), options={"verify_signature": False}
    )
    del without_jti["jti"]
    token = jwt.encode(without_jti, provider.rsa, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(AuthError, match="jti"):
        await provider.verifier().verify(token)


def test_the_display_name_comes_from_name_then_preferred_username() -> None:
    settings = ClaimSettings()
    named = principal_from_claims(
        {"sub": "u1", "roles": ["admin"], "name": "Phạm Minh Châu", "preferred_username": "chau"},
        settings,
    )
    assert (named.subject, named.display_name) == ("u1", "Phạm Minh Châu")
    username = principal_from_claims(
        {"sub": "u2", "roles": ["admin"], "preferred_username": "chau"}, settings
    )
    assert username.display_name == "chau"
    assert principal_from_claims({"sub": "u3", "roles": ["admin"]}, settings).display_name is None
