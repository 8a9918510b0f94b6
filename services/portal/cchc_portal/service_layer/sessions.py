"""Who is signed in: :class:`Session`, kept in the browser in an encrypted cookie.

Why a cookie and not a server-side store: the portal keeps no data of its own, so a session must
live somewhere that survives a restart and is shared by every replica without a database. The
cookie is encrypted and authenticated (Fernet: AES-128-CBC + HMAC-SHA256) with
``CCHC_PORTAL_SESSION_SECRET``, so the browser can neither read the access token inside nor
change the role; it survives a portal restart as long as the key is the same. It holds only the
access token, the person's name and bindings, and the form token (CSRF), well under a cookie's
4 KB. The cost: a session cannot be ended on the server before it expires; signing out deletes
the cookie and ends the provider's session, and a stolen token can be put on the kit's
revocation list by its ``jti``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

SESSION_COOKIE = "cchc_portal_session"
# The state of one OpenID sign-in under way (state, nonce, PKCE verifier), for ten minutes.
LOGIN_COOKIE = "cchc_portal_login"
LOGIN_MAX_AGE = 600


@dataclass(frozen=True)
class Session:
    access_token: str
    expires_at: int  # the access token's exp (seconds since the epoch)
    roles: tuple[str, ...]
    agency_code: str | None = None
    member_id: str | None = None
    name: str = ""
    # "development" (the local run's /dev/sign-in) or "oidc"
    source: str = "oidc"
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def role(self) -> str:
        return self.roles[0]

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires_at


def fernet_for(secret: str, purpose: str) -> Fernet:
    """A Fernet key derived from the portal's secret, one per purpose (sessions, sign-ins)."""
    digest = hashlib.sha256(f"{purpose}\x00{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SealedCookie:
    """A JSON object sealed into a cookie value: encrypted, authenticated, with a maximum age."""

    def __init__(self, secret: str, purpose: str, max_age: int) -> None:
        self._fernet = fernet_for(secret, purpose)
        self.max_age = max_age

    def seal(self, data: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()

    def open(self, value: str | None) -> dict[str, Any] | None:
        """The object, or ``None`` for a missing, altered, foreign or expired cookie."""
        if not value:
            return None
        try:
            data = json.loads(self._fernet.decrypt(value.encode(), ttl=self.max_age))
        except (InvalidToken, ValueError):
            return None
        return data if isinstance(data, dict) else None


class SessionCodec:
    def __init__(self, secret: str, max_age: int) -> None:
        self._cookie = SealedCookie(secret, "session", max_age)
        self.max_age = max_age

    def encode(self, session: Session) -> str:
        return self._cookie.seal(asdict(session))

    def decode(self, value: str | None) -> Session | None:
        data = self._cookie.open(value)
        if data is None:
            return None
        try:
            session = Session(**{**data, "roles": tuple(data["roles"])})
        except (TypeError, KeyError):
            return None
        if not session.roles or session.expired():
            return None
        return session
