"""The agency registry, PAR areas and campaigns over HTTP; health and OpenAPI."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from ..conftest import bearer

pytestmark = pytest.mark.integration

ANYONE = bearer("committee_viewer")
ADMIN = bearer("admin")


async def test_agency_registry(client: httpx.AsyncClient) -> None:
    async def codes(query: str) -> list[str]:
        answer = await client.get(f"/api/v1/agencies?{query}", headers=ANYONE)
        assert answer.status_code == 200, answer.text
        return [a["code"] for a in answer.json()]

    assert len(await codes("level=district")) == 22
    assert len(await codes("level=commune")) == 312
    assert "SNV" in await codes("level=city_department")
    assert "CTHUE" in await codes("level=vertical_agency")
    quan1 = await codes("district=760")
    assert quan1[0] == "760" and len(quan1) == 11
    assert await codes("q=ben%20nghe") == ["26740"]

    ward = await client.get("/api/v1/agencies/26740", headers=ANYONE)
    assert ward.json() == {
        "code": "26740",
        "name": "Phường Bến Nghé",
        "level": "commune",
        "parent_code": "760",
        "unit_type": "Phường",
        "ward_count": 0,
    }
    thu_duc = (await client.get("/api/v1/agencies/769", headers=ANYONE)).json()
    assert thu_duc["name"] == "Thành phố Thủ Đức" and thu_duc["ward_count"] > 30
    missing = await client.get("/api/v1/agencies/99999", headers=ANYONE)
    assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == "code"

    areas = (await client.get("/api/v1/par-areas", headers=ANYONE)).json()
    assert [a["code"] for a in areas] == [
        "institutional",
        "procedures",
        "organisation",
        "civil_service",
        "public_finance",
        "digital_government",
    ]
    assert (await client.get("/api/v1/agencies")).status_code == 401


async def test_campaigns(client: httpx.AsyncClient) -> None:
    year = date.today().year
    listed = {c["year"]: c for c in (await client.get("/api/v1/campaigns", headers=ANYONE)).json()}
    plan = listed[2023]
    assert (plan["survey_starts_on"], plan["survey_ends_on"]) == ("2023-06-01", "2023-10-31")
    assert plan["accepting_submissions"] is False
    assert listed[year]["accepting_submissions"] is True

    body = {
        "year": 2030,
        "submission_opens_on": "2030-01-01",
        "submission_closes_on": "2030-05-31",
        "survey_starts_on": "2030-06-01",
        "survey_ends_on": "2030-10-31",
    }
    created = await client.post("/api/v1/campaigns", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json()["title"].endswith("năm 2030")
    assert (await client.post("/api/v1/campaigns", json=body, headers=ADMIN)).status_code == 409
    assert (
        await client.post("/api/v1/campaigns", json=body, headers=bearer("secretariat"))
    ).status_code == 403

    backwards = await client.patch(
        "/api/v1/campaigns/2030", json={"submission_closes_on": "2029-12-01"}, headers=ADMIN
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["field"] == "submission_closes_on"
    moved = await client.patch(
        "/api/v1/campaigns/2030",
        json={"survey_starts_on": "2030-07-01", "title": "Đợt khảo sát 2030"},
        headers=ADMIN,
    )
    assert moved.status_code == 200
    again = (await client.get("/api/v1/campaigns/2030", headers=ANYONE)).json()
    assert (again["survey_starts_on"], again["title"]) == ("2030-07-01", "Đợt khảo sát 2030")
    assert (await client.get("/api/v1/campaigns/2099", headers=ANYONE)).status_code == 404
    out_of_range = await client.get("/api/v1/campaigns/1999", headers=ANYONE)
    assert out_of_range.status_code == 422
    assert out_of_range.json()["detail"][0]["field"] == "path.year"
    extra = await client.patch("/api/v1/campaigns/2030", json={"year": 2031}, headers=ADMIN)
    assert extra.status_code == 422


async def test_health_metrics_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert "cchc_http_requests_total" in (await client.get("/metrics")).text
    spec = (await client.get("/openapi.json")).json()
    assert {"/api/v1/initiatives", "/api/v1/agencies", "/api/v1/campaigns"} <= set(spec["paths"])
    assert "bearer" in spec["components"]["securitySchemes"]
