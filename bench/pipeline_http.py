"""The pipeline benchmark's HTTP run: intake's API under 16 concurrent clients."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from pipeline_common import SECRET, percentile

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.reference import load_agencies

# ---- intake's HTTP API -----------------------------------------------------------------


async def http_load(
    base_url: str,
    count: int,
    concurrency: int,
    request: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    expected: int,
) -> tuple[dict[str, Any], list[httpx.Response]]:
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    latencies: list[float] = []
    responses: list[httpx.Response] = []
    failures: list[str] = []
    next_index = iter(range(count))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60, limits=limits
    ) as client:

        async def worker() -> None:
            for index in next_index:
                started = time.perf_counter()
                response = await request(client, index)
                latencies.append(1000 * (time.perf_counter() - started))
                if response.status_code == expected:
                    responses.append(response)
                else:
                    failures.append(f"{response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {count} requests failed, e.g. {failures[0]}")
    return {
        "rate": count / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "requests": count,
        "concurrency": concurrency,
    }, responses


async def intake_http(base_url: str, count: int) -> dict[str, Any]:
    agencies = [a.code for a in load_agencies().values()]
    year = int(time.strftime("%Y"))
    tag = uuid.uuid4().hex[:8]

    def post(client: httpx.AsyncClient, index: int) -> Awaitable[httpx.Response]:
        return client.post(
            "/api/v1/initiatives",
            json={
                "agency_code": agencies[index % len(agencies)],
                "campaign_year": year,
                "kind": "solution",
                "title": f"Giải pháp đo hiệu năng {tag} số {index}",
                "summary": "Một đề xuất gửi qua API để đo thông lượng của bộ phận tiếp nhận.",
                "par_area": "digital_government",
                "applied_since": "2022-01-01",
                "results": "Rút ngắn thời gian xử lý.",
                "limitations": "",
            },
        )

    posted, responses = await http_load(base_url, count, 16, post, 201)
    ids = [r.json()["initiative_id"] for r in responses]

    def get(client: httpx.AsyncClient, index: int) -> Awaitable[httpx.Response]:
        return client.get(f"/api/v1/initiatives/{ids[index % len(ids)]}")

    read, _ = await http_load(base_url, count, 16, get, 200)
    return {"post": posted, "get": read}
