"""Bearer-token (JWT) authentication and role checks shared by every service.

Roles are named the same in every service and token (see DESIGN.md, "Least privilege"):

* ``agency_submitter`` — staff of one agency, bound to its ``agency_code``;
* ``secretariat`` — the PAR office of the Department of Home Affairs (Phòng CCHC, Sở Nội vụ);
* ``surveyor`` — a survey-team member, bound to one ``member_id``;
* ``committee_viewer`` — the City People's Committee (read-only);
* ``admin`` — platform administrators.

Tokens are signed JWTs carrying ``iss``, ``aud``, ``sub``, ``iat``, ``nbf``, ``exp``, ``jti``,
``role`` and, for bound roles, ``agency_code`` or ``member_id``. Verification pins the
algorithm list to the single configured algorithm (never ``none``) and requires every one
of those registered claims.

Service bootstrap (once per service)::

    from cchc_shared.auth import AuthSettings, configure_auth

    app = FastAPI(...)
    configure_auth(app, AuthSettings())  # sets app.state.auth_settings

Route usage::

    from cchc_shared.auth import CurrentPrincipal, Principal, Role, require_roles

    @app.get("/api/v1/initiatives")
    async def list_initiatives(principal: CurrentPrincipal) -> ...: ...

    @app.post("/api/v1/rounds")
    async def plan_round(
        principal: Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))],
    ) -> ...: ...

A missing or invalid token is answered ``401`` with ``WWW-Authenticate: Bearer ...`` and a body
``{"detail": [{"field": "Authorization", "message": "<tiếng Việt>", "message_en": "<English>"}]}``;
a valid
token whose role is not allowed is answered ``403`` with the same body shape.

Development tokens: ``cchc token --role ROLE [--agency CODE] [--member ID]`` (see
:func:`main_token`). Settings come from ``CCHC_AUTH_*`` environment variables
(:class:`AuthSettings`); the default secret is for development only.
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal

import jwt
from fastapi import Depends, FastAPI, HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cchc_shared.contracts.events import AGENCY_CODE_PATTERN
from cchc_shared.contracts.vocabulary import Role as Role  # defined once, in the contracts

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEVELOPMENT_SECRET",
    "AuthError",
    "AuthSettings",
    "CurrentPrincipal",
    "Principal",
    "Role",
    "configure_auth",
    "current_principal",
    "get_auth_settings",
    "issue_token",
    "main_token",
    "require_roles",
    "verify_token",
]


STAFF_ROLES: Final[frozenset[Role]] = frozenset({Role.SECRETARIAT, Role.ADMIN})

_AGENCY_CODE_RE: Final = re.compile(AGENCY_CODE_PATTERN)
# Same rule as ``MemberId`` in cchc_shared.contracts.events.
_MEMBER_ID_RE: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SUBJECT_RE: Final = re.compile(r"^[^\x00-\x20\x7f-\x9f]{1,200}$")

ALLOWED_ALGORITHMS: Final[tuple[str, ...]] = ("HS256", "HS384", "HS512", "RS256")
_HMAC_MIN_KEY_BYTES: Final[dict[str, int]] = {"HS256": 32, "HS384": 48, "HS512": 64}
_MAX_TOKEN_LENGTH: Final = 8192
_REQUIRED_CLAIMS: Final[tuple[str, ...]] = ("iss", "aud", "sub", "iat", "exp", "role")

DEVELOPMENT_SECRET: Final = (
    "cchc-DEVELOPMENT-ONLY-secret--DO-NOT-USE-IN-PRODUCTION--set-CCHC_AUTH_SECRET"
)


# --------------------------------------------------------------------------------------
# Errors


# code -> (Vietnamese, English) message for the 401 body
_ERROR_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "missing": (
        "Thiếu mã xác thực (Authorization: Bearer <token>)",
        "missing bearer token (Authorization: Bearer <token>)",
    ),
    "malformed": ("Mã xác thực sai định dạng", "malformed token"),
    "algorithm": ("Thuật toán ký không được chấp nhận", "signing algorithm not allowed"),
    "signature": ("Chữ ký của mã xác thực không hợp lệ", "invalid token signature"),
    "expired": ("Mã xác thực đã hết hạn", "token has expired"),
    "not_yet_valid": ("Mã xác thực chưa có hiệu lực", "token is not yet valid"),
    "audience": ("Mã xác thực không dành cho hệ thống này (aud)", "wrong token audience"),
    "issuer": ("Nơi cấp mã xác thực không được chấp nhận (iss)", "wrong token issuer"),
    "missing_claim": ("Mã xác thực thiếu thông tin bắt buộc", "token lacks a required claim"),
    "role": ("Vai trò trong mã xác thực không hợp lệ", "unknown role in token"),
    "binding": (
        "Ràng buộc cơ quan/thành viên của vai trò không hợp lệ",
        "invalid agency/member binding for the role",
    ),
    "invalid": ("Mã xác thực không hợp lệ", "invalid token"),
}


class AuthError(Exception):
    """A token was refused. ``reason`` is a precise English explanation (safe to log),
    ``code`` a stable machine-readable key (``expired``, ``signature``, ``algorithm`` ...)."""

    def __init__(self, reason: str, *, code: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code if code in _ERROR_MESSAGES else "invalid"

    @property
    def message_vi(self) -> str:
        return _ERROR_MESSAGES[self.code][0]

    @property
    def message(self) -> str:
        """Bilingual user-facing message: ``<tiếng Việt> / <English>``."""
        return f"{self.message_vi} / {self.reason}"

    def __repr__(self) -> str:
        return f"AuthError({self.reason!r}, code={self.code!r})"


# --------------------------------------------------------------------------------------
# Principal


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller. Bindings are checked on construction:
    ``agency_submitter`` has exactly an ``agency_code``, ``surveyor`` exactly a ``member_id``,
    the other roles neither."""

    subject: str
    role: Role
    agency_code: str | None = None
    member_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            try:
                object.__setattr__(self, "role", Role(self.role))
            except ValueError:
                raise ValueError(f"unknown role {self.role!r}") from None
        _check_binding(self.role, self.agency_code, self.member_id)
        if not isinstance(self.subject, str) or not _SUBJECT_RE.fullmatch(self.subject):
            raise ValueError("subject must be 1-200 visible characters without spaces")

    @property
    def is_staff(self) -> bool:
        """Secretariat (Phòng CCHC, Sở Nội vụ) or admin: may see and manage everything."""
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_agency_submitter(self) -> bool:
        return self.role is Role.AGENCY_SUBMITTER

    @property
    def is_surveyor(self) -> bool:
        return self.role is Role.SURVEYOR

    @property
    def is_committee_viewer(self) -> bool:
        return self.role is Role.COMMITTEE_VIEWER

    @property
    def can_read_all(self) -> bool:
        """Staff and the People's Committee may read every agency's data."""
        return self.is_staff or self.role is Role.COMMITTEE_VIEWER

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    def owns_agency(self, agency_code: str) -> bool:
        """True for an ``agency_submitter`` bound to exactly this agency."""
        return self.role is Role.AGENCY_SUBMITTER and self.agency_code == agency_code

    def is_member(self, member_id: str) -> bool:
        """True for a ``surveyor`` bound to exactly this member id."""
        return self.role is Role.SURVEYOR and self.member_id == member_id


def _check_binding(role: Role, agency_code: str | None, member_id: str | None) -> None:
    if role is Role.AGENCY_SUBMITTER:
        if not agency_code:
            raise ValueError(
                "role agency_submitter needs an agency code "
                "(vai trò agency_submitter cần mã cơ quan)"
            )
        if not _AGENCY_CODE_RE.fullmatch(agency_code):
            raise ValueError(
                f"invalid agency code {agency_code!r}: expected a short code such as SNV, "
                "a 3-digit district or a 5-digit ward statistics code "
                "(mã cơ quan không hợp lệ)"
            )
    elif agency_code is not None:
        raise ValueError(
            f"role {role.value} is not bound to an agency "
            f"(vai trò {role.value} không gắn với cơ quan)"
        )
    if role is Role.SURVEYOR:
        if not member_id:
            raise ValueError("role surveyor needs a member id (vai trò surveyor cần mã thành viên)")
        if not _MEMBER_ID_RE.fullmatch(member_id):
            raise ValueError(
                f"invalid member id {member_id!r}: 1-64 characters of A-Z a-z 0-9 . _ - "
                "(mã thành viên không hợp lệ)"
            )
    elif member_id is not None:
        raise ValueError(
            f"role {role.value} is not bound to a member "
            f"(vai trò {role.value} không gắn với thành viên tổ khảo sát)"
        )


# --------------------------------------------------------------------------------------
# Settings


class AuthSettings(BaseSettings):
    """Token settings, from ``CCHC_AUTH_*`` environment variables.

    * ``CCHC_AUTH_SECRET`` — HMAC secret (HS*), or the PEM private key for RS256 (needed only
      where tokens are issued). The default is a development secret: never use it in production
      (see :attr:`uses_development_secret`).
    * ``CCHC_AUTH_PUBLIC_KEY`` — PEM public key, required for RS256 verification.
    * ``CCHC_AUTH_ISSUER`` (``cchc-dev``), ``CCHC_AUTH_AUDIENCE`` (``cchc``).
    * ``CCHC_AUTH_ALGORITHM`` — ``HS256`` (default), ``HS384``, ``HS512`` or ``RS256``; nothing
      else (in particular never ``none``). RS256 needs ``pyjwt[crypto]``.
    * ``CCHC_AUTH_TOKEN_LIFETIME`` — default lifetime of issued tokens, seconds or ISO 8601
      duration (``PT8H``); ``CCHC_AUTH_LEEWAY`` — clock-skew allowance (30 s).
    """

    model_config = SettingsConfigDict(env_prefix="CCHC_AUTH_", frozen=True, extra="ignore")

    secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    public_key: SecretStr | None = None
    issuer: str = "cchc-dev"
    audience: str = "cchc"
    algorithm: Literal["HS256", "HS384", "HS512", "RS256"] = "HS256"
    token_lifetime: timedelta = timedelta(hours=8)
    leeway: timedelta = timedelta(seconds=30)

    @field_validator("algorithm", mode="before")
    @classmethod
    def _upper_algorithm(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("issuer", "audience")
    @classmethod
    def _non_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @field_validator("token_lifetime")
    @classmethod
    def _positive_lifetime(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("token lifetime must be positive")
        return value

    @field_validator("leeway")
    @classmethod
    def _non_negative_leeway(cls, value: timedelta) -> timedelta:
        if value < timedelta(0) or value > timedelta(minutes=10):
            raise ValueError("leeway must be between 0 and 10 minutes")
        return value

    @model_validator(mode="after")
    def _check_key(self) -> AuthSettings:
        minimum = _HMAC_MIN_KEY_BYTES.get(self.algorithm)
        if minimum is not None:
            length = len(self.secret.get_secret_value().encode())
            if length < minimum:
                raise ValueError(
                    f"CCHC_AUTH_SECRET is {length} bytes; {self.algorithm} needs at least "
                    f"{minimum} bytes (RFC 7518 §3.2)"
                )
        elif self.public_key is None:
            raise ValueError(f"{self.algorithm} needs CCHC_AUTH_PUBLIC_KEY (PEM) to verify tokens")
        return self

    @property
    def uses_development_secret(self) -> bool:
        """True while the built-in development secret is in use (log a warning, or refuse to
        start, in production)."""
        return self.secret.get_secret_value() == DEVELOPMENT_SECRET

    def _verification_key(self) -> str:
        if self.algorithm.startswith("HS"):
            return self.secret.get_secret_value()
        assert self.public_key is not None  # checked by _check_key
        return self.public_key.get_secret_value()


# --------------------------------------------------------------------------------------
# Issue and verify


def issue_token(
    settings: AuthSettings,
    role: Role | str,
    agency: str | None = None,
    member: str | None = None,
    subject: str | None = None,
    lifetime: timedelta | None = None,
) -> str:
    """Sign a token for ``role``. ``agency_submitter`` needs ``agency`` (an agency code),
    ``surveyor`` needs ``member`` (a member id); other roles take neither. ``subject``
    defaults to ``<role>:<agency|member>`` or ``<role>``; ``lifetime`` to the settings'.

    Raises ``ValueError`` (bilingual message) for an invalid role, binding or lifetime.
    """
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValueError(
            f"unknown role {role!r}; expected one of {allowed} "
            f"(vai trò không hợp lệ; chọn một trong {allowed})"
        ) from None
    if subject is None:
        subject = f"{role.value}:{agency or member}" if (agency or member) else role.value
    principal = Principal(subject=subject, role=role, agency_code=agency, member_id=member)
    lifetime = settings.token_lifetime if lifetime is None else lifetime
    if lifetime <= timedelta(0):
        raise ValueError("token lifetime must be positive (thời hạn phải dương)")

    now = datetime.now(UTC).replace(microsecond=0)
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": principal.subject,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "role": principal.role.value,
    }
    if principal.agency_code is not None:
        claims["agency_code"] = principal.agency_code
    if principal.member_id is not None:
        claims["member_id"] = principal.member_id
    try:
        return jwt.encode(claims, settings.secret.get_secret_value(), algorithm=settings.algorithm)
    except (NotImplementedError, jwt.PyJWTError, ValueError, TypeError) as exc:
        raise ValueError(
            f"cannot sign a {settings.algorithm} token with CCHC_AUTH_SECRET: {exc}"
        ) from exc


def verify_token(settings: AuthSettings, token: str) -> Principal:
    """Check a token's signature (only the configured algorithm), ``iss``, ``aud``, ``exp``,
    ``iat``/``nbf`` and role claims, and return its :class:`Principal`.

    Raises :class:`AuthError` on any failure.
    """
    if not isinstance(token, str) or not token:
        raise AuthError("empty token", code="malformed")
    if len(token) > _MAX_TOKEN_LENGTH:
        raise AuthError(f"token longer than {_MAX_TOKEN_LENGTH} characters", code="malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthError(f"malformed token: {exc}", code="malformed") from None
    if header.get("alg") != settings.algorithm:
        raise AuthError(
            f"signing algorithm {header.get('alg')!r} not allowed; expected {settings.algorithm}",
            code="algorithm",
        )
    try:
        claims = jwt.decode(
            token,
            settings._verification_key(),
            algorithms=[settings.algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway,
            options={
                "require": list(_REQUIRED_CLAIMS),
                "verify_signature": True,
                "verify_exp": True,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_aud": True,
                "verify_iss": True,
                "enforce_minimum_key_length": True,
            },
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("token has expired", code="expired") from None
    except jwt.ImmatureSignatureError:
        raise AuthError(
            "token is not yet valid (iat/nbf in the future)", code="not_yet_valid"
        ) from None
    except jwt.InvalidAudienceError:
        raise AuthError(
            f"wrong audience; expected {settings.audience!r}", code="audience"
        ) from None
    except jwt.InvalidIssuerError:
        raise AuthError(f"wrong issuer; expected {settings.issuer!r}", code="issuer") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"missing required claim {exc.claim!r}", code="missing_claim") from None
    except jwt.InvalidAlgorithmError:
        raise AuthError("signing algorithm not allowed", code="algorithm") from None
    except jwt.InvalidSignatureError:
        raise AuthError("signature verification failed", code="signature") from None
    except jwt.DecodeError as exc:
        raise AuthError(f"malformed token: {exc}", code="malformed") from None
    except (jwt.PyJWTError, NotImplementedError, ValueError, TypeError) as exc:
        raise AuthError(f"invalid token: {exc}", code="invalid") from None

    # Belt and braces: exact iss/aud comparisons regardless of library behaviour.
    if claims.get("iss") != settings.issuer:
        raise AuthError(f"wrong issuer; expected {settings.issuer!r}", code="issuer")
    aud = claims.get("aud")
    if not (aud == settings.audience or (isinstance(aud, list) and settings.audience in aud)):
        raise AuthError(f"wrong audience; expected {settings.audience!r}", code="audience")

    raw_role = claims.get("role")
    if not isinstance(raw_role, str) or raw_role not in {r.value for r in Role}:
        raise AuthError(f"unknown role {raw_role!r}", code="role")
    agency_code = claims.get("agency_code")
    member_id = claims.get("member_id")
    subject = claims.get("sub")
    if not isinstance(agency_code, str | None) or not isinstance(member_id, str | None):
        raise AuthError("agency_code and member_id must be strings", code="binding")
    if not isinstance(subject, str):
        raise AuthError("sub must be a string", code="malformed")
    try:
        return Principal(
            subject=subject, role=Role(raw_role), agency_code=agency_code, member_id=member_id
        )
    except ValueError as exc:
        raise AuthError(str(exc), code="binding") from None


# --------------------------------------------------------------------------------------
# FastAPI integration

_bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="Bearer JWT; development tokens: `cchc token --role ROLE [--agency CODE] "
    "[--member ID]`",
)


def configure_auth(app: FastAPI, settings: AuthSettings | None = None) -> AuthSettings:
    """Store the service's :class:`AuthSettings` on ``app.state.auth_settings`` (call once in
    the service bootstrap; ``None`` reads them from the environment)."""
    settings = settings if settings is not None else AuthSettings()
    app.state.auth_settings = settings
    return settings


def get_auth_settings(request: Request) -> AuthSettings:
    """Dependency: the settings the service bootstrap stored on ``app.state.auth_settings``."""
    settings = getattr(request.app.state, "auth_settings", None)
    if not isinstance(settings, AuthSettings):
        raise RuntimeError(
            "app.state.auth_settings is not set: call cchc_shared.auth.configure_auth(app, "
            "settings) in the service bootstrap"
        )
    return settings


def _www_authenticate(realm: str, error: str | None = None, description: str | None = None) -> str:
    value = f'Bearer realm="{_header_safe(realm)}"'
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{_header_safe(description)}"'
    return value


def _header_safe(text: str) -> str:
    # RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
    return "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "?" for ch in text)[:200]


def _unauthorized(settings: AuthSettings, error: AuthError | None) -> HTTPException:
    if error is None:
        vi, en = _ERROR_MESSAGES["missing"]
        header = _www_authenticate(settings.audience)
    else:
        vi, en = error.message_vi, error.reason
        header = _www_authenticate(settings.audience, "invalid_token", error.reason)
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=[{"field": "Authorization", "message": vi, "message_en": en}],
        headers={"WWW-Authenticate": header},
    )


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)],
    settings: Annotated[AuthSettings, Depends(get_auth_settings)],
) -> Principal:
    """Dependency: the caller's :class:`Principal` from ``Authorization: Bearer <token>``;
    ``401`` if the header is missing or the token invalid. Also stored on
    ``request.state.principal`` for logging and auditing."""
    if credentials is None:
        header = request.headers.get("Authorization")
        if header:
            raise _unauthorized(
                settings,
                AuthError("Authorization header must be 'Bearer <token>'", code="malformed"),
            )
        raise _unauthorized(settings, None)
    try:
        principal = verify_token(settings, credentials.credentials)
    except AuthError as exc:
        raise _unauthorized(settings, exc) from None
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
"""Annotated type for a route parameter: any authenticated caller."""


def require_roles(*roles: Role | str) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the caller's :class:`Principal` if their role is one of ``roles``;
    ``401`` without a valid token, ``403`` with one whose role is not allowed. Unknown role
    names fail at import time (``ValueError``)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    allowed = frozenset(Role(r) for r in roles)
    allowed_text = ", ".join(sorted(r.value for r in allowed))

    async def dependency(
        principal: CurrentPrincipal,
        settings: Annotated[AuthSettings, Depends(get_auth_settings)],
    ) -> Principal:
        if principal.role not in allowed:
            reason = (
                f"role {principal.role.value} is not allowed to perform this action "
                f"(requires: {allowed_text})"
            )
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=[
                    {
                        "field": "Authorization",
                        "message": (
                            f"Vai trò {principal.role.value} không có quyền thực hiện thao tác "
                            f"này (cần: {allowed_text})"
                        ),
                        "message_en": reason,
                    }
                ],
                headers={
                    "WWW-Authenticate": _www_authenticate(
                        settings.audience, "insufficient_scope", reason
                    )
                },
            )
        return principal

    dependency.__name__ = f"require_roles_{'_'.join(sorted(r.value for r in allowed))}"
    return dependency


# --------------------------------------------------------------------------------------
# Command line: ``cchc token``


def _parse_lifetime(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not match or int(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(
            f"invalid lifetime {text!r}: a positive number with an optional unit s/m/h/d, "
            "e.g. 30m, 8h, 7d (thời hạn không hợp lệ)"
        )
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return timedelta(seconds=int(match.group(1)) * unit)


def main_token(args: Sequence[str]) -> int:
    """``cchc token --role ROLE [--agency CODE] [--member ID] [--subject SUB]
    [--lifetime 8h]``: print a development bearer token signed with the ``CCHC_AUTH_*``
    settings. Returns the exit status (0 ok, 2 usage error)."""
    parser = argparse.ArgumentParser(
        prog="cchc token",
        description=(
            "In mã xác thực (bearer token) dùng cho phát triển / Print a development bearer token."
        ),
    )
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--agency", help="agency code for agency_submitter (e.g. SNV, 760, 26740)")
    parser.add_argument("--member", help="survey-team member id for surveyor")
    parser.add_argument("--subject", help="token subject (default: ROLE:AGENCY|MEMBER)")
    parser.add_argument(
        "--lifetime", type=_parse_lifetime, help="e.g. 30m, 8h, 7d (default: settings)"
    )
    try:
        ns = parser.parse_args(list(args))
    except SystemExit as exc:  # --help or a usage error
        return exc.code if isinstance(exc.code, int) else 2

    agency = ns.agency.strip().upper() if ns.agency else None
    if agency is not None:
        from cchc_shared.reference import get_agency

        if get_agency(agency) is None:
            print(
                f"cchc token: mã cơ quan {agency} không có trong danh mục / "
                f"unknown agency code {agency} (see hcmc-agencies-2023.json and "
                "hcmc-admin-units-2023.json)",
                file=sys.stderr,
            )
            return 2
    try:
        settings = AuthSettings()
        token = issue_token(
            settings,
            ns.role,
            agency=agency,
            member=ns.member,
            subject=ns.subject,
            lifetime=ns.lifetime,
        )
    except (ValueError, ValidationError) as exc:
        print(f"cchc token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0
