"""Token tampering against a real, role-protected endpoint of every service: every forged,
expired or foreign token is answered 401 with a Bearer challenge, never let through."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from .conftest import AUTH, SERVICES, Booted, token
from .figures import count

pytestmark = pytest.mark.integration

# A GET that a secretariat token may call on each service (the control below checks it).
PROTECTED = {
    "intake": "/api/v1/initiatives",
    "scheduling": "/api/v1/roster",
    "evaluation": "/api/v1/campaigns/2023/ranking",
    "reporting": "/api/v1/campaigns",
    "notifications": "/api/v1/notifications",
    "replication": "/api/v1/decisions",
}
SECRET = AUTH.secret.get_secret_value()


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "iss": AUTH.issuer,
        "aud": AUTH.audience,
        "sub": "secretariat",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(hours=1),
        "jti": "security-suite",
        "role": "secretariat",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64json(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _payload(signed: str) -> dict[str, Any]:
    part = signed.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def _replace_payload(signed: str, **changes: Any) -> str:
    header, _, signature = signed.split(".")
    return ".".join([header, _b64json({**_payload(signed), **changes}), signature])


def forged_tokens() -> dict[str, str]:
    earlier = datetime.now(UTC) - timedelta(hours=3)
    valid = token("secretariat")
    submitter = token("agency_submitter")
    header, payload, _ = valid.split(".")
    return {
        "alg none (pyjwt)": jwt.encode(claims(), None, algorithm="none"),
        "alg none, signature kept": ".".join(
            [_b64json({"alg": "none", "typ": "JWT"}), payload, valid.split(".")[2]]
        ),
        "alg None, empty signature": ".".join(
            [_b64json({"alg": "None", "typ": "JWT"}), payload, ""]
        ),
        "alg HS512 with the same key": jwt.encode(claims(), SECRET + "x" * 64, "HS512"),
        "wrong key": jwt.encode(claims(), "another-secret-of-enough-length-0123456789", "HS256"),
        "expired": jwt.encode(
            claims(iat=earlier, nbf=earlier, exp=earlier + timedelta(hours=1)), SECRET, "HS256"
        ),
        "not yet valid": jwt.encode(
            claims(
                iat=datetime.now(UTC) + timedelta(hours=1),
                nbf=datetime.now(UTC) + timedelta(hours=1),
                exp=datetime.now(UTC) + timedelta(hours=2),
            ),
            SECRET,
            "HS256",
        ),
        "wrong audience": jwt.encode(claims(aud="another-platform"), SECRET, "HS256"),
        "wrong issuer": jwt.encode(claims(iss="someone-else"), SECRET, "HS256"),
        "no expiry": jwt.encode(claims(exp=None), SECRET, "HS256"),
        "no audience": jwt.encode(claims(aud=None), SECRET, "HS256"),
        "unknown role": jwt.encode(claims(role="superuser"), SECRET, "HS256"),
        "payload tampered after signing (exp extended)": _replace_payload(
            valid, exp=int((datetime.now(UTC) + timedelta(days=365)).timestamp())
        ),
        "role claim changed after signing": _replace_payload(submitter, role="secretariat"),
        "role changed, binding removed after signing": _replace_payload(
            submitter, role="admin", agency_code=None
        ),
        "header tampered after signing": ".".join(
            [_b64json({"alg": "HS256", "typ": "JWT", "kid": "x"}), payload, valid.split(".")[2]]
        ),
        "signature stripped": f"{header}.{payload}.",
        "truncated": valid[:-5],
        "garbage": "not.a.token",
        "oversized": "a" * 9000,
    }


FORGED = forged_tokens()


def _tally(status: int) -> None:
    count("tokens", "tampered or malformed tokens")
    count("tokens", "refused 401" if status == 401 else "let in" if status < 400 else "other")


@pytest.mark.parametrize("service", SERVICES)
async def test_a_genuine_token_is_let_in(booted: dict[str, Booted], service: str) -> None:
    answer = await booted[service].client.get(
        PROTECTED[service], headers={"Authorization": f"Bearer {token('secretariat')}"}
    )
    if answer.status_code == 200:
        count("tokens", "genuine, let in")
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("case", sorted(FORGED))
@pytest.mark.parametrize("service", SERVICES)
async def test_tampered_tokens_answer_401(
    booted: dict[str, Booted], service: str, case: str
) -> None:
    answer = await booted[service].client.get(
        PROTECTED[service], headers={"Authorization": f"Bearer {FORGED[case]}"}
    )
    _tally(answer.status_code)
    assert answer.status_code == 401, (case, answer.status_code, answer.text)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["detail"][0]["field"] == "Authorization"


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic c2VjcmV0YXJpYXQ6eA==", f"Token {token('admin')}"],
)
@pytest.mark.parametrize("service", SERVICES)
async def test_malformed_authorization_headers_answer_401(
    booted: dict[str, Booted], service: str, header: str
) -> None:
    answer = await booted[service].client.get(PROTECTED[service], headers={"Authorization": header})
    _tally(answer.status_code)
    assert answer.status_code == 401, (header[:20], answer.status_code)
