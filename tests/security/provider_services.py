"""The four services booted through their composition roots, with development tokens or with
``CCHC_AUTH_ISSUER`` naming the test kit's OpenID provider, for a suite that calls them in
both token modes (the authorization matrix). Keycloak's shapes: realm roles under
``realm_access.roles``, named through ``CCHC_AUTH_ROLE_MAP``; bindings under ``cchc``."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from cchc_testkit.oidc import AUDIENCE, OidcProvider, provider_available

from .conftest import Booted, boot

# The provider's role names -> the platform's (as a city's SSO names its roles).
PROVIDER_ROLE_MAP = {
    "cchc-agency": "agency_submitter",
    "cchc-secretariat": "secretariat",
    "cchc-surveyor": "surveyor",
    "cchc-viewer": "committee_viewer",
    "cchc-admin": "admin",
    "cchc-platform": "platform",
}
PROVIDER_ROLE = {role: name for name, role in PROVIDER_ROLE_MAP.items()}


def realm(*roles: str, **extra: Any) -> dict[str, Any]:
    """Claims as Keycloak shapes them: realm roles nested, bindings under ``cchc``."""
    return {"realm_access": {"roles": list(roles)}, **extra}


def require_provider() -> None:
    """Skip on a workstation without the provider; in CI its absence is a failure."""
    why = provider_available()
    if why is not None:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no OpenID provider: {why}")


def provider_environment(provider: OidcProvider) -> dict[str, str]:
    return {
        "CCHC_AUTH_ISSUER": provider.issuer,
        "CCHC_AUTH_AUDIENCE": AUDIENCE,
        "CCHC_AUTH_ROLES_CLAIM": "realm_access.roles",
        "CCHC_AUTH_ROLE_MAP": json.dumps(PROVIDER_ROLE_MAP),
        "CCHC_AUTH_AGENCY_CLAIM": "cchc.agency",
        "CCHC_AUTH_MEMBER_CLAIM": "cchc.member",
    }


@asynccontextmanager
async def services_with_provider(
    provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory, prefix: str
) -> AsyncIterator[dict[str, Booted]]:
    """Every service verifying tokens by the provider's key set."""
    async with boot(tmp_path_factory, prefix, provider_environment(provider)) as booted:
        yield booted
