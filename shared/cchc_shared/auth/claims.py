"""Roles and bindings from an identity provider's claims: :class:`ClaimSettings` (which claims
to read and how the provider's role names map onto the five roles) and
:func:`principal_from_claims`.

A token that verifies but names no role of this platform, or a bound role without its binding,
is refused with :class:`RoleRefused` (answered ``403``); a token that does not verify is an
:class:`~cchc_shared.auth.tokens.AuthError` (``401``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cchc_shared.auth.principal import (
    _AGENCY_CODE_RE,
    _MEMBER_ID_RE,
    MACHINE_ROLE_SET,
    PERSON_ROLE_SET,
    ROLE_PRECEDENCE,
    Principal,
    display_name_from,
)
from cchc_shared.contracts.vocabulary import Role


class ClaimSettings(BaseSettings):
    """What the services read from an identity provider, from ``CCHC_AUTH_*`` variables.

    * ``CCHC_AUTH_JWKS_URL`` — the provider's key set; unset, it comes from the discovery
      document (``<CCHC_AUTH_ISSUER>/.well-known/openid-configuration``).
    * ``CCHC_AUTH_ROLES_CLAIM`` — dotted path to the list (or space-separated string) of the
      person's roles: ``roles`` (default); Keycloak ``realm_access.roles``, or
      ``resource_access.<client>.roles`` for client roles.
    * ``CCHC_AUTH_ROLE_MAP`` — JSON object, provider role name -> one of the five roles, e.g.
      ``{"cchc-secretariat": "secretariat", "cchc-admin": "admin"}``. Empty (the default),
      a provider role counts only when it is named exactly like one of the platform's roles
      (the five person roles and ``platform``). When set, only the names it lists count.
    * ``CCHC_AUTH_AGENCY_CLAIM`` (``agency_code``), ``CCHC_AUTH_MEMBER_CLAIM`` (``member_id``) —
      dotted paths to the agency code of an ``agency_submitter`` and the member id of a
      ``surveyor``.
    * ``CCHC_AUTH_JWKS_MIN_REFRESH`` — a token naming an unknown key id fetches the key set
      again at most this often (60 s); ``CCHC_AUTH_JWKS_MAX_AGE`` — keys are fetched again after
      this long in any case (1 h); ``CCHC_AUTH_HTTP_TIMEOUT`` — for those fetches (5 s).
    """

    model_config = SettingsConfigDict(env_prefix="CCHC_AUTH_", frozen=True, extra="ignore")

    jwks_url: str | None = None
    roles_claim: str = "roles"
    role_map: dict[str, Role] = {}
    agency_claim: str = "agency_code"
    member_claim: str = "member_id"
    jwks_min_refresh: timedelta = timedelta(seconds=60)
    jwks_max_age: timedelta = timedelta(hours=1)
    http_timeout: float = 5.0

    @field_validator("roles_claim", "agency_claim", "member_claim")
    @classmethod
    def _dotted_path(cls, value: str) -> str:
        value = value.strip()
        if not value or any(not part for part in value.split(".")):
            raise ValueError("must be a dotted claim path such as realm_access.roles")
        return value

    @field_validator("jwks_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("CCHC_AUTH_JWKS_URL must be an https:// (or http://) URL")
        return value.strip()

    def provider_role(self, name: str) -> Role | None:
        """The platform role a provider role name stands for, if any."""
        if self.role_map:
            return self.role_map.get(name)
        try:
            return Role(name)
        except ValueError:
            return None


class RoleRefused(Exception):
    """A verified token that gives no access: no known role, or a bound role without its
    binding. ``message_vi`` and ``reason`` (English) name what is missing."""

    def __init__(self, message_vi: str, reason: str) -> None:
        super().__init__(reason)
        self.message_vi = message_vi
        self.reason = reason


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (``realm_access.roles``), or ``None``. A claim whose own
    name contains dots (``https://example.org/roles``) is found too."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def principal_from_claims(claims: Mapping[str, Any], settings: ClaimSettings) -> Principal:
    """The :class:`Principal` of a verified token's claims: the union of its known roles, the
    most privileged as ``role``, and the bindings its bound roles need.

    Raises :class:`RoleRefused` if no role is known or a binding is missing or invalid.
    """
    subject = claims.get("sub")
    raw = claim_at(claims, settings.roles_claim)
    names: list[str]
    if isinstance(raw, str):
        names = raw.split()
    elif isinstance(raw, list | tuple):
        names = [n for n in raw if isinstance(n, str)]
    else:
        names = []
    roles = frozenset(r for r in (settings.provider_role(n) for n in names) if r is not None)
    if not roles:
        expected = ", ".join(sorted(settings.role_map) or (r.value for r in Role))
        raise RoleRefused(
            f"Mã xác thực không mang vai trò nào của hệ thống (claim {settings.roles_claim}; "
            f"cần một trong: {expected})",
            f"the token carries no role of this platform (claim {settings.roles_claim}; "
            f"expected one of: {expected})",
        )
    if not roles.isdisjoint(MACHINE_ROLE_SET) and not roles.isdisjoint(PERSON_ROLE_SET):
        people = ", ".join(sorted(r.value for r in roles & PERSON_ROLE_SET))
        raise RoleRefused(
            f"Vai trò platform (ứng dụng của nền tảng khác) không đi cùng vai trò của người dùng "
            f"({people}) trong claim {settings.roles_claim}",
            f"role platform (another platform's client) is not held with a person's role "
            f"({people}) in claim {settings.roles_claim}",
        )
    agency = _binding(claims, settings.agency_claim) if Role.AGENCY_SUBMITTER in roles else None
    member = _binding(claims, settings.member_claim) if Role.SURVEYOR in roles else None
    if Role.AGENCY_SUBMITTER in roles and (agency is None or not _AGENCY_CODE_RE.fullmatch(agency)):
        what = "thiếu" if agency is None else "có giá trị không hợp lệ ở"
        what_en = "lacks" if agency is None else "has an invalid"
        raise RoleRefused(
            f"Vai trò agency_submitter cần mã cơ quan: mã xác thực {what} claim "
            f"{settings.agency_claim}",
            f"role agency_submitter needs an agency code: the token {what_en} claim "
            f"{settings.agency_claim}",
        )
    if Role.SURVEYOR in roles and (member is None or not _MEMBER_ID_RE.fullmatch(member)):
        what = "thiếu" if member is None else "có giá trị không hợp lệ ở"
        what_en = "lacks" if member is None else "has an invalid"
        raise RoleRefused(
            f"Vai trò surveyor cần mã thành viên tổ khảo sát: mã xác thực {what} claim "
            f"{settings.member_claim}",
            f"role surveyor needs a member id: the token {what_en} claim {settings.member_claim}",
        )
    primary = next(r for r in ROLE_PRECEDENCE if r in roles)
    try:
        return Principal(
            subject=str(subject),
            role=primary,
            roles=roles,
            agency_code=agency,
            member_id=member,
            display_name=display_name_from(claims),
        )
    except ValueError as exc:
        raise RoleRefused(f"Danh tính trong mã xác thực không hợp lệ: {exc}", str(exc)) from None


def _binding(claims: Mapping[str, Any], path: str) -> str | None:
    value = claim_at(claims, path)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]  # Keycloak user attributes may come as one-element lists
    return value if isinstance(value, str) and value else None
