"""What every page handler receives: :class:`PortalServices`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cchc_portal.adapters.api import ServiceApis
from cchc_portal.adapters.oidc import OidcClient
from cchc_portal.config import PortalSettings
from cchc_portal.service_layer.sessions import LOGIN_MAX_AGE, SealedCookie, SessionCodec
from cchc_shared.auth import AuthSettings
from cchc_shared.auth.startup import is_loopback


@dataclass
class PortalServices:
    settings: PortalSettings
    auth: AuthSettings
    apis: ServiceApis
    sessions: SessionCodec
    logins: SealedCookie  # the OpenID sign-in under way
    oidc: OidcClient | None  # None: no identity provider configured (CCHC_AUTH_ISSUER)

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies outside loopback (the local run speaks plain HTTP to 127.0.0.1)."""
        return not is_loopback(urlsplit(self.settings.resolved_public_url).hostname or "")

    @classmethod
    def build(
        cls,
        settings: PortalSettings,
        auth: AuthSettings,
        apis: ServiceApis,
        oidc: OidcClient | None,
    ) -> PortalServices:
        secret = settings.session_secret.get_secret_value()
        return cls(
            settings=settings,
            auth=auth,
            apis=apis,
            sessions=SessionCodec(secret, settings.session_max_age),
            logins=SealedCookie(secret, "sign-in", LOGIN_MAX_AGE),
            oidc=oidc,
        )
