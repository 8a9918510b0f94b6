"""Tokens from an OpenID Connect provider, verified by its key set: :class:`OidcVerifier`.

When ``CCHC_AUTH_ISSUER`` is a URL (:func:`is_oidc_issuer`), every service verifies the
provider's tokens instead of the HS256 development tokens:

* the key set comes from ``CCHC_AUTH_JWKS_URL`` or from the issuer's discovery document
  (``/.well-known/openid-configuration``, whose ``issuer`` must be exactly the configured one);
* keys are cached; a token naming an unknown ``kid`` fetches the key set again, at most once
  per ``CCHC_AUTH_JWKS_MIN_REFRESH``, so a rotated key needs no restart; every
  ``CCHC_AUTH_JWKS_MAX_AGE`` the set is fetched again anyway (keeping the old one if the
  provider cannot be reached);
* the algorithm is pinned to the key: RS256/RS384/RS512/PS256 only with an RSA key, ES256 only
  with a P-256 key, and to the key's own ``alg`` when it names one. HMAC and ``none`` are never
  accepted, so a token signed HS256 with the public key as its secret is refused;
* ``iss``, ``aud`` (``CCHC_AUTH_AUDIENCE``), ``exp`` and ``nbf`` are checked with
  ``CCHC_AUTH_LEEWAY``; ``sub`` is required.

Fetches use ``httpx.AsyncClient``: they never block the event loop, and concurrent requests
that need the same fetch wait for one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Final

import httpx
import jwt
from jwt import PyJWK

from cchc_shared.auth.claims import ClaimSettings, principal_from_claims
from cchc_shared.auth.principal import Principal
from cchc_shared.auth.settings import AuthSettings
from cchc_shared.auth.tokens import AuthError, decode_claims, unverified_header

DISCOVERY_PATH: Final = "/.well-known/openid-configuration"
_MAX_TOKEN_LENGTH: Final = 16384  # a provider's tokens carry more claims than ours
_MAX_DOCUMENT_BYTES: Final = 512 * 1024
_FAILED_FETCH_PAUSE: Final = 1.0  # seconds without a fetch after a failed one (no keys yet)
# iat and jti: the kit's lifetime cap and revocation list apply to provider tokens too.
_REQUIRED_CLAIMS: Final[tuple[str, ...]] = ("iss", "aud", "sub", "iat", "exp", "jti")
# An ID token (OpenID Connect Core 2) has no jti, and its lifetime and revocation are the
# session's business, not an API's: it is checked for what the standard requires.
_ID_TOKEN_CLAIMS: Final[tuple[str, ...]] = ("iss", "aud", "sub", "iat", "exp")
# algorithm -> (key type, curve) it may be verified with
_KEY_TYPE_OF_ALGORITHM: Final[dict[str, tuple[str, str | None]]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
}


def is_oidc_issuer(issuer: str) -> bool:
    """True when ``CCHC_AUTH_ISSUER`` names an OpenID provider (an https:// or http:// URL)
    rather than the development issuer."""
    return issuer.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class _Key:
    jwk: PyJWK
    kty: str
    crv: str | None
    alg: str | None


class ProviderUnavailable(Exception):
    """The identity provider's discovery document or key set could not be fetched and no keys
    are cached (answered ``503``)."""


class OidcVerifier:
    """Verifies an OpenID provider's tokens; one per service (``app.state.oidc_verifier``)."""

    def __init__(
        self,
        auth: AuthSettings,
        claims: ClaimSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        id_tokens: bool = False,
    ) -> None:
        """``id_tokens=True`` verifies ID tokens (for a relying party such as the portal, with
        ``auth.audience`` its client id) instead of access tokens."""
        if not is_oidc_issuer(auth.issuer):
            raise ValueError(f"CCHC_AUTH_ISSUER {auth.issuer!r} is not an OpenID provider URL")
        self.auth = auth
        self.claims = claims
        self._transport = transport
        self._id_tokens = id_tokens
        self._jwks_url: str | None = claims.jwks_url
        self._keys: dict[str, _Key] = {}
        self._unnamed: list[_Key] = []
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # key-set fetches so far (for the metrics and the tests)

    async def verify(self, token: str) -> Principal:
        """The :class:`Principal` of a provider's token. Raises :class:`AuthError` (401) for
        a token that does not verify, :class:`~cchc_shared.auth.claims.RoleRefused` (403) for
        one without a known role or binding, :class:`ProviderUnavailable` (503)."""
        claims = await self.verified_claims(token)
        return principal_from_claims(claims, self.claims)

    async def verified_claims(self, token: str) -> dict[str, Any]:
        header = unverified_header(
            token, tuple(_KEY_TYPE_OF_ALGORITHM), max_length=_MAX_TOKEN_LENGTH
        )
        alg: str = header["alg"]
        kid: str | None = header.get("kid")
        key = await self._key_for(kid, alg)
        _pin(key, alg)
        return self._decode(token, key, alg)

    def _decode(self, token: str, key: _Key, alg: str) -> dict[str, Any]:
        if self._id_tokens:
            claims = decode_claims(
                self.auth, token, key.jwk.key, alg, _ID_TOKEN_CLAIMS, limits=False
            )
        else:
            claims = decode_claims(self.auth, token, key.jwk.key, alg, _REQUIRED_CLAIMS)
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise AuthError("sub must be a non-empty string", code="malformed")
        return claims

    # -- the key set ---------------------------------------------------------------------

    async def _key_for(self, kid: str | None, alg: str) -> _Key:
        now = time.monotonic()
        stale = self._fetched_at is None or now - self._fetched_at >= _seconds(
            self.claims.jwks_max_age
        )
        if stale:
            # No keys yet and the provider just failed: no fetch storm while it is down.
            if (
                self._fetched_at is None
                and self._failed_at is not None
                and now - self._failed_at < _FAILED_FETCH_PAUSE
            ):
                raise ProviderUnavailable("the identity provider could not be reached")
            await self._refresh()
        key = self._lookup(kid, alg)
        if key is None and self._may_refetch():
            await self._refresh()
            key = self._lookup(kid, alg)
        if key is None:
            raise AuthError(
                f"unknown signing key {kid!r}: not in the identity provider's key set",
                code="signature",
            )
        return key

    def _lookup(self, kid: str | None, alg: str) -> _Key | None:
        if kid is not None:
            return self._keys.get(kid)
        kty, _ = _KEY_TYPE_OF_ALGORITHM[alg]
        fitting = [k for k in [*self._keys.values(), *self._unnamed] if k.kty == kty]
        return fitting[0] if len(fitting) == 1 else None

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= _seconds(
            self.claims.jwks_min_refresh
        )

    async def _refresh(self) -> None:
        seen = self._fetched_at
        async with self._lock:
            if self._fetched_at != seen:
                return  # another request fetched the key set while this one waited
            try:
                await self._fetch()
            except ProviderUnavailable:
                self._failed_at = time.monotonic()
                if not self._keys and not self._unnamed:
                    raise
                # Keep the cached keys; try again after the minimum interval.
                self._fetched_at = time.monotonic()

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(
            timeout=self.claims.http_timeout, transport=self._transport, follow_redirects=False
        ) as client:
            if self._jwks_url is None:
                document = await _get_json(client, self.auth.issuer.rstrip("/") + DISCOVERY_PATH)
                if document.get("issuer") != self.auth.issuer:
                    raise ProviderUnavailable(
                        f"the discovery document names issuer {document.get('issuer')!r}, "
                        f"not {self.auth.issuer!r}"
                    )
                jwks_uri = document.get("jwks_uri")
                if not isinstance(jwks_uri, str) or not is_oidc_issuer(jwks_uri):
                    raise ProviderUnavailable("the discovery document has no jwks_uri")
                self._jwks_url = jwks_uri
            jwks = await _get_json(client, self._jwks_url)
        self.fetches += 1
        keys: dict[str, _Key] = {}
        unnamed: list[_Key] = []
        raw_keys = jwks.get("keys")
        if not isinstance(raw_keys, list):
            raise ProviderUnavailable("the key set has no keys")
        for raw in raw_keys:
            if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
                continue
            if raw.get("kty") not in {"RSA", "EC"}:
                continue  # never a symmetric key
            if any(name in raw for name in ("d", "p", "q")):
                continue  # a private key has no place in a published key set
            try:
                key = _Key(
                    PyJWK(raw),
                    str(raw["kty"]),
                    raw.get("crv") if isinstance(raw.get("crv"), str) else None,
                    raw.get("alg") if isinstance(raw.get("alg"), str) else None,
                )
            except (jwt.PyJWTError, ValueError, TypeError, KeyError):
                continue
            kid = raw.get("kid")
            if isinstance(kid, str):
                keys[kid] = key
            else:
                unnamed.append(key)
        self._keys, self._unnamed = keys, unnamed
        self._fetched_at = time.monotonic()


def _pin(key: _Key, alg: str) -> None:
    kty, curve = _KEY_TYPE_OF_ALGORITHM[alg]
    if key.kty != kty or (curve is not None and key.crv != curve):
        raise AuthError(
            f"signing algorithm {alg} does not fit the key's type {key.kty}", code="algorithm"
        )
    if key.alg is not None and key.alg != alg:
        raise AuthError(f"the key is for {key.alg}, the token says {alg}", code="algorithm")


async def _get_json(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(f"cannot reach {url}: {exc}") from None
    if response.status_code != 200:
        raise ProviderUnavailable(f"{url} answered {response.status_code}")
    if len(response.content) > _MAX_DOCUMENT_BYTES:
        raise ProviderUnavailable(f"{url} answered more than {_MAX_DOCUMENT_BYTES} bytes")
    try:
        document = response.json()
    except ValueError:
        raise ProviderUnavailable(f"{url} did not answer JSON") from None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url} did not answer a JSON object")
    return document


def _seconds(value: Any) -> float:
    return float(value.total_seconds())
