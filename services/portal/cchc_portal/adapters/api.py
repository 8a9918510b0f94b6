"""The HTTP clients of the four services' APIs, called with the signed-in person's token.

Every answer the pages cannot use is turned into one of three exceptions: :class:`Refused`
(the API's 4xx with its field faults), :class:`SignInNeeded` (401: the token expired or was
revoked) and :class:`ServiceUnavailable` (not reachable, timed out, or a 5xx)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

# The services' Vietnamese names, for the pages that say one is down.
SERVICE_NAMES = {
    "intake": "phân hệ tiếp nhận",
    "scheduling": "phân hệ lập lịch khảo sát",
    "evaluation": "phân hệ đánh giá",
    "reporting": "phân hệ báo cáo",
    "notifications": "phân hệ gửi thư",
    "replication": "phân hệ theo dõi nhân rộng",
}


@dataclass
class Fault:
    field: str
    message: str
    message_en: str = ""


@dataclass
class Refused(Exception):
    status: int
    faults: list[Fault] = field(default_factory=list)

    def by_field(self) -> dict[str, str]:
        """The first fault of each field, its Vietnamese message only."""
        errors: dict[str, str] = {}
        for fault in self.faults:
            errors.setdefault(fault.field, _vietnamese(fault))
        return errors


class SignInNeeded(Exception):
    pass


@dataclass
class ServiceUnavailable(Exception):
    service: str
    reason: str

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES.get(self.service, self.service)


def _vietnamese(fault: Fault) -> str:
    # The API appends pydantic's English text to its Vietnamese one; the page shows Vietnamese.
    suffix = f": {fault.message_en}"
    if fault.message_en and fault.message.endswith(suffix):
        return fault.message.removesuffix(suffix)
    return fault.message


def _faults(response: httpx.Response) -> list[Fault]:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return []
    if not isinstance(detail, list):
        return []
    return [
        Fault(str(d.get("field", "")), str(d.get("message", "")), str(d.get("message_en", "")))
        for d in detail
        if isinstance(d, dict)
    ]


# The headers of a file download that the portal passes on to the browser.
FILE_HEADERS = ("content-type", "content-length", "content-disposition", "etag")


@dataclass
class Download:
    """A file answered by an API, streamed to the browser as it arrives."""

    headers: dict[str, str]
    response: httpx.Response

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.response.aiter_bytes():
                yield chunk
        finally:
            await self.response.aclose()


def _raise_for(service: str, response: httpx.Response) -> None:
    if response.status_code == 401:
        raise SignInNeeded
    if response.status_code >= 500:
        raise ServiceUnavailable(service, f"answered {response.status_code}")
    if response.status_code >= 400:
        raise Refused(response.status_code, _faults(response))


class ServiceApis:
    """One pooled client per service; :meth:`call` answers the JSON body or raises."""

    def __init__(
        self,
        urls: dict[str, str],
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.urls = urls
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport)
            for name, url in urls.items()
        }

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The JSON answer of one API call (``files``: a multipart upload; ``headers``: more
        request headers, e.g. an ``Idempotency-Key``)."""
        try:
            response = await self._clients[service].request(
                method,
                f"/api/v1{path}",
                json=json,
                params=params,
                files=files,
                # No token: what the services publish to everyone (the follow-up's models).
                headers={**(headers or {}), "Accept": "application/json"}
                | ({"Authorization": f"Bearer {token}"} if token is not None else {}),
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(service, f"{type(exc).__name__}: {exc}") from None
        _raise_for(service, response)
        return response.json() if response.content else None

    async def download(
        self, service: str, path: str, token: str, *, params: dict[str, Any] | None = None
    ) -> Download:
        """A file (a document, an attachment), its body not read yet: the caller streams it."""
        client = self._clients[service]
        request = client.build_request(
            "GET", f"/api/v1{path}", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(service, f"{type(exc).__name__}: {exc}") from None
        if response.status_code >= 400:
            try:
                await response.aread()
            finally:
                await response.aclose()
            _raise_for(service, response)
        headers = {k: v for k, v in response.headers.items() if k.lower() in FILE_HEADERS}
        return Download(headers, response)

    async def readiness(self) -> dict[str, Any]:
        """Each API reachable (its /health/live answers 200)?"""

        async def reachable(name: str) -> str:
            try:
                response = await self._clients[name].get("/health/live", timeout=2.0)
            except httpx.HTTPError as exc:
                return f"unreachable: {type(exc).__name__}"
            return "ok" if response.status_code == 200 else f"answered {response.status_code}"

        names = list(self._clients)
        results = await asyncio.gather(*(reachable(n) for n in names))
        checks: dict[str, Any] = dict(zip(names, results, strict=True))
        checks["ready"] = all(r == "ok" for r in results)
        return checks

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
