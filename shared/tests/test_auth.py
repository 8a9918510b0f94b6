"""Bearer-token issue/verify, role bindings, refusals and the FastAPI dependencies."""

from __future__ import annotations

import base64
import json
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from pydantic import SecretStr, ValidationError

from cchc_shared.auth import (
    DEVELOPMENT_SECRET,
    AuthError,
    AuthSettings,
    CurrentPrincipal,
    Principal,
    Role,
    configure_auth,
    issue_token,
    require_roles,
    verify_token,
)

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"


@pytest.fixture
def settings() -> AuthSettings:
    return AuthSettings(secret=SecretStr(SECRET), issuer="cchc-test", audience="cchc")


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(settings: AuthSettings, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": "someone",
        "iat": now,
        "exp": now + timedelta(hours=1),
        "jti": "unit-test",
        "role": "secretariat",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _reason(settings: AuthSettings, token: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        verify_token(settings, token)
    return info.value


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    ("role", "agency", "member"),
    [
        (Role.AGENCY_SUBMITTER, "SNV", None),
        (Role.AGENCY_SUBMITTER, "760", None),
        (Role.AGENCY_SUBMITTER, "26740", None),
        (Role.SECRETARIAT, None, None),
        (Role.SURVEYOR, None, "m-001"),
        (Role.COMMITTEE_VIEWER, None, None),
        (Role.ADMIN, None, None),
    ],
)
def test_round_trip_per_role(
    settings: AuthSettings, role: Role, agency: str | None, member: str | None
) -> None:
    token = issue_token(settings, role, agency=agency, member=member)
    principal = verify_token(settings, token)
    assert principal.role is role
    assert principal.agency_code == agency
    assert principal.member_id == member
    assert principal.subject.startswith(role.value)


def test_role_given_as_string_and_explicit_subject(settings: AuthSettings) -> None:
    token = issue_token(settings, "admin", subject="nguyen.van.a@snv")
    assert verify_token(settings, token) == Principal("nguyen.van.a@snv", Role.ADMIN)


def test_token_claims(settings: AuthSettings) -> None:
    token = issue_token(settings, Role.SURVEYOR, member="m-7", lifetime=timedelta(minutes=5))
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="cchc")
    assert claims["iss"] == "cchc-test"
    assert claims["role"] == "surveyor"
    assert claims["member_id"] == "m-7"
    assert "agency_code" not in claims
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"]


def test_default_lifetime_from_settings() -> None:
    settings = AuthSettings(secret=SecretStr(SECRET), token_lifetime=timedelta(minutes=10))
    claims = jwt.decode(
        issue_token(settings, "admin"), SECRET, algorithms=["HS256"], audience="cchc"
    )
    assert claims["exp"] - claims["iat"] == 600


# --------------------------------------------------------------------------- bindings


@pytest.mark.parametrize(
    ("role", "agency", "member"),
    [
        (Role.AGENCY_SUBMITTER, None, None),  # needs an agency
        (Role.AGENCY_SUBMITTER, "not a code", None),
        (Role.AGENCY_SUBMITTER, "SNV", "m-1"),  # not bound to a member
        (Role.SURVEYOR, None, None),  # needs a member
        (Role.SURVEYOR, None, "bad id with spaces"),
        (Role.SURVEYOR, "SNV", "m-1"),  # not bound to an agency
        (Role.SECRETARIAT, "SNV", None),
        (Role.COMMITTEE_VIEWER, None, "m-1"),
        (Role.ADMIN, "760", None),
    ],
)
def test_binding_rules(
    settings: AuthSettings, role: Role, agency: str | None, member: str | None
) -> None:
    with pytest.raises(ValueError):
        issue_token(settings, role, agency=agency, member=member)


def test_unknown_role_cannot_be_issued(settings: AuthSettings) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        issue_token(settings, "superuser")


def test_non_positive_lifetime_refused(settings: AuthSettings) -> None:
    with pytest.raises(ValueError):
        issue_token(settings, "admin", lifetime=timedelta(0))


def test_principal_helpers() -> None:
    submitter = Principal("a", Role.AGENCY_SUBMITTER, agency_code="760")
    surveyor = Principal("s", Role.SURVEYOR, member_id="m-1")
    secretariat = Principal("x", Role.SECRETARIAT)
    admin = Principal("y", "admin")  # type: ignore[arg-type]
    viewer = Principal("v", Role.COMMITTEE_VIEWER)
    assert admin.role is Role.ADMIN
    assert secretariat.is_staff and admin.is_staff and admin.is_admin
    assert not submitter.is_staff and not surveyor.is_staff and not viewer.is_staff
    assert viewer.can_read_all and secretariat.can_read_all and not submitter.can_read_all
    assert submitter.owns_agency("760") and not submitter.owns_agency("761")
    assert not secretariat.owns_agency("760")
    assert surveyor.is_member("m-1") and not surveyor.is_member("m-2")
    assert surveyor.has_role("surveyor", Role.ADMIN) and not surveyor.has_role(Role.ADMIN)
    with pytest.raises(ValueError):
        Principal("z", "root")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Principal("z", Role.SURVEYOR)


# --------------------------------------------------------------------------- refusals


def test_alg_none_refused(settings: AuthSettings) -> None:
    claims = _claims(settings)
    claims["iat"] = int(claims["iat"].timestamp())
    claims["exp"] = int(claims["exp"].timestamp())
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert _reason(settings, token).code == "algorithm"
    # Also with a (meaningless) signature part and a differently-cased "None".
    token = f"{_b64({'alg': 'None', 'typ': 'JWT'})}.{_b64(claims)}.c2ln"
    assert _reason(settings, token).code == "algorithm"


def test_other_hmac_algorithm_refused(settings: AuthSettings) -> None:
    token = _sign(_claims(settings), algorithm="HS512")
    assert _reason(settings, token).code == "algorithm"


def test_wrong_key(settings: AuthSettings) -> None:
    token = _sign(_claims(settings), key="another-secret-that-is-long-enough-for-hs256!!")
    assert _reason(settings, token).code == "signature"


def test_token_from_other_settings_refused(settings: AuthSettings) -> None:
    token = issue_token(AuthSettings(issuer="cchc-test"), "admin")  # development secret
    assert _reason(settings, token).code == "signature"


def test_expired(settings: AuthSettings) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    token = _sign(_claims(settings, iat=past, exp=past + timedelta(hours=1)))
    error = _reason(settings, token)
    assert error.code == "expired"
    assert "hết hạn" in error.message


def test_expired_within_leeway_accepted(settings: AuthSettings) -> None:
    now = datetime.now(UTC)
    token = _sign(_claims(settings, iat=now - timedelta(minutes=5), exp=now - timedelta(seconds=5)))
    assert verify_token(settings, token).role is Role.SECRETARIAT


def test_issued_in_the_future(settings: AuthSettings) -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    token = _sign(_claims(settings, iat=future, exp=future + timedelta(hours=1)))
    assert _reason(settings, token).code == "not_yet_valid"


def test_wrong_audience(settings: AuthSettings) -> None:
    assert _reason(settings, _sign(_claims(settings, aud="other"))).code == "audience"


def test_wrong_issuer(settings: AuthSettings) -> None:
    assert _reason(settings, _sign(_claims(settings, iss="evil"))).code == "issuer"
    # A prefix/substring of the expected issuer is not the issuer.
    assert _reason(settings, _sign(_claims(settings, iss="cchc"))).code == "issuer"


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "role"])
def test_missing_claim(settings: AuthSettings, claim: str) -> None:
    claims = _claims(settings)
    del claims[claim]
    assert _reason(settings, _sign(claims)).code == "missing_claim"


def test_tampered_payload(settings: AuthSettings) -> None:
    token = issue_token(settings, Role.AGENCY_SUBMITTER, agency="760")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    del claims["agency_code"]
    assert _reason(settings, f"{header}.{_b64(claims)}.{signature}").code == "signature"


def test_unknown_role(settings: AuthSettings) -> None:
    assert _reason(settings, _sign(_claims(settings, role="superuser"))).code == "role"
    assert _reason(settings, _sign(_claims(settings, role=["admin"]))).code == "role"


def test_signed_token_with_bad_binding(settings: AuthSettings) -> None:
    token = _sign(_claims(settings, role="agency_submitter"))  # no agency_code
    assert _reason(settings, token).code == "binding"
    token = _sign(_claims(settings, role="secretariat", agency_code="SNV"))
    assert _reason(settings, token).code == "binding"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 9000, "éé.éé.éé"])
def test_malformed(settings: AuthSettings, token: str) -> None:
    assert _reason(settings, token).code in {"malformed", "invalid"}


def test_error_messages_are_bilingual_and_nfc(settings: AuthSettings) -> None:
    error = _reason(settings, _sign(_claims(settings, aud="other")))
    vi, en = error.message.split(" / ", 1)
    assert vi == unicodedata.normalize("NFC", vi) and "không" in vi
    assert "audience" in en


# --------------------------------------------------------------------------- settings


def test_settings_defaults() -> None:
    settings = AuthSettings()
    assert settings.algorithm == "HS256"
    assert settings.issuer == "cchc-dev"
    assert settings.audience == "cchc"
    assert settings.uses_development_secret
    assert "DEVELOPMENT" in DEVELOPMENT_SECRET
    verify_token(settings, issue_token(settings, "admin"))


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_AUTH_SECRET", SECRET)
    monkeypatch.setenv("CCHC_AUTH_ISSUER", "snv-hcm")
    monkeypatch.setenv("CCHC_AUTH_ALGORITHM", "hs512")
    monkeypatch.setenv("CCHC_AUTH_TOKEN_LIFETIME", "PT1H")
    settings = AuthSettings()
    assert settings.algorithm == "HS512"
    assert settings.issuer == "snv-hcm"
    assert settings.token_lifetime == timedelta(hours=1)
    assert not settings.uses_development_secret
    token = issue_token(settings, "secretariat")
    assert jwt.get_unverified_header(token)["alg"] == "HS512"
    assert verify_token(settings, token).role is Role.SECRETARIAT


@pytest.mark.parametrize("algorithm", ["none", "None", "ES256", "PS256", "HS1"])
def test_algorithm_setting_restricted(algorithm: str) -> None:
    with pytest.raises(ValidationError):
        AuthSettings(algorithm=algorithm)


def test_short_secret_refused() -> None:
    with pytest.raises(ValidationError, match="at least"):
        AuthSettings(secret=SecretStr("short"))
    with pytest.raises(ValidationError, match="at least 64"):
        AuthSettings(secret=SecretStr("x" * 40), algorithm="HS512")


def test_rs256_needs_public_key() -> None:
    with pytest.raises(ValidationError, match="PUBLIC_KEY"):
        AuthSettings(algorithm="RS256")


# --------------------------------------------------------------------------- FastAPI


@pytest.fixture
def app(settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    configure_auth(app, settings)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"role": principal.role.value, "agency_code": principal.agency_code}

    @app.post("/rounds")
    async def plan_round(
        principal: Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))],
    ) -> dict[str, str]:
        return {"by": principal.subject}

    return app


async def _call(
    app: FastAPI, method: str, path: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path, headers=headers)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_http_valid_token(app: FastAPI, settings: AuthSettings) -> None:
    token = issue_token(settings, Role.AGENCY_SUBMITTER, agency="760")
    response = await _call(app, "GET", "/me", _bearer(token))
    assert response.status_code == 200
    assert response.json() == {"role": "agency_submitter", "agency_code": "760"}


async def test_http_missing_token(app: FastAPI) -> None:
    response = await _call(app, "GET", "/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in response.headers["WWW-Authenticate"]
    [detail] = response.json()["detail"]
    assert detail["field"] == "Authorization"
    assert "Thiếu mã xác thực" in detail["message"] and "missing" in detail["message_en"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
)
async def test_http_invalid_token(app: FastAPI, headers: dict[str, str]) -> None:
    response = await _call(app, "GET", "/me", headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    [detail] = response.json()["detail"]
    assert detail["field"] == "Authorization"
    assert detail["message"] and detail["message_en"]


async def test_http_expired_token(app: FastAPI, settings: AuthSettings) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    token = _sign(_claims(settings, iat=past, exp=past + timedelta(hours=1)))
    response = await _call(app, "GET", "/me", _bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "expired" in response.headers["WWW-Authenticate"]
    assert "Mã xác thực đã hết hạn" in response.json()["detail"][0]["message"]


async def test_http_token_for_other_key(app: FastAPI) -> None:
    token = issue_token(AuthSettings(issuer="cchc-test"), "admin")
    response = await _call(app, "POST", "/rounds", _bearer(token))
    assert response.status_code == 401


async def test_http_forbidden_role(app: FastAPI, settings: AuthSettings) -> None:
    token = issue_token(settings, Role.SURVEYOR, member="m-1")
    response = await _call(app, "POST", "/rounds", _bearer(token))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    [detail] = response.json()["detail"]
    assert detail["field"] == "Authorization"
    assert "không có quyền" in detail["message"] and "not allowed" in detail["message_en"]


async def test_http_allowed_roles(app: FastAPI, settings: AuthSettings) -> None:
    for role in (Role.SECRETARIAT, Role.ADMIN):
        response = await _call(app, "POST", "/rounds", _bearer(issue_token(settings, role)))
        assert response.status_code == 200
        assert response.json() == {"by": role.value}
    response = await _call(app, "POST", "/rounds")
    assert response.status_code == 401  # no token: 401 before the role check


async def test_openapi_declares_bearer_scheme(app: FastAPI) -> None:
    response = await _call(app, "GET", "/openapi.json")
    schemes = response.json()["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }


async def test_missing_settings_is_a_configuration_error() -> None:
    app = FastAPI()

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> str:
        return principal.subject

    with pytest.raises(RuntimeError, match="configure_auth"):
        await _call(app, "GET", "/me")


def test_require_roles_rejects_unknown_role_names() -> None:
    with pytest.raises(ValueError):
        require_roles("superuser")
    with pytest.raises(ValueError):
        require_roles()


# ------------------------------------------------------------- lifetime, jti, revocation


def test_a_token_without_jti_is_refused_naming_the_claim(settings: AuthSettings) -> None:
    error = _reason(settings, _sign(_claims(settings, jti=None)))
    assert error.code == "missing_claim"
    assert "jti" in error.message_vi and "jti" in error.reason


@pytest.mark.parametrize("jti", ["", 7, "x" * 201])
def test_a_jti_that_is_not_a_short_string_is_refused(settings: AuthSettings, jti: Any) -> None:
    error = _reason(settings, _sign(_claims(settings, jti=jti)))
    assert error.code in {"malformed", "missing_claim", "invalid"}


def test_a_token_without_iat_is_refused(settings: AuthSettings) -> None:
    assert _reason(settings, _sign(_claims(settings, iat=None))).code == "missing_claim"


def test_a_token_longer_than_the_maximum_lifetime_is_refused(settings: AuthSettings) -> None:
    now = datetime.now(UTC)
    token = _sign(_claims(settings, iat=now, exp=now + timedelta(hours=12, seconds=1)))
    error = _reason(settings, token)
    assert error.code == "lifetime"
    assert "exp - iat" in error.message_vi
    year_9999 = _sign(_claims(settings, iat=now, exp=datetime(9999, 12, 31, tzinfo=UTC)))
    assert _reason(settings, year_9999).code == "lifetime"
    # exactly the maximum is accepted
    verify_token(settings, _sign(_claims(settings, iat=now, exp=now + timedelta(hours=12))))


def test_the_maximum_lifetime_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_AUTH_MAX_TOKEN_LIFETIME", "PT1H")
    monkeypatch.setenv("CCHC_AUTH_TOKEN_LIFETIME", "PT30M")
    settings = AuthSettings(secret=SecretStr(SECRET))
    assert settings.max_token_lifetime == timedelta(hours=1)
    now = datetime.now(UTC)
    token = _sign(_claims(settings, iat=now, exp=now + timedelta(hours=2)))
    assert _reason(settings, token).code == "lifetime"
    with pytest.raises(ValidationError, match="MAX_TOKEN_LIFETIME"):
        AuthSettings(secret=SecretStr(SECRET), token_lifetime=timedelta(hours=2))


def test_issue_token_cannot_exceed_the_maximum(settings: AuthSettings) -> None:
    with pytest.raises(ValueError, match="exceeds the maximum"):
        issue_token(settings, "admin", lifetime=timedelta(hours=13))
    token = issue_token(settings, "admin", lifetime=timedelta(hours=12))
    assert verify_token(settings, token).role is Role.ADMIN


def test_nbf_in_the_future_is_refused(settings: AuthSettings) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert _reason(settings, _sign(_claims(settings, nbf=later))).code == "not_yet_valid"


def _revoking(tmp_path: Any, settings: AuthSettings, data: Any) -> AuthSettings:
    path = tmp_path / "revocations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return settings.model_copy(update={"revocations": path})


def test_a_revoked_jti_is_refused(settings: AuthSettings, tmp_path: Any) -> None:
    revoked = _revoking(tmp_path, settings, {"jti": ["gone"]})
    error = _reason(revoked, _sign(_claims(settings, jti="gone")))
    assert error.code == "revoked"
    assert "gone" in error.message_vi
    verify_token(revoked, _sign(_claims(settings, jti="kept")))


def test_a_subject_revoked_since_a_time_is_refused_for_earlier_tokens(
    settings: AuthSettings, tmp_path: Any
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    revoked = _revoking(
        tmp_path, settings, {"subjects": {"someone": (now - timedelta(minutes=1)).isoformat()}}
    )
    earlier = now - timedelta(minutes=5)
    error = _reason(
        revoked, _sign(_claims(settings, iat=earlier, exp=earlier + timedelta(hours=1)))
    )
    assert error.code == "revoked"
    assert "someone" in error.message_vi
    verify_token(revoked, _sign(_claims(settings, iat=now)))  # issued after the revocation
    verify_token(revoked, _sign(_claims(settings, sub="another", iat=earlier)))


def test_the_revocation_file_is_re_read_when_it_changes(
    settings: AuthSettings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cchc_shared.auth import revocation

    monkeypatch.setattr(revocation, "_CHECK_INTERVAL", 0.0)
    revoked = _revoking(tmp_path, settings, {"jti": []})
    token = _sign(_claims(settings, jti="later-revoked"))
    verify_token(revoked, token)
    assert revoked.revocations is not None
    revoked.revocations.write_text(json.dumps({"jti": ["later-revoked", "x"]}), encoding="utf-8")
    assert _reason(revoked, token).code == "revoked"
    # a broken edit keeps the last list that was read
    revoked.revocations.write_text("{not json", encoding="utf-8")
    assert _reason(revoked, token).code == "revoked"


@pytest.mark.parametrize(
    "content",
    ["[1, 2]", '{"jti": "one"}', '{"subjects": {"x": "yesterday"}}', '{"other": []}', "{"],
)
def test_an_unreadable_revocation_list_refuses_every_token(
    settings: AuthSettings, tmp_path: Any, content: str
) -> None:
    path = tmp_path / "revocations.json"
    path.write_text(content, encoding="utf-8")
    broken = settings.model_copy(update={"revocations": path})
    assert _reason(broken, _sign(_claims(settings))).code == "revocations_unavailable"
    missing = settings.model_copy(update={"revocations": tmp_path / "absent.json"})
    assert _reason(missing, _sign(_claims(settings))).code == "revocations_unavailable"


# -- who acted: the display name -----------------------------------------------------------


def test_a_development_token_carries_the_display_name(settings: AuthSettings) -> None:
    token = issue_token(settings, Role.SECRETARIAT, subject="snv.lan", name="Nguyễn Thị Lan")
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="cchc")["name"] == (
        "Nguyễn Thị Lan"
    )
    principal = verify_token(settings, token)
    assert (principal.subject, principal.display_name) == ("snv.lan", "Nguyễn Thị Lan")
    assert verify_token(settings, issue_token(settings, Role.ADMIN)).display_name is None


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"name": "Trần Văn Bình", "preferred_username": "binh"}, "Trần Văn Bình"),
        ({"preferred_username": "binh.tv"}, "binh.tv"),
        ({"name": "   ", "preferred_username": "binh.tv"}, "binh.tv"),
        ({"name": 7, "preferred_username": ["x"]}, None),
        ({}, None),
        # decomposed diacritics, a zero-width space, a bidi override, a line break and a tab
        ({"name": unicodedata.normalize("NFD", "Lê\u200b Thị\u202e\nHoa\t")}, "Lê Thị Hoa"),
        ({"name": "Ａｎ"}, "An"),  # fullwidth letters, as they look
        ({"name": "x" * 300}, "x" * 200),
    ],
)
def test_the_display_name_is_made_safe_not_refused(
    claims: dict[str, Any], expected: str | None
) -> None:
    from cchc_shared.auth.principal import display_name_from

    assert display_name_from(claims) == expected
    if expected is not None:
        assert unicodedata.is_normalized("NFC", expected)


def test_a_principal_refuses_an_unclean_display_name() -> None:
    with pytest.raises(ValueError, match="display_name"):
        Principal("u1", Role.ADMIN, display_name="Lan\nHoa")
    with pytest.raises(ValueError, match="display_name"):
        Principal("u1", Role.ADMIN, display_name="")
    assert Principal("u1", Role.ADMIN, display_name="Lan Hoa").display_name == "Lan Hoa"
