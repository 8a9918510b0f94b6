"""A real OpenID provider for the tests: panva's certified ``oidc-provider`` (npm), run by
``tools/oidc-provider/provider.mjs`` as a subprocess on a free port (:class:`OidcProvider`,
the ``oidc_provider`` fixture).

Its machine clients get signed access tokens through the client-credentials grant; each client
says how its tokens are signed (RS256 or ES256), how long they live and which claims they carry
(:class:`Client`). A client with ``redirect_uris`` is a web client (the portal): people
(:class:`Account`) sign in through the authorization-code flow with PKCE at the provider's
development login page (their login name, any password), and sign out at its
``end_session_endpoint``. :meth:`OidcProvider.rotate` restarts it, same issuer and port, with a new
key set in front of the old one: its tokens then name a key id the services have not seen.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from cchc_testkit.nodes import _wait_port, free_port

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "oidc-provider"
AUDIENCE = "urn:cchc:api"


@dataclass(frozen=True)
class Client:
    """A client of the provider: its tokens are signed with ``alg``, live ``ttl`` seconds and
    carry ``claims`` besides the registered ones (``sub`` is the client id)."""

    client_id: str
    alg: str = "RS256"
    ttl: int = 600
    claims: dict[str, Any] = field(default_factory=dict)
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()

    @property
    def secret(self) -> str:
        return f"{self.client_id}-secret-for-tests-only-0123456789"


@dataclass(frozen=True)
class Account:
    """A person at the provider: ``sub`` is the login name typed at its login page; the
    claims (``roles``, ``agency_code``, ``member_id``, ``name``, ``preferred_username``) go into
    the ID token and, roles and bindings, into the access tokens."""

    sub: str
    roles: tuple[str, ...]
    name: str
    agency_code: str | None = None
    member_id: str | None = None

    def claims(self) -> dict[str, Any]:
        return {
            "roles": list(self.roles),
            "agency_code": self.agency_code,
            "member_id": self.member_id,
            "name": self.name,
            "preferred_username": self.sub,
        }


@dataclass
class KeySet:
    """One RSA and one P-256 key, named ``<generation>-rsa`` and ``<generation>-ec``."""

    generation: str
    rsa_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    ec_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def private_jwks(self) -> list[dict[str, Any]]:
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa_key, as_dict=True)
        rsa_jwk.update(kid=f"{self.generation}-rsa", alg="RS256", use="sig")
        ec_jwk = ECAlgorithm.to_jwk(self.ec_key, as_dict=True)
        ec_jwk.update(kid=f"{self.generation}-ec", alg="ES256", use="sig")
        return [rsa_jwk, ec_jwk]

    def rsa_public_pem(self) -> bytes:
        return self.rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def provider_available() -> str | None:
    """Why the provider cannot run here (no ``node``, or ``npm ci`` not run), or ``None``."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (TOOLS / "node_modules" / "oidc-provider").is_dir():
        return f"run `npm ci --prefix {TOOLS.relative_to(TOOLS.parents[1])}` first"
    return None


class OidcProvider:
    """The provider process. ``issuer`` is ``http://127.0.0.1:<port>``."""

    def __init__(
        self,
        clients: list[Client],
        directory: Path | None = None,
        accounts: list[Account] | None = None,
    ) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.clients = {c.client_id: c for c in clients}
        self.accounts = {a.sub: a for a in accounts or []}
        self.directory = directory or Path(tempfile.mkdtemp(prefix="cchc-oidc-"))
        self.key_sets = [KeySet("gen1")]
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def current_keys(self) -> KeySet:
        return self.key_sets[0]

    def start(self) -> None:
        config = {
            "port": self.port,
            "issuer": self.issuer,
            "default_resource": AUDIENCE,
            "jwks": {"keys": [k for ks in self.key_sets for k in ks.private_jwks()]},
            "clients": [
                {
                    "client_id": c.client_id,
                    "client_secret": c.secret,
                    "cchc_alg": c.alg,
                    "cchc_ttl": c.ttl,
                    "cchc_claims": c.claims,
                    **(
                        {
                            "redirect_uris": list(c.redirect_uris),
                            "post_logout_redirect_uris": list(c.post_logout_redirect_uris),
                        }
                        if c.redirect_uris
                        else {}
                    ),
                }
                for c in self.clients.values()
            ],
            "accounts": [{"sub": a.sub, "claims": a.claims()} for a in self.accounts.values()],
        }
        path = self.directory / "provider.json"
        path.write_text(json.dumps(config))
        path.chmod(0o600)
        log = (self.directory / "provider.log").open("ab")
        self._process = subprocess.Popen(
            ["node", str(TOOLS / "provider.mjs"), str(path)],
            cwd=TOOLS,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NODE_ENV": "test"},
        )
        try:
            _wait_port(self.port, 30)
        except TimeoutError:
            self.stop()
            raise RuntimeError(
                f"oidc-provider did not start: {(self.directory / 'provider.log').read_text()}"
            ) from None

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def rotate(self) -> KeySet:
        """Restart with a new key set in front (it signs from now on); the old keys stay
        published, as in a provider's rotation. Returns the new key set."""
        self.stop()
        self.key_sets.insert(0, KeySet(f"gen{len(self.key_sets) + 1}"))
        self.start()
        return self.current_keys

    def token(self, client_id: str, *, audience: str = AUDIENCE) -> str:
        """An access token for ``client_id`` by the client-credentials grant."""
        c = self.clients[client_id]
        response = httpx.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "client_credentials",
                "client_id": c.client_id,
                "client_secret": c.secret,
                "resource": audience,
            },
            timeout=10,
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        assert isinstance(token, str)
        return token

    async def sign_in(self, authorization_url: str, login: str) -> str:
        """What a browser does at the provider, without one: follow the authorization URL to
        the login page, send the login name (any password), and return the URL the provider
        finally redirects to (the client's redirect URI with ``code`` and ``state``, or an
        ``error``)."""
        async with httpx.AsyncClient(timeout=10) as browser:
            response = await browser.get(authorization_url)
            while response.is_redirect:
                location = str(response.next_request.url) if response.next_request else ""
                if not location.startswith(self.issuer):
                    return location
                response = await browser.get(location)
            match = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            if match is None:
                raise RuntimeError(f"no login form at the provider: {response.text[:300]}")
            response = await browser.post(
                urljoin(str(response.url), match.group(1)),
                data={"prompt": "login", "login": login, "password": "any"},
            )
            while response.is_redirect:
                location = str(response.next_request.url) if response.next_request else ""
                if not location.startswith(self.issuer):
                    return location
                response = await browser.get(location)
            raise RuntimeError(f"the provider did not redirect back: {response.text[:300]}")

    def __enter__(self) -> OidcProvider:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
