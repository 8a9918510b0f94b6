"""Oversized request bodies are refused with 413 by every service (the kit's BodySizeLimit),
whether the client declares the length or streams the body chunked without one, and before
authentication or validation get a chance to read it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from .conftest import SERVICES, Booted, bearer
from .figures import count

pytestmark = pytest.mark.integration

# A write operation of each service (JSON body); staff may call it.
TARGETS = {
    "intake": ("POST", "/api/v1/initiatives"),
    "scheduling": ("POST", "/api/v1/roster"),
    "evaluation": ("PUT", "/api/v1/rubrics/2030"),
    "reporting": ("POST", "/api/v1/admin/rebuild"),
    "notifications": ("PUT", "/api/v1/campaigns/2030/settings"),
    "replication": ("POST", "/api/v1/decisions"),
}


def _tally(status: int) -> None:
    count("body size", "oversized bodies")
    refused = status in (400, 413, 422)
    count("body size", "server errors" if status >= 500 else "refused" if refused else "accepted")


def limit_of(booted: Booted) -> int:
    for middleware in booted.app.user_middleware:
        if middleware.cls.__name__ == "BodySizeLimit":
            return int(middleware.kwargs["max_bytes"])
    raise AssertionError(f"{booted.name} has no BodySizeLimit middleware")


def oversized(limit: int) -> bytes:
    return b'{"title": "' + b"x" * (limit + 1024) + b'"}'


@pytest.mark.parametrize("with_token", [True, False], ids=["admin", "anonymous"])
@pytest.mark.parametrize("service", SERVICES)
async def test_declared_oversized_body_is_refused(
    booted: dict[str, Booted], service: str, with_token: bool
) -> None:
    target = booted[service]
    method, path = TARGETS[service]
    headers = {"Content-Type": "application/json", **(bearer("admin") if with_token else {})}
    answer = await target.client.request(
        method, path, content=oversized(limit_of(target)), headers=headers
    )
    _tally(answer.status_code)
    assert answer.status_code == 413, answer.text[:200]
    assert answer.json()["detail"][0]["field"] == "body"


# Reporting has no operation that reads a request body (its one POST takes none), so a
# streamed body there is never read at all; its declared-length case is covered above.
BODY_READERS = [s for s in SERVICES if s != "reporting"]


async def _streamed_oversized(target: Booted, headers: dict[str, str]) -> httpx.Response:
    """A body over the service's limit, streamed in 64 KiB chunks (no Content-Length of its
    own) to its body-reading operation, with ``headers``."""
    method, path = TARGETS[target.name]
    body = oversized(limit_of(target))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    return await target.client.request(
        method,
        path,
        content=chunks(),
        headers={"Content-Type": "application/json", **headers, **bearer("admin")},
    )


@pytest.mark.parametrize("service", BODY_READERS)
async def test_chunked_oversized_body_is_refused(booted: dict[str, Booted], service: str) -> None:
    answer = await _streamed_oversized(booted[service], {})
    assert "content-length" not in {k.lower() for k in answer.request.headers}
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    _tally(answer.status_code)
    assert answer.status_code == 413, answer.text[:200]


@pytest.mark.parametrize("service", BODY_READERS)
async def test_a_lying_content_length_does_not_bypass_the_limit(
    booted: dict[str, Booted], service: str
) -> None:
    """A small declared length with a large streamed body is still cut off."""
    answer = await _streamed_oversized(booted[service], {"Content-Length": "10"})
    _tally(answer.status_code)
    assert answer.status_code in (400, 413, 422), answer.text[:200]
    assert answer.status_code < 500
