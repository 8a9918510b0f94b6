"""The four services booted through their composition roots, with development tokens or with
``CCHC_AUTH_ISSUER`` naming the test kit's OpenID provider, for a suite that calls them in
both token modes (the authorization matrix). Keycloak's shapes: realm roles under
``realm_access.roles``, named through ``CCHC_AUTH_ROLE_MAP``; bindings under ``cchc``."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_shared.auth.oidc import OidcVerifier
from cchc_testkit.infra import fresh_vhost
from cchc_testkit.oidc import AUDIENCE, OidcProvider, provider_available

from .conftest import SERVICES, Booted, build_app

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
    async with boot_services(tmp_path_factory, prefix, provider_environment(provider)) as booted:
        yield booted


@asynccontextmanager
async def boot_services(
    tmp_path_factory: pytest.TempPathFactory, prefix: str, environment: dict[str, str]
) -> AsyncIterator[dict[str, Booted]]:
    """Every service, each on a fresh virtual host and SQLite file, with ``environment`` set
    while they run (as a deployment's would be); empty, they keep the development tokens."""
    async with AsyncExitStack() as stack:
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        for name, value in environment.items():
            patch.setenv(name, value)
        result: dict[str, Booted] = {}
        for service in SERVICES:
            directory = tmp_path_factory.mktemp(f"{prefix}-{service}")
            amqp_url = await stack.enter_async_context(fresh_vhost())
            app = build_app(
                service, f"sqlite+aiosqlite:///{directory / 'service.db'}", amqp_url, directory
            )
            oidc = isinstance(app.state.oidc_verifier, OidcVerifier)
            assert oidc == ("CCHC_AUTH_ISSUER" in environment), service
            manager = await stack.enter_async_context(
                LifespanManager(app, startup_timeout=60, shutdown_timeout=60)
            )
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=manager.app),
                    base_url=f"http://{service}",
                    timeout=60,
                )
            )
            result[service] = Booted(service, app, client, amqp_url)
        yield result
