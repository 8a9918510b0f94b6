"""The notices' PDFs, fetched from scheduling's HTTP API (one renderer: scheduling's) with
this service's own credentials, so that no service reads another's database."""

from __future__ import annotations

import time
from typing import Protocol

import httpx

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.auth.oidc import DISCOVERY_PATH


class DocumentUnavailable(Exception):
    """Scheduling did not answer with the document now (down, busy, 5xx): try later."""


class DocumentGone(Exception):
    """Scheduling answered that the document does not exist (4xx): it will not come."""


class DocumentSource(Protocol):
    async def fetch(self, path: str) -> bytes: ...


class Credentials(Protocol):
    async def token(self) -> str: ...


class DevelopmentCredentials:
    """The local run: a development token of a read-only role that may read every notice."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings

    async def token(self) -> str:
        return issue_token(self.settings, "committee_viewer", subject="service:notifications")


class ClientCredentials:
    """Provider mode: an access token by the client-credentials grant, kept until shortly
    before it expires. The token endpoint is the setting's, or the provider's discovery
    document's (the kit's ``DISCOVERY_PATH`` under the issuer)."""

    def __init__(
        self, token_url: str | None, issuer: str, client_id: str, secret: str, timeout: float
    ) -> None:
        self.token_url, self.issuer = token_url, issuer.rstrip("/")
        self.client_id, self.secret, self.timeout = client_id, secret, timeout
        self._token: str | None = None
        self._expires = 0.0

    async def _endpoint(self, client: httpx.AsyncClient) -> str:
        if self.token_url is None:
            answer = await client.get(self.issuer + DISCOVERY_PATH)
            if answer.status_code != 200:
                raise DocumentUnavailable(f"discovery answered {answer.status_code}")
            self.token_url = str(answer.json()["token_endpoint"])
        return self.token_url

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires - 30:
            return self._token
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.post(
                    await self._endpoint(client),
                    data={"grant_type": "client_credentials"},
                    auth=(self.client_id, self.secret),
                )
        except httpx.HTTPError as exc:
            raise DocumentUnavailable(f"token endpoint: {type(exc).__name__}") from exc
        if answer.status_code != 200:
            raise DocumentUnavailable(f"token endpoint answered {answer.status_code}")
        body = answer.json()
        self._token = str(body["access_token"])
        self._expires = time.monotonic() + float(body.get("expires_in", 60))
        return self._token


class SchedulingDocuments:
    def __init__(self, base_url: str, credentials: Credentials, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout

    async def fetch(self, path: str) -> bytes:
        token = await self.credentials.token()
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.get(
                    self.base_url + path, headers={"Authorization": f"Bearer {token}"}
                )
        except httpx.HTTPError as exc:
            raise DocumentUnavailable(f"scheduling: {type(exc).__name__}: {exc}") from exc
        if answer.status_code == 200:
            return answer.content
        if answer.status_code in (401, 403, 408, 429) or answer.status_code >= 500:
            raise DocumentUnavailable(f"scheduling answered {answer.status_code} for {path}")
        raise DocumentGone(f"scheduling answered {answer.status_code} for {path}")
