"""The machine-client role ``platform``: another city platform's client (client-credentials
grant), bound to no agency or member, and never held together with a person's role."""

from __future__ import annotations

import pytest

from cchc_shared.auth import AuthSettings, Principal, Role, issue_token, verify_token
from cchc_shared.auth.claims import ClaimSettings, RoleRefused, principal_from_claims

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"


def test_a_platform_principal_is_a_machine_and_reads_nothing_of_a_person() -> None:
    principal = Principal("service-account-motcua", Role.PLATFORM)
    assert principal.is_machine and principal.roles == {Role.PLATFORM}
    assert not (principal.is_staff or principal.can_read_all or principal.is_agency_submitter)
    assert not Principal("secretariat", Role.SECRETARIAT).is_machine


@pytest.mark.parametrize("person", ["agency_submitter", "secretariat", "admin", "surveyor"])
def test_platform_is_not_held_with_a_person_role(person: str) -> None:
    binding = {"agency_submitter": {"agency_code": "26740"}, "surveyor": {"member_id": "m-1"}}
    role = Role(person)  # the person's role is the more privileged: it is ``role``
    with pytest.raises(ValueError, match="platform") as refused:
        Principal("x", role, roles=frozenset({Role.PLATFORM, role}), **binding.get(person, {}))
    assert "vai trò platform" in str(refused.value) and person in str(refused.value)


@pytest.mark.parametrize("binding", [{"agency_code": "26740"}, {"member_id": "m-1"}])
def test_platform_is_bound_to_no_agency_or_member(binding: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="platform is not bound"):
        Principal("x", Role.PLATFORM, **binding)


def test_a_development_token_for_platform_verifies() -> None:
    settings = AuthSettings(secret=SECRET)
    principal = verify_token(settings, issue_token(settings, "platform"))
    assert principal == Principal("platform", Role.PLATFORM)
    with pytest.raises(ValueError, match="not bound to an agency"):
        issue_token(settings, "platform", agency="26740")


def test_platform_from_a_providers_claims() -> None:
    settings = ClaimSettings(
        roles_claim="realm_access.roles", role_map={"cchc-platform": "platform"}
    )
    claims = {"sub": "service-account-motcua", "realm_access": {"roles": ["cchc-platform"]}}
    assert principal_from_claims(claims, settings).roles == {Role.PLATFORM}
    # the role map names the provider's role; the platform's own name does not count then
    with pytest.raises(RoleRefused):
        principal_from_claims({"sub": "x", "realm_access": {"roles": ["platform"]}}, settings)


def test_a_provider_token_with_platform_and_a_person_role_is_refused_naming_the_claim() -> None:
    settings = ClaimSettings(roles_claim="realm_access.roles")
    claims = {"sub": "u-1", "realm_access": {"roles": ["platform", "secretariat"]}}
    with pytest.raises(RoleRefused) as refused:
        principal_from_claims(claims, settings)
    assert "realm_access.roles" in refused.value.reason and "secretariat" in refused.value.reason
    assert "vai trò của người dùng" in refused.value.message_vi
