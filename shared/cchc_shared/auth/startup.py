"""The start-up check: :func:`development_secret_refusal`."""

from __future__ import annotations

import ipaddress

from pydantic_settings import BaseSettings, SettingsConfigDict

from cchc_shared.auth.oidc import is_oidc_issuer
from cchc_shared.auth.settings import AuthSettings


class StartupSettings(BaseSettings):
    """``CCHC_AUTH_DEVELOPMENT_SECRET_ON_NETWORK`` (false): let a service that checks tokens
    with the development secret listen on a non-loopback address anyway. Only for the laptop
    stack of docker-compose, whose containers must listen on 0.0.0.0."""

    model_config = SettingsConfigDict(env_prefix="CCHC_AUTH_", frozen=True, extra="ignore")

    development_secret_on_network: bool = False


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def development_secret_refusal(
    settings: AuthSettings, host: str, startup: StartupSettings | None = None
) -> str | None:
    """Why a service must not start, or ``None``: it would check tokens with the built-in
    development secret while listening on a non-loopback address (anyone who read the source
    could sign a token for any role)."""
    if is_oidc_issuer(settings.issuer) or not settings.uses_development_secret:
        return None
    if is_loopback(host):
        return None
    startup = startup if startup is not None else StartupSettings()
    if startup.development_secret_on_network:
        return None
    return (
        f"refusing to listen on {host}: tokens would be checked with the development secret. "
        "Set CCHC_AUTH_ISSUER to the identity provider (or CCHC_AUTH_SECRET), or listen on "
        "127.0.0.1 (từ chối khởi động: khoá bí mật phát triển chỉ dùng khi nghe trên 127.0.0.1)"
    )
