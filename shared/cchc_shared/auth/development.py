"""Development tokens: :func:`issue_token` signs a token with the configured settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from cchc_shared.auth.principal import Principal, display_name_from
from cchc_shared.auth.settings import AuthSettings
from cchc_shared.contracts.vocabulary import Role


def issue_token(
    settings: AuthSettings,
    role: Role | str,
    agency: str | None = None,
    member: str | None = None,
    subject: str | None = None,
    lifetime: timedelta | None = None,
    name: str | None = None,
) -> str:
    """Sign a token for ``role``. ``agency_submitter`` needs ``agency`` (an agency code),
    ``surveyor`` needs ``member`` (a member id); other roles take neither. ``subject``
    defaults to ``<role>:<agency|member>`` or ``<role>``; ``lifetime`` to the settings';
    ``name`` (the person's display name, claim ``name``) to none.

    Raises ``ValueError`` (bilingual message) for an invalid role, binding or lifetime (one
    over ``settings.max_token_lifetime`` included).
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
    principal = Principal(
        subject=subject,
        role=role,
        agency_code=agency,
        member_id=member,
        display_name=display_name_from({"name": name}),
    )
    lifetime = settings.token_lifetime if lifetime is None else lifetime
    if lifetime <= timedelta(0):
        raise ValueError("token lifetime must be positive (thời hạn phải dương)")
    if lifetime > settings.max_token_lifetime:
        raise ValueError(
            f"token lifetime {lifetime} exceeds the maximum {settings.max_token_lifetime} "
            "(CCHC_AUTH_MAX_TOKEN_LIFETIME) "
            f"(thời hạn {lifetime} vượt quá mức tối đa {settings.max_token_lifetime})"
        )

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
    if principal.display_name is not None:
        claims["name"] = principal.display_name
    try:
        return jwt.encode(claims, settings.secret.get_secret_value(), algorithm=settings.algorithm)
    except (NotImplementedError, jwt.PyJWTError, ValueError, TypeError) as exc:
        raise ValueError(
            f"cannot sign a {settings.algorithm} token with CCHC_AUTH_SECRET: {exc}"
        ) from exc
