"""Settings of the portal (environment variables ``CCHC_PORTAL_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Final

from pydantic import Field, SecretStr, field_validator

from cchc_shared.chassis.settings import ServiceSettings

# The local run's session key; the portal refuses to listen beyond loopback with it.
DEVELOPMENT_SESSION_SECRET: Final = (
    "cchc-portal-DEVELOPMENT-ONLY-session-key--set-CCHC_PORTAL_SESSION_SECRET"
)
# Where `npm ci` in services/portal puts the browser assets of a checkout; the image sets
# CCHC_PORTAL_ASSETS_DIR to its own copy.
CHECKOUT_ASSETS: Final = Path(__file__).resolve().parents[1] / "node_modules"
API_SERVICES: Final = (
    "intake",
    "scheduling",
    "evaluation",
    "reporting",
    "notifications",
    "replication",
)


class PortalSettings(ServiceSettings):
    service_name: ClassVar[str] = "portal"
    default_http_port: ClassVar[int] = 8000

    # The four APIs the portal is the face of.
    intake_url: str = "http://127.0.0.1:8001"
    scheduling_url: str = "http://127.0.0.1:8002"
    evaluation_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    notifications_url: str = "http://127.0.0.1:8005"
    replication_url: str = "http://127.0.0.1:8006"
    api_timeout: float = Field(10.0, gt=0, le=120)

    # The browser's address of the portal, for the OpenID redirect and logout URIs
    # (default: http://<http_host>:<port>).
    public_url: str | None = None
    # The portal's client at the identity provider (CCHC_AUTH_ISSUER names the provider).
    oidc_client_id: str = "cchc-portal"
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid profile"
    # Where the portal itself reads the provider's discovery document, when the issuer's
    # address (the one browsers use) is not reachable from the portal's network, as in compose
    # (default: <CCHC_AUTH_ISSUER>/.well-known/openid-configuration). The document must still
    # name CCHC_AUTH_ISSUER as its issuer.
    oidc_discovery_url: str | None = None
    # Signs and encrypts the session cookie; the same key on every replica and across restarts.
    session_secret: SecretStr = SecretStr(DEVELOPMENT_SESSION_SECRET)
    session_max_age: int = Field(8 * 3600, ge=60, le=24 * 3600)
    # The local run's /dev/sign-in: never in images or manifests, never beyond loopback.
    development_sign_in: bool = False
    assets_dir: Path = CHECKOUT_ASSETS

    @field_validator(
        "intake_url",
        "scheduling_url",
        "evaluation_url",
        "reporting_url",
        "notifications_url",
        "replication_url",
    )
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def api_urls(self) -> dict[str, str]:
        return {name: str(getattr(self, f"{name}_url")) for name in API_SERVICES}

    @property
    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.http_host}:{self.resolved_http_port}"

    @property
    def uses_development_session_secret(self) -> bool:
        return self.session_secret.get_secret_value() == DEVELOPMENT_SESSION_SECRET
