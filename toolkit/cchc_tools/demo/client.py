"""The demo's HTTP client: tokens, retries, bounded gathering, waiting and readiness."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import httpx

from cchc_shared.auth import issue_token
from cchc_shared.reference import get_agency
from cchc_tools.demo.settings import SERVICES, DemoError, DemoSettings

T = TypeVar("T")


# Who the demo's people are called, so that its audit trails read as a real campaign's.
_DEMO_STAFF = {
    "secretariat": "Chuyên viên Phòng Cải cách hành chính",
    "admin": "Quản trị hệ thống Sở Nội vụ",
    "committee_viewer": "Văn phòng Ủy ban nhân dân Thành phố",
}


def demo_person(role: str, agency: str | None, member: str | None) -> str:
    """The display name of the demo's person in ``role`` (for ``agency`` or as ``member``)."""
    if agency is not None:
        found = get_agency(agency)
        return f"Cán bộ {found.name if found else agency}"
    if member is not None:
        return f"Thành viên tổ khảo sát {member}"
    return _DEMO_STAFF.get(role, role)


class Api:
    def __init__(self, settings: DemoSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self._tokens: dict[tuple[str, str | None, str | None], str] = {}

    def token(self, role: str, agency: str | None = None, member: str | None = None) -> str:
        key = (role, agency, member)
        if key not in self._tokens:
            self._tokens[key] = issue_token(
                self.settings.auth,
                role,
                agency=agency,
                member=member,
                name=demo_person(role, agency, member),
            )
        return self._tokens[key]

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        role: str = "secretariat",
        member: str | None = None,
        ok: Iterable[int] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        url = self.settings.urls[service] + path
        headers = {"Authorization": f"Bearer {self.token(role, member=member)}"}
        for attempt in range(5):
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                if attempt == 4:
                    raise DemoError(f"{method} {url}: {exc!r}") from exc
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if response.status_code >= 500 and attempt < 4:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if response.status_code not in ok:
                raise DemoError(
                    f"{method} {path} on {service}: {response.status_code} {response.text[:800]}"
                )
            return response
        raise AssertionError("unreachable")

    async def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return (await self.call("GET", service, path, **kwargs)).json()


async def _gather(limit: int, jobs: Iterable[Callable[[], Awaitable[T]]]) -> list[T]:
    semaphore = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await job()

    return await asyncio.gather(*(one(j) for j in jobs))


async def _until(
    what: str, check: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.5
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise DemoError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


async def wait_ready(api: Api, timeout: float) -> None:
    async def ready() -> bool:
        for service in SERVICES:
            try:
                response = await api.client.get(api.settings.urls[service] + "/health/ready")
            except httpx.TransportError:
                return False
            if response.status_code != 200:
                return False
        return True

    await _until("the services to be ready", ready, timeout)
