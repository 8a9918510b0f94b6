"""The public pages of the follow-up of replication, against a fake reporting API: read
without signing in, no token sent, the districts drawn as tiles, an unknown model a 404 page."""

from __future__ import annotations

import json
import unicodedata
import uuid
from typing import Any

import httpx

from cchc_portal.config import PortalSettings
from cchc_shared.reference import districts

from ..conftest import FakeIntake, portal_for

MODEL = str(uuid.uuid4())
SUMMARY: dict[str, Any] = {
    "initiative_id": MODEL,
    "title": "Giải pháp “Một cửa số liên thông cấp huyện”",
    "agency_code": "760",
    "agency_name": "Quận 1",
    "par_area": "procedures",
    "campaign_year": 2023,
    "decision_number": "4821/QĐ-UBND",
    "signed_on": "2023-12-20",
    "scope": "district_level",
    "deadline": "2024-09-30",
    "targets": 21,
    "adopted": 6,
    "adoption_percent": 28.6,
    "counts": {
        "adopted": 6,
        "in_progress": 1,
        "not_started": 0,
        "not_suitable": 1,
        "no_report": 13,
    },
    "results": {
        "processing_days_before": 6.0,
        "processing_days_after": 3.5,
        "satisfaction_percent": 90.5,
        "cases_handled": 1200,
    },
}
DETAIL = {
    **SUMMARY,
    "target_agencies": [],
    "timeline": [{"quarter": "2024-Q1", "counts": SUMMARY["counts"], "reports": 7, "late": 1}],
    "districts": [
        {
            "district_code": d.code,
            "name": d.name,
            "targets": 0 if d.code == "760" else 1,
            "adopted": 1 if i < 7 and d.code != "760" else 0,
            "percent": None if d.code == "760" else (100.0 if i < 7 else 0.0),
        }
        for i, d in enumerate(districts())
    ],
}


ASSIGNMENT = {
    "initiative_id": MODEL,
    "title": SUMMARY["title"],
    "decision_number": "4821/QĐ-UBND",
    "deadline": "2024-09-30",
    "overdue": True,
    "target": {"standing": "in_progress", "last_quarter": "2024-Q1"},
}


class FakeReporting(FakeIntake):
    """Reporting's follow-up and replication's reports, as the portal sees them."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1")
        if path == "/follow-up/models":
            return httpx.Response(200, json=[SUMMARY])
        if path == "/follow-up/agencies/760":
            return httpx.Response(200, json=[ASSIGNMENT])
        if path == "/follow-up/overdue":
            return httpx.Response(200, json=[])
        if path == "/agencies/760/assignments":
            return httpx.Response(
                200,
                json=[
                    {
                        "model": {"initiative_id": MODEL, "title": SUMMARY["title"]},
                        "decision_number": "4821/QĐ-UBND",
                    }
                ],
            )
        if path == "/adoption-reports":
            body = json.loads(request.content)
            if body.get("indicators", {}).get("satisfaction_percent", 0) > 100:
                message = "Tỷ lệ hài lòng 104% phải trong khoảng 0 đến 100%"
                fault = {"field": "indicators.satisfaction_percent", "message": message}
                return httpx.Response(422, json={"detail": [{**fault, "message_en": ""}]})
            return httpx.Response(201, json={"report_id": str(uuid.uuid4()), **body})
        if path == f"/follow-up/models/{MODEL}":
            return httpx.Response(200, json=DETAIL)
        if path.startswith("/follow-up/models/"):
            return httpx.Response(
                404,
                json={
                    "detail": [{"field": "initiative_id", "message": "Không có", "message_en": ""}]
                },
            )
        return super().handle(request)


async def test_the_recognised_models_are_public() -> None:
    fake = FakeReporting()
    async for portal in portal_for(PortalSettings(), fake):
        listing = await portal.client.get("/nhan-rong")
        assert listing.status_code == 200, listing.text
        assert unicodedata.is_normalized("NFC", listing.text)
        assert (
            "6/21" in listing.text and "Quyết định số 4821/QĐ-UBND ngày 20/12/2023" in listing.text
        )
        detail = await portal.client.get(f"/nhan-rong/{MODEL}")
        assert detail.status_code == 200
        assert detail.text.count('class="tile ') == 22
        assert "col-6 row-3 shade-none" in detail.text  # Quận 1: its own model, no target
        assert (
            "Mức hài lòng bình quân" in detail.text
            and "90,5%" in detail.text
            and "(28,6%)" in detail.text
        )
        # Nothing was sent on a person's behalf.
        assert all("authorization" not in r.headers for r in fake.requests)
        missing = await portal.client.get(f"/nhan-rong/{uuid.uuid4()}")
        assert missing.status_code == 404


async def test_an_agency_reports_on_a_model_and_a_refusal_keeps_what_was_typed() -> None:
    fake = FakeReporting()
    async for portal in portal_for(PortalSettings(development_sign_in=True), fake):
        await portal.sign_in("agency_submitter", "760")
        home = await portal.client.get("/agency/nhan-rong")
        assert home.status_code == 200 and "Quá hạn" in home.text and "Đang triển khai" in home.text
        page = await portal.client.get(f"/agency/nhan-rong/{MODEL}/bao-cao")
        form = {
            "csrf_token": portal.csrf(page.text),
            "quarter": "2024-Q2",
            "status": "adopted",
            "started_on": "2024-04-02",
            "adaptation": "Bố trí thêm quầy hướng dẫn.",
            "indicators.satisfaction_percent": "104",
            "indicators.cases_handled": "120",
        }
        refused = await portal.client.post(f"/agency/nhan-rong/{MODEL}/bao-cao", data=form)
        assert refused.status_code == 422
        assert "phải trong khoảng 0 đến 100%" in refused.text
        assert 'value="104"' in refused.text and "Bố trí thêm quầy hướng dẫn." in refused.text
        [*_, sent] = [json.loads(r.content) for r in fake.requests if r.method == "POST"]
        assert sent["indicators"] == {"satisfaction_percent": 104.0, "cases_handled": 120}
        accepted = await portal.client.post(
            f"/agency/nhan-rong/{MODEL}/bao-cao",
            data={**form, "indicators.satisfaction_percent": "95,5"},
        )
        assert accepted.status_code == 303
        assert json.loads(fake.requests[-1].content)["indicators"]["satisfaction_percent"] == 95.5


async def test_the_par_office_has_its_follow_up_board() -> None:
    async for portal in portal_for(PortalSettings(development_sign_in=True), FakeReporting()):
        await portal.sign_in("secretariat", "")
        board = await portal.client.get("/office/nhan-rong")
        assert board.status_code == 200 and "6/21" in board.text
        assert "Không có đơn vị quá hạn." in board.text
