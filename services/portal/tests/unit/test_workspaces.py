"""The PAR office's and the committee's pages against fake reporting and evaluation APIs:
each page renders what the APIs answer, the filters reach the API under its own names, a
refused decision comes back with the error beside its field and what was typed, a document
is streamed with its name, and each workspace refuses the other roles."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings

from ..conftest import Portal

INITIATIVE = str(uuid.uuid4())
ROUND = str(uuid.uuid4())
SCORES = {
    "evaluation_count": 2,
    "mean_score": 81.5,
    "min_score": 80.0,
    "max_score": 83.0,
    "spread": 3.0,
    "replicate": 2,
    "improve": 0,
    "not_recommended": 0,
}
DASHBOARD = {
    "campaign_year": 2023,
    "initiatives_active": 12,
    "agencies_participating": 9,
    "surveyed": 10,
    "recommended": 3,
    "by_level": {"district": 7, "commune": 5},
    "by_par_area": [
        {
            "par_area": "procedures",
            "par_area_name": "Cải cách thủ tục hành chính",
            "submitted": 8,
            "surveyed": 7,
            "recommended": 2,
            "mean_score": 78.0,
        },
    ],
}
ROW = {
    "initiative_id": INITIATIVE,
    "title": "Một cửa điện tử liên thông cấp phường",
    "kind_name": "Mô hình",
    "agency_name": "Phường Bến Nghé",
    "district_name": "Quận 1",
    "par_area_name": "Cải cách thủ tục hành chính",
    "status_name": "Đề xuất nhân rộng",
    "visit_date": "2023-05-12",
    "scores": SCORES,
}
RESULT = {
    "initiative_id": INITIATIVE,
    "initiative": {"title": ROW["title"], "agency_code": "26740"},
    "aggregate": {
        "count": 2,
        "quorum_required": 2,
        "final_score": 62.0,
        "minimum": 60.0,
        "maximum": 64.0,
        "disagreement": False,
    },
    "meets_threshold": False,
    "decision": None,
}


KEPT_ID = "6f1c2a9e-4b7d-5e3f-8a21-0c9d8e7f6a5b"
# Intake's kept copy of the second refused message (none was kept of the first).
KEPT = {
    "rejection_id": KEPT_ID,
    "origin_source": "/platforms/quan-1",
    "origin_id": "msg-18",
    "campaign_year": 2023,
    "published_by": "platform-quan-1",
    "errors": [{"field": "$.data.campaign_year", "message": "Không có đợt năm 2023"}],
    "received_at": "2023-04-02T03:00:00+00:00",
    "rejected_at": "2023-04-02T03:00:00+00:00",
    "replays": 0,
    "replayed_at": None,
    "replayed_by": None,
    "status": "rejected",
    "initiative_id": None,
}


class FakeApis:
    """Reporting (port 8004) and evaluation (8003) as the pages read them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1")
        port = request.url.port
        if port == 8004:
            return self.reporting(path)
        if port == 8003:
            return self.evaluation(request, path)
        if port == 8001:
            return self.intake(request, path)
        return httpx.Response(404, json={"detail": []})

    def intake(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method == "GET" and path == "/inbound/rejections":
            return httpx.Response(200, json=[KEPT])
        if request.method == "POST" and path == f"/inbound/rejections/{KEPT_ID}/replay":
            return httpx.Response(200, json={**KEPT, "replays": 1})
        return httpx.Response(404, json={"detail": []})

    def reporting(self, path: str) -> httpx.Response:
        answers: dict[str, Any] = {
            "/campaigns": [{"campaign_year": 2023}],
            "/campaigns/2023/dashboard": DASHBOARD,
            "/campaigns/2023/initiatives": {"items": [ROW], "total": 1, "page": 1, "page_size": 50},
            "/campaigns/2023/recommended": {
                "items": [
                    {
                        **ROW,
                        "final_score": 81.5,
                        "evaluation_count": 2,
                        "scope_name": "Nhân rộng cấp xã",
                        "rationale": "Điểm bình quân 81,50, đạt ngưỡng.",
                    }
                ],
                "total": 1,
                "page": 1,
                "page_size": 100,
            },
            "/campaigns/2023/par-index": [
                {
                    "unit_code": "760",
                    "unit_name": "Quận 1",
                    "unit_level": "district",
                    "unit_level_name": "Thành phố Thủ Đức, quận, huyện",
                    "submitted": 3,
                    "surveyed": 3,
                    "recommended": 1,
                    "mean_score": 75.0,
                    "points": 2.5,
                },
            ],
            "/campaigns/2023/rounds": [{"round_id": ROUND, "sequence": 1}],
            "/campaigns/2023/rejections": [
                {
                    "origin_source": "/platforms/quan-1",
                    "origin_id": "msg-17",
                    "campaign_year": 2023,
                    "errors": [{"field": "$.data.agency_code", "message": "Mã cơ quan không có"}],
                    "rejected_at": "2023-04-02T03:00:00+00:00",
                },
                {
                    "origin_source": "/platforms/quan-1",
                    "origin_id": "msg-18",
                    "campaign_year": 2023,
                    "errors": [{"field": "$.data.campaign_year", "message": "Không có đợt"}],
                    "rejected_at": "2023-04-02T03:00:00+00:00",
                },
            ],
            f"/campaigns/2023/rounds/{ROUND}": {
                "round_id": ROUND,
                "sequence": 1,
                "status_name": "Đã thông báo",
                "starts_on": "2023-05-10",
                "ends_on": "2023-05-20",
                "visits_planned": 1,
                "visits_evaluated": 1,
                "team": [{"member_id": "a"}, {"member_id": "b"}, {"member_id": "c"}],
                "visits": [
                    {
                        "date": "2023-05-12",
                        "starts_at": "08:30:00",
                        "title": ROW["title"],
                        "agency_name": "Phường Bến Nghé",
                        "scores": SCORES,
                    }
                ],
            },
        }
        if path == "/campaigns/2023/documents/proposal.pdf":
            return httpx.Response(
                200,
                content=b"%PDF-1.7 fake",
                headers={
                    "Content-Type": "application/pdf",
                    "Content-Disposition": 'attachment; filename="proposal-2023.pdf"',
                },
            )
        if path in answers:
            return httpx.Response(200, json=answers[path])
        return httpx.Response(404, json={"detail": []})

    def evaluation(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == f"/initiatives/{INITIATIVE}/results":
            return httpx.Response(200, json=RESULT)
        if path == f"/initiatives/{INITIATIVE}/decision":
            body = json.loads(request.content)
            if "override_reason" not in body:
                return httpx.Response(
                    409,
                    json={
                        "detail": [
                            {
                                "field": "override_reason",
                                "message": "Điểm chưa đạt ngưỡng: cần ghi lý do "
                                "để đề xuất nhân rộng",
                            }
                        ]
                    },
                )
            return httpx.Response(201, json={})
        if path == "/campaigns/2023/ranking":
            return httpx.Response(
                200, json={"threshold": 70, "quorum_min": 2, "items": [{**RESULT, "rank": 1}]}
            )
        return httpx.Response(404, json={"detail": []})


@pytest.fixture
async def apis_portal() -> AsyncIterator[tuple[Portal, FakeApis]]:
    fake = FakeApis()
    app = create_app(
        PortalSettings(development_sign_in=True), transport=httpx.MockTransport(fake.handle)
    )
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1:8000"
        ) as client,
    ):
        yield Portal(client, None), fake  # type: ignore[arg-type]


async def _sign_in(portal: Portal, role: str) -> None:
    params = {"role": role}
    if role == "agency_submitter":
        params["agency"] = "760"
    if role == "surveyor":
        params["member"] = "tv-01"
    response = await portal.client.get("/dev/sign-in", params=params)
    assert response.status_code == 303, response.text


async def test_the_committee_pages_show_the_charts_the_list_and_the_table(
    apis_portal: tuple[Portal, FakeApis],
) -> None:
    portal, _ = apis_portal
    await _sign_in(portal, "committee_viewer")
    home = await portal.client.get("/committee")
    assert home.status_code == 200, home.text
    assert home.text.count('<svg class="chart"') == 3
    assert "Cải cách thủ tục hành chính: 8" in home.text  # the chart's text description
    recommended = await portal.client.get("/committee/recommended")
    assert "Điểm bình quân 81,50, đạt ngưỡng." in recommended.text
    assert "81.50 điểm" in recommended.text
    table = await portal.client.get("/committee/par-index")
    assert "Quận 1" in table.text and "2.5" in table.text


async def test_a_document_is_streamed_with_its_name(apis_portal: tuple[Portal, FakeApis]) -> None:
    portal, fake = apis_portal
    await _sign_in(portal, "committee_viewer")
    response = await portal.client.get("/documents/2023/proposal.pdf")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 fake"
    assert response.headers["content-disposition"] == 'attachment; filename="proposal-2023.pdf"'
    assert response.headers["cache-control"] == "private, no-store"
    assert fake.requests[-1].headers["authorization"].startswith("Bearer ")
    missing = await portal.client.get("/documents/2023/survey-report.pdf")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.text


async def test_the_triage_filters_reach_reporting_under_its_names(
    apis_portal: tuple[Portal, FakeApis],
) -> None:
    portal, fake = apis_portal
    await _sign_in(portal, "secretariat")
    response = await portal.client.get(
        "/office",
        params={"q": "MOT CUA", "status": "recommended", "level": "commune", "par_area": ""},
    )
    assert response.status_code == 200
    sent = next(r for r in reversed(fake.requests) if r.url.path.endswith("/initiatives"))
    assert dict(sent.url.params) == {
        "q": "MOT CUA",
        "status": "recommended",
        "level": "commune",
        "page": "1",
        "page_size": "50",
    }
    assert 'value="MOT CUA"' in response.text and ROW["title"] in response.text


async def test_progress_shows_evaluations_recorded_and_missing_per_visit(
    apis_portal: tuple[Portal, FakeApis],
) -> None:
    portal, _ = apis_portal
    await _sign_in(portal, "admin")
    response = await portal.client.get("/office/progress")
    assert response.status_code == 200
    row = response.text.split(ROW["title"])[1].split("</tr>")[0]
    assert '<td class="number">2</td>' in row and '<span class="warning">1</span>' in row


async def test_a_refused_decision_comes_back_with_the_error_beside_the_field(
    apis_portal: tuple[Portal, FakeApis],
) -> None:
    portal, _ = apis_portal
    await _sign_in(portal, "secretariat")
    page = await portal.client.get(f"/office/decisions/{INITIATIVE}")
    form = {
        "csrf_token": portal.csrf(page.text),
        "decision": "replicate",
        "scope": "commune_level",
        "rationale": "Hiệu quả rõ, dễ áp dụng.",
    }
    refused = await portal.client.post(f"/office/decisions/{INITIATIVE}", data=form)
    assert refused.status_code == 409
    assert 'id="override_reason-error"' in refused.text
    assert "cần ghi lý do để đề xuất nhân rộng" in refused.text
    assert "Hiệu quả rõ, dễ áp dụng.</textarea>" in refused.text
    assert '<option value="replicate" selected>' in refused.text
    decided = await portal.client.post(
        f"/office/decisions/{INITIATIVE}",
        data={**form, "override_reason": "Mô hình mới, được người dân đánh giá cao."},
    )
    assert decided.status_code == 303
    forged = await portal.client.post(
        f"/office/decisions/{INITIATIVE}", data={**form, "csrf_token": "x"}
    )
    assert forged.status_code == 403


async def test_the_refused_inbound_messages_are_listed_with_their_reasons(
    apis_portal: tuple[Portal, FakeApis],
) -> None:
    portal, _ = apis_portal
    await _sign_in(portal, "secretariat")
    response = await portal.client.get("/office/rejections")
    assert response.status_code == 200
    assert "/platforms/quan-1 · msg-17" in response.text
    assert "<code>$.data.agency_code</code>: Mã cơ quan không có" in response.text
    assert "cchc dlq replay --queue intake.inbound --id msg-17" in response.text
    # msg-18 was kept by intake: its latest reasons, and a replay form (no operator command)
    assert "Không có đợt năm 2023" in response.text
    assert "--id msg-18" not in response.text
    assert response.text.count(">Xử lý lại</button>") == 1
    assert f'action="/office/rejections/{KEPT_ID}/replay?campaign_year=2023"' in response.text


async def test_a_kept_refused_message_is_replayed_by_a_form_with_its_token(
    apis_portal: tuple[Portal, FakeApis],
) -> None:
    portal, fake = apis_portal
    await _sign_in(portal, "secretariat")
    page = await portal.client.get("/office/rejections")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    path = f"/office/rejections/{KEPT_ID}/replay?campaign_year=2023"
    forged = await portal.client.post(path, data={"csrf_token": "x"})
    assert forged.status_code == 403
    assert not [r for r in fake.requests if r.method == "POST"]
    done = await portal.client.post(path, data={"csrf_token": token.group(1)})
    assert done.status_code == 303
    assert done.headers["location"] == (
        f"/office/rejections?campaign_year=2023&replayed={KEPT_ID}#rejection-{KEPT_ID}"
    )
    [replayed] = [r for r in fake.requests if r.method == "POST"]
    assert replayed.url.path == f"/api/v1/inbound/rejections/{KEPT_ID}/replay"
    assert replayed.headers["authorization"].startswith("Bearer ")


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("agency_submitter", "/office"),
        ("agency_submitter", "/committee"),
        ("agency_submitter", "/documents/2023/proposal.pdf"),
        ("committee_viewer", "/office/decisions"),
        ("surveyor", "/committee/recommended"),
    ],
)
async def test_each_workspace_refuses_the_other_roles(
    apis_portal: tuple[Portal, FakeApis], role: str, path: str
) -> None:
    portal, _ = apis_portal
    await _sign_in(portal, role)
    response = await portal.client.get(path)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.text
