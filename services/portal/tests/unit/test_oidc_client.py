"""The relying party's checks of the provider's answer, with a provider that lies: the ID
token's nonce, audience, issuer and signature, and PKCE's challenge."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from cchc_portal.adapters.oidc import OidcClient, PendingSignIn, SignInFailed
from cchc_shared.auth.claims import ClaimSettings

ISSUER = "https://sso.example.gov.vn/realms/hcmc"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class LyingProvider:
    def __init__(self, **overrides: Any) -> None:
        self.overrides = overrides
        self.token_requests: list[dict[str, str]] = []

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": "cchc-portal",
            "sub": "can-bo-760",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "roles": ["agency_submitter"],
            "agency_code": "760",
            "name": "Trần Văn Minh",
        }
        claims.update(self.overrides.get("claims", {}))
        key = self.overrides.get("key", KEY)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/auth",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "end_session_endpoint": f"{ISSUER}/logout",
                },
            )
        if request.url.path.endswith("/jwks"):
            jwk = RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
            return httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.token_requests.append(form)
        return httpx.Response(
            200,
            json={
                "id_token": self.id_token(self.overrides.get("nonce", "the-nonce")),
                "access_token": "access-token",
                "expires_in": 300,
                "token_type": "Bearer",
            },
        )


def client_for(provider: LyingProvider) -> OidcClient:
    return OidcClient(
        issuer=ISSUER,
        client_id="cchc-portal",
        client_secret="s3cret",
        redirect_uri="https://cchc.example.gov.vn/auth/callback",
        scope="openid profile",
        audience="cchc",
        claims=ClaimSettings(),
        transport=httpx.MockTransport(provider.handle),
    )


PENDING = PendingSignIn(state="the-state", nonce="the-nonce", code_verifier="v" * 64)


async def test_an_honest_answer_is_a_session_and_the_exchange_proves_the_verifier() -> None:
    provider = LyingProvider()
    client = client_for(provider)
    url, pending = await client.begin("/agency")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    session = await client.finish(PENDING, "the-code", "the-state")
    assert session.roles == ("agency_submitter",) and session.agency_code == "760"
    assert session.name == "Trần Văn Minh" and session.access_token == "access-token"
    (sent,) = provider.token_requests
    assert sent["code_verifier"] == PENDING.code_verifier and sent["code"] == "the-code"
    assert sent["client_secret"] == "s3cret" and sent["resource"] == "cchc"
    await client.aclose()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"nonce": "another-sign-in"}, "nonce"),
        ({"claims": {"aud": "another-client"}}, "ID token"),
        ({"claims": {"iss": "https://evil.example"}}, "ID token"),
        ({"claims": {"exp": int(time.time()) - 3600}}, "ID token"),
        ({"key": OTHER_KEY}, "ID token"),
        ({"claims": {"roles": ["offline_access"]}}, "vai trò"),
    ],
    ids=["nonce", "audience", "issuer", "expired", "signature", "no-role"],
)
async def test_a_lying_answer_is_no_session(overrides: dict[str, Any], expected: str) -> None:
    client = client_for(LyingProvider(**overrides))
    with pytest.raises(SignInFailed) as refused:
        await client.finish(PENDING, "the-code", "the-state")
    assert expected in refused.value.message
    await client.aclose()


async def test_another_state_is_refused_before_any_exchange() -> None:
    provider = LyingProvider()
    client = client_for(provider)
    with pytest.raises(SignInFailed, match="state"):
        await client.finish(PENDING, "the-code", "forged-state")
    assert provider.token_requests == []
    await client.aclose()


def test_the_pending_sign_in_round_trips_as_json() -> None:
    assert PendingSignIn(**json.loads(json.dumps(PENDING.__dict__))) == PENDING
