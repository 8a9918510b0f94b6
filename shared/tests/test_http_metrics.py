"""The request metrics carry the matched route, for both the count and the latency."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY

from cchc_shared.chassis.http import measure_requests


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_latency_and_count_are_labelled_with_the_route_template() -> None:
    app = FastAPI()
    measure_requests(app)

    @app.get("/probe-metrics/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    route = {"method": "GET", "route": "/probe-metrics/{item_id}"}
    before_count = sample("cchc_http_request_seconds_count", route)
    before_requests = sample("cchc_http_requests_total", {**route, "status": "200"})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for item_id in (1, 2, 3):
            assert (await client.get(f"/probe-metrics/{item_id}")).status_code == 200
        assert (await client.get("/no-such-path")).status_code == 404

    assert sample("cchc_http_request_seconds_count", route) == before_count + 3
    assert sample("cchc_http_requests_total", {**route, "status": "200"}) == before_requests + 3
    unmatched = {"method": "GET", "route": "other"}
    assert sample("cchc_http_request_seconds_count", unmatched) >= 1


async def test_a_request_that_fails_in_the_app_is_counted_as_a_500() -> None:
    app = FastAPI()
    measure_requests(app)

    @app.get("/probe-metrics-failing")
    async def failing() -> None:
        raise RuntimeError("the handler fails")

    labels = {"method": "GET", "route": "/probe-metrics-failing", "status": "500"}
    before = sample("cchc_http_requests_total", labels)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/probe-metrics-failing")).status_code == 500
    assert sample("cchc_http_requests_total", labels) == before + 1
