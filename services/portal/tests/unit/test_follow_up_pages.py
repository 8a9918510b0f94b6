"""The public pages of the follow-up of replication, against a fake reporting API: read
without signing in, no token sent, the districts drawn as tiles, an unknown model a 404 page."""

from __future__ import annotations

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


class FakeReporting(FakeIntake):
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1")
        if path == "/follow-up/models":
            return httpx.Response(200, json=[SUMMARY])
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
