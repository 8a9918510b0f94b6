"""Token settings: the ``CCHC_AUTH_*`` environment variables and the allowed algorithms."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final, Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ALLOWED_ALGORITHMS: Final[tuple[str, ...]] = ("HS256", "HS384", "HS512", "RS256")
_HMAC_MIN_KEY_BYTES: Final[dict[str, int]] = {"HS256": 32, "HS384": 48, "HS512": 64}

DEVELOPMENT_SECRET: Final = (
    "cchc-DEVELOPMENT-ONLY-secret--DO-NOT-USE-IN-PRODUCTION--set-CCHC_AUTH_SECRET"
)


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
    * ``CCHC_AUTH_MAX_TOKEN_LIFETIME`` — the longest ``exp - iat`` a token may have (``PT12H``):
      a longer one is refused, and none is issued.
    * ``CCHC_AUTH_REVOCATIONS`` — path of the revocation list, a JSON file re-read when it
      changes (:mod:`cchc_shared.auth.revocation`); unset, nothing is revoked.
    """

    model_config = SettingsConfigDict(env_prefix="CCHC_AUTH_", frozen=True, extra="ignore")

    secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    public_key: SecretStr | None = None
    issuer: str = "cchc-dev"
    audience: str = "cchc"
    algorithm: Literal["HS256", "HS384", "HS512", "RS256"] = "HS256"
    token_lifetime: timedelta = timedelta(hours=8)
    leeway: timedelta = timedelta(seconds=30)
    max_token_lifetime: timedelta = timedelta(hours=12)
    revocations: Path | None = None

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

    @field_validator("token_lifetime", "max_token_lifetime")
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
    def _check_lifetimes(self) -> AuthSettings:
        if self.token_lifetime > self.max_token_lifetime:
            raise ValueError(
                f"CCHC_AUTH_TOKEN_LIFETIME ({self.token_lifetime}) exceeds "
                f"CCHC_AUTH_MAX_TOKEN_LIFETIME ({self.max_token_lifetime})"
            )
        return self

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
