"""Listing with filters, diacritics-insensitive search and pagination."""

from __future__ import annotations

import httpx
import pytest

from ..conftest import bearer, initiative_body

pytestmark = pytest.mark.integration

STAFF = bearer("secretariat")
PROPOSALS = [
    ("26740", "model", "procedures", "Mô hình “Bến Nghé không hẹn lần hai”"),
    ("26743", "solution", "digital_government", "Giải pháp chữ ký số cho hộ kinh doanh"),
    ("760", "initiative", "procedures", "Sáng kiến một cửa liên thông Quận 1"),
    ("26794", "model", "civil_service", "Đánh giá công chức qua khảo sát người dân"),
    ("769", "solution", "digital_government", "Trung tâm điều hành đô thị thông minh Thủ Đức"),
    ("SNV", "initiative", "organisation", "Sắp xếp tổ chức bộ máy tinh gọn"),
    ("CTHUE", "solution", "public_finance", "Hoàn thuế điện tử trong 24 giờ"),
]


async def listed(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] = STAFF
) -> list[str]:
    answer = await client.get(f"/api/v1/initiatives?{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return sorted(item["agency_code"] for item in answer.json()["items"])


async def test_filters_search_and_pages(client: httpx.AsyncClient) -> None:
    ids = {}
    for agency, kind, area, title in PROPOSALS:
        answer = await client.post(
            "/api/v1/initiatives",
            json=initiative_body(agency_code=agency, kind=kind, par_area=area, title=title),
            headers=STAFF,
        )
        assert answer.status_code == 201, answer.text
        ids[agency] = answer.json()["initiative_id"]
    await client.post(f"/api/v1/initiatives/{ids['26743']}/withdraw", headers=STAFF)

    assert await listed(client, "district=760") == ["26740", "26743", "760"]
    assert await listed(client, "district=769") == ["26794", "769"]
    assert await listed(client, "level=commune") == ["26740", "26743", "26794"]
    assert await listed(client, "level=vertical_agency") == ["CTHUE"]
    assert await listed(client, "agency=SNV") == ["SNV"]
    assert await listed(client, "par_area=digital_government") == ["26743", "769"]
    assert await listed(client, "kind=solution&status=submitted") == ["769", "CTHUE"]
    assert await listed(client, "status=withdrawn") == ["26743"]
    assert await listed(client, "campaign_year=2023") == []

    assert await listed(client, "q=mot%20cua") == ["760"]
    assert await listed(client, "q=M%E1%BB%98T%20C%E1%BB%ACA") == ["760"]  # "MỘT CỬA"
    assert await listed(client, "q=thu%20%20duc") == ["769"]
    assert await listed(client, "q=phuong%20ben%20nghe") == ["26740"]  # the agency's name
    assert await listed(client, "q=dien%20tu") == ["CTHUE"]
    assert await listed(client, "q=50%25") == []  # LIKE wildcards are literal

    pages = [
        (await client.get(f"/api/v1/initiatives?page_size=3&page={n}", headers=STAFF)).json()
        for n in (1, 2, 3, 4)
    ]
    assert [p["total"] for p in pages] == [7, 7, 7, 7]
    assert [len(p["items"]) for p in pages] == [3, 3, 1, 0]
    seen = [item["initiative_id"] for p in pages for item in p["items"]]
    assert sorted(seen) == sorted(ids.values())
    districts = {i["agency_code"]: i["district_code"] for p in pages for i in p["items"]}
    assert districts == {
        "26740": "760",
        "26743": "760",
        "760": "760",
        "26794": "769",
        "769": "769",
        "SNV": None,
        "CTHUE": None,
    }

    ward = bearer("agency_submitter", "26740")
    assert await listed(client, "", ward) == ["26740"]
    assert await listed(client, "district=769", ward) == []
