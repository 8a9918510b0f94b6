"""The portal as an OpenID Connect relying party: the authorization code flow with PKCE.

:meth:`OidcClient.begin` makes the provider's authorization URL and the sign-in's secrets
(``state``, ``nonce`` and the PKCE ``code_verifier``, kept by the caller in a sealed cookie);
:meth:`OidcClient.finish` checks ``state``, exchanges the code at the token endpoint with the
verifier and the client's secret, verifies the ID token (signature against the provider's key
set, ``iss``, ``aud`` = the portal's client id, ``exp``, ``iat``, ``nonce``) and returns the
:class:`~cchc_portal.service_layer.sessions.Session` whose access token calls the APIs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from cchc_portal.service_layer.sessions import Session
from cchc_shared.auth.claims import ClaimSettings, RoleRefused, principal_from_claims
from cchc_shared.auth.oidc import DISCOVERY_PATH, OidcVerifier, ProviderUnavailable
from cchc_shared.auth.settings import AuthSettings
from cchc_shared.auth.tokens import AuthError

# An ID token has no jti (it is not a bearer credential for the APIs), so it is checked for
# the registered claims only; the access token keeps the kit's full checks in every service.


class SignInFailed(Exception):
    """The sign-in cannot complete; ``message`` is Vietnamese, ``message_en`` English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    nonce: str
    code_verifier: str
    next_path: str = "/"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        scope: str,
        audience: str,
        claims: ClaimSettings,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        discovery_url: str | None = None,
    ) -> None:
        self.issuer = issuer
        self.discovery_url = discovery_url or issuer.rstrip("/") + DISCOVERY_PATH
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.audience = audience  # the APIs' audience, asked for as the access token's resource
        self.claims = claims
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._metadata: dict[str, Any] | None = None
        self._verifier = OidcVerifier(
            AuthSettings(issuer=issuer, audience=client_id),
            claims,
            transport=transport,
            id_tokens=True,
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.discovery_url
            try:
                response = await self._http.get(url)
                document = response.json() if response.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                document = None
            if not isinstance(document, dict) or document.get("issuer") != self.issuer:
                raise SignInFailed(
                    "Không kết nối được hệ thống đăng nhập của Thành phố; vui lòng thử lại sau",
                    f"the identity provider's discovery document {url} is not available",
                )
            self._metadata = document
        return self._metadata

    async def begin(self, next_path: str = "/") -> tuple[str, PendingSignIn]:
        """The authorization URL to send the browser to, and what the callback must check."""
        metadata = await self.metadata()
        pending = PendingSignIn(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            next_path=next_path,
        )
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": _challenge(pending.code_verifier),
            "code_challenge_method": "S256",
            "resource": self.audience,
        }
        return f"{metadata['authorization_endpoint']}?{urlencode(query)}", pending

    async def finish(self, pending: PendingSignIn, code: str, state: str) -> Session:
        if not hmac.compare_digest(pending.state.encode(), state.encode()):
            raise SignInFailed(
                "Phiên đăng nhập không khớp (state); vui lòng đăng nhập lại",
                "the state parameter does not match this browser's sign-in",
            )
        metadata = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": pending.code_verifier,
            "client_id": self.client_id,
            "resource": self.audience,
        }
        if self.client_secret is not None:
            form["client_secret"] = self.client_secret
        try:
            response = await self._http.post(metadata["token_endpoint"], data=form)
            tokens = response.json()
        except (httpx.HTTPError, ValueError):
            raise SignInFailed(
                "Không nhận được mã xác thực từ hệ thống đăng nhập; vui lòng thử lại",
                "the token endpoint could not be reached",
            ) from None
        if response.status_code != 200 or not isinstance(tokens, dict):
            raise SignInFailed(
                "Hệ thống đăng nhập từ chối yêu cầu; vui lòng đăng nhập lại",
                f"the token endpoint answered {response.status_code}: "
                f"{tokens.get('error') if isinstance(tokens, dict) else ''}",
            )
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not isinstance(id_token, str) or not isinstance(access_token, str):
            raise SignInFailed(
                "Hệ thống đăng nhập không trả về đủ mã xác thực",
                "the token response lacks an id_token or an access_token",
            )
        try:
            claims = await self._verifier.verified_claims(id_token)
        except (AuthError, ProviderUnavailable) as exc:
            raise SignInFailed(
                "Mã định danh (ID token) không hợp lệ; vui lòng đăng nhập lại",
                f"the ID token does not verify: {exc}",
            ) from None
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), pending.nonce.encode()):
            raise SignInFailed(
                "Mã định danh không thuộc lần đăng nhập này (nonce); vui lòng đăng nhập lại",
                "the ID token's nonce is not this sign-in's",
            )
        try:
            principal = principal_from_claims(claims, self.claims)
        except RoleRefused as exc:
            raise SignInFailed(exc.message_vi, exc.reason) from None
        expires_in = tokens.get("expires_in")
        lifetime = int(expires_in) if isinstance(expires_in, int | float) else 300
        ordered = sorted(principal.roles, key=lambda r: r is not principal.role)
        return Session(
            access_token=access_token,
            expires_at=int(time.time()) + lifetime,
            roles=tuple(r.value for r in ordered),
            agency_code=principal.agency_code,
            member_id=principal.member_id,
            name=str(claims.get("name") or claims.get("preferred_username") or principal.subject),
            source="oidc",
        )

    async def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """The provider's RP-initiated logout URL (``end_session_endpoint``), if it has one."""
        try:
            metadata = await self.metadata()
        except SignInFailed:
            return None
        endpoint = metadata.get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        return f"{endpoint}?{urlencode(query)}"

    async def aclose(self) -> None:
        await self._http.aclose()
