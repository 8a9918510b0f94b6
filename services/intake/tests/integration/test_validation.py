"""Bad input gets a precise 4xx naming the field, in Vietnamese and English."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import httpx
import pytest

from ..conftest import Clock, bearer, initiative_body

pytestmark = pytest.mark.integration

WARD = bearer("agency_submitter", "26740")
ADMIN = bearer("admin")


def fields_of(answer: httpx.Response) -> set[str]:
    detail = answer.json()["detail"]
    assert all(d["message"] and d["message_en"] for d in detail), detail
    return {d["field"] for d in detail}


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str] = WARD, **fields: object
) -> httpx.Response:
    return await client.post("/api/v1/initiatives", json=initiative_body(**fields), headers=headers)


async def test_required_fields_lengths_text_and_dates(client: httpx.AsyncClient) -> None:
    empty = await client.post("/api/v1/initiatives", json={}, headers=WARD)
    assert empty.status_code == 422
    assert fields_of(empty) == {"kind", "title", "summary", "par_area", "applied_since", "results"}

    cases = {
        "title": ("x" * 301, "Dài quá 300 ký tự"),
        "summary": ("   ", "Không được để trống"),
        "results": ("Kết quả\x07 tốt", "U+0007"),
        "limitations": ("Hạn chế\x00", "U+0000"),
        "applied_since": ((date.today() + timedelta(days=30)).isoformat(), "tương lai"),
        "par_area": ("sports", "Giá trị không thuộc danh sách cho phép"),
        "kind": ("project", "Giá trị không thuộc danh sách cho phép"),
    }
    for field, (value, reason) in cases.items():
        answer = await submit(client, **{field: value})
        assert answer.status_code == 422, (field, answer.text)
        [fault] = answer.json()["detail"]
        assert fault["field"] == field
        assert reason in fault["message"], fault
    two_lines = await submit(client, title="Dòng một\nDòng hai")
    assert fields_of(two_lines) == {"title"}
    several = await submit(client, title="", results="\x00", applied_since="2099-01-01")
    assert fields_of(several) == {"title", "results", "applied_since"}


async def test_text_is_stored_nfc(client: httpx.AsyncClient) -> None:
    decomposed = unicodedata.normalize("NFD", "Mô hình “Phường Bến Nghé không hẹn lần hai”")
    answer = await submit(client, title=f"  {decomposed}  ")
    assert answer.status_code == 201, answer.text
    assert answer.json()["title"] == unicodedata.normalize("NFC", decomposed.strip())


async def test_same_title_twice_in_a_campaign_answers_409_with_the_existing_id(
    client: httpx.AsyncClient,
) -> None:
    first = (await submit(client, title="Mô hình Một cửa thông minh")).json()
    for variant in (
        "mô hình một cửa thông minh",
        "MO HINH  MOT CUA   THONG MINH",
        "Mô hình Một Cửa Thông Minh ",
    ):
        answer = await submit(client, title=variant)
        assert answer.status_code == 409, variant
        assert answer.json()["existing_id"] == first["initiative_id"]
        [fault] = answer.json()["detail"]
        assert fault["field"] == "title" and first["initiative_id"] in fault["message"]

    elsewhere = await submit(
        client, bearer("agency_submitter", "26743"), title="Mô hình Một cửa thông minh"
    )
    assert elsewhere.status_code == 201
    second = (await submit(client, title="Mô hình Zalo phường")).json()
    clash = await client.patch(
        f"/api/v1/initiatives/{second['initiative_id']}",
        json={"title": "MÔ HÌNH MỘT CỬA THÔNG MINH"},
        headers=WARD,
    )
    assert clash.status_code == 409
    assert clash.json()["existing_id"] == first["initiative_id"]

    await client.post(f"/api/v1/initiatives/{first['initiative_id']}/withdraw", headers=WARD)
    again = await submit(client, title="Mô hình Một cửa thông minh")
    assert again.status_code == 201, "a withdrawn title may be proposed again"


async def test_submissions_outside_the_window_are_refused_clearly(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    year = date.today().year
    clock.set(date(year, 7, 15))
    closed = await submit(client, campaign_year=2023)
    assert closed.status_code == 422
    [fault] = closed.json()["detail"]
    assert fault["field"] == "campaign_year"
    assert "01/01/2023" in fault["message"] and "31/10/2023" in fault["message"]
    assert "2023-10-31" in fault["message_en"]
    assert fields_of(await submit(client, campaign_year=2019)) == {"campaign_year"}

    taken = (await submit(client)).json()
    assert taken["campaign_year"] == year
    shut = await client.patch(
        f"/api/v1/campaigns/{year}", json={"submission_closes_on": f"{year}-07-14"}, headers=ADMIN
    )
    assert shut.status_code == 200, shut.text
    assert shut.json()["accepting_submissions"] is False
    refused = await submit(client, title="Sáng kiến muộn")
    assert refused.status_code == 422
    assert fields_of(refused) == {"campaign_year"}
    late = await client.patch(
        f"/api/v1/initiatives/{taken['initiative_id']}", json={"title": "Sửa muộn"}, headers=WARD
    )
    assert late.status_code == 409
    assert fields_of(late) == {"campaign_year"}

    reopened = await client.patch(
        "/api/v1/campaigns/2023",
        json={"submission_closes_on": f"{year}-12-31"},
        headers=ADMIN,
    )
    assert reopened.json()["accepting_submissions"] is True
    assert (await submit(client, campaign_year=2023)).status_code == 201
    assert (await submit(client, title="Theo đợt đang mở")).json()["campaign_year"] == 2023


async def test_malformed_requests(client: httpx.AsyncClient) -> None:
    not_json = await client.post(
        "/api/v1/initiatives",
        content=b"{oops",
        headers={**WARD, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    bad_id = await client.get("/api/v1/initiatives/not-a-uuid", headers=WARD)
    assert bad_id.status_code == 422
    assert "initiative_id" in fields_of(bad_id).pop()
    bad_query = await client.get("/api/v1/initiatives?page=0&district=7600", headers=WARD)
    assert bad_query.status_code == 422
    assert len(fields_of(bad_query)) == 2
    control = await client.get("/api/v1/initiatives?q=%00", headers=WARD)
    assert control.status_code == 422
    assert fields_of(control) == {"q"}
    nothing = await client.get("/api/v1/nothing-here", headers=WARD)
    assert nothing.status_code == 404
    assert fields_of(nothing) == {"path"}
