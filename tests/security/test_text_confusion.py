"""Text is what it looks like, over the real HTTP entrypoints: a title that only looks like
one already submitted (zero-width or bidi characters, fullwidth digits, Cyrillic or Greek
look-alikes) is refused as a duplicate, a file name loses its bidi override, and a title that
a spreadsheet program would run as a formula is exported as text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from cchc_testkit.bus import publish_as_services
from cchc_testkit.waiting import eventually

from .conftest import OWN_AGENCY, Booted, bearer, submitted_initiative
from .figures import count

pytestmark = pytest.mark.integration

AREA = "text confusion"
WARD = bearer("agency_submitter", agency=OWN_AGENCY)
STAFF = bearer("secretariat")

TITLE = "Mô hình “Một cửa số hóa” tại phường năm 2024"
LOOKALIKES = {
    "zero-width space": TITLE.replace(" ", " \u200b"),
    "zero-width joiner and word joiner": TITLE.replace("cửa", "c\u200dửa\u2060"),
    "bidi override": TITLE.replace("phường", "\u202ephường\u202c"),
    "byte-order mark and soft hyphen": "\ufeff" + TITLE.replace("số hóa", "số\u00ad hóa"),
    "fullwidth digits": TITLE.replace("2024", "２０２４"),
    "Cyrillic a, o, e": TITLE.replace("cửa", "cử\u0430").replace("số", "s\u043e\u0302\u0301"),
    "Cyrillic capitals": TITLE.upper().replace("M", "\u041c").replace("T", "\u0422"),
    "Greek omicron and iota": TITLE.replace("tại", "tạ\u03b9").replace("hóa", "h\u03bf\u0301a"),
}
BODY = {
    "kind": "model",
    "summary": "Số hóa hồ sơ thủ tục hành chính tại bộ phận một cửa của phường.",
    "par_area": "procedures",
    "applied_since": "2022-03-01",
    "results": "95% hồ sơ được số hóa; thời gian tra cứu giảm một nửa.",
    "limitations": "",
}
FORMULA = '=HYPERLINK("http://x","y")'


async def test_a_title_that_only_looks_different_is_refused_as_a_duplicate(
    booted: dict[str, Booted],
) -> None:
    client = booted["intake"].client
    first = await client.post("/api/v1/initiatives", json={**BODY, "title": TITLE}, headers=WARD)
    assert first.status_code == 201, first.text
    existing = first.json()["initiative_id"]
    for how, title in LOOKALIKES.items():
        assert title != TITLE
        count(AREA, "look-alike titles")
        answer = await client.post(
            "/api/v1/initiatives", json={**BODY, "title": title}, headers=WARD
        )
        assert answer.status_code == 409, (how, answer.text)
        assert answer.json()["existing_id"] == existing, how
        [fault] = answer.json()["detail"]
        assert fault["field"] == "title" and "cùng tên" in fault["message"], how
        count(AREA, "refused as duplicates")

    # Stored and shown as it looks: invisible characters gone, fullwidth digits plain.
    other = TITLE.replace("Mô hình", "Giải pháp")
    hidden = other.replace(" ", "\u200b ").replace("2024", "２０２４") + "\u202e"
    shown = await client.post("/api/v1/initiatives", json={**BODY, "title": hidden}, headers=WARD)
    assert shown.status_code == 201, shown.text
    assert shown.json()["title"] == other
    read = await client.get(f"/api/v1/initiatives/{shown.json()['initiative_id']}", headers=WARD)
    assert read.json()["title"] == other
    count(AREA, "stored without format characters")


async def test_a_file_name_with_a_bidi_override_is_stored_without_it(
    booted: dict[str, Booted],
) -> None:
    client = booted["intake"].client
    created = await client.post(
        "/api/v1/initiatives",
        json={**BODY, "title": "Giải pháp lưu trữ hồ sơ điện tử"},
        headers=WARD,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/initiatives/{created.json()['initiative_id']}/attachments"
    # Shown as "Báo cáo-gpj.pdf": a JPEG that looks like a PDF.
    name = "Báo cáo-\u202efdp.jpg"
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
    uploaded = await client.post(url, files={"file": (name, jpeg, "image/jpeg")}, headers=WARD)
    count(AREA, "file names with U+202E")
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["filename"] == "Báo cáo-fdp.jpg"
    [listed] = (await client.get(url, headers=WARD)).json()
    assert listed["filename"] == "Báo cáo-fdp.jpg"
    download = await client.get(f"{url}/{listed['attachment_id']}", headers=WARD)
    assert download.status_code == 200
    assert "%E2%80%AE" not in download.headers["content-disposition"]
    count(AREA, "stored without it")


async def test_a_formula_title_is_exported_as_text(booted: dict[str, Booted]) -> None:
    service = booted["reporting"]
    event = submitted_initiative(
        kind="solution",
        title=FORMULA,
        summary="+1 hồ sơ mỗi ngày",
        results="@SUM(1+1)",
        limitations="-2",
        submitted_at=datetime.now(UTC) - timedelta(days=3),
    )
    year = event.campaign_year
    await publish_as_services(service.amqp_url, event)
    url = f"/api/v1/campaigns/{year}/exports/initiatives"

    async def exported() -> httpx.Response | None:
        answer = await service.client.get(f"{url}.csv", headers=STAFF)
        known = answer.status_code == 200 and str(event.initiative_id) in answer.text
        return answer if known else None

    answer = await eventually(exported, "the reporting service never learnt of the initiative")

    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    [row] = [r for r in rows if r[-1] == str(event.initiative_id)]
    count(AREA, "formula cells exported")
    assert row[0] == "'" + FORMULA
    count(AREA, "quoted in CSV")

    xlsx = await service.client.get(f"{url}.xlsx", headers=STAFF)
    assert xlsx.status_code == 200
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"HYPERLINK" in sheet_xml
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    [cell] = [c for c in sheet["A"] if c.value == FORMULA]
    assert cell.data_type == "s" and cell.quotePrefix
    numbers = [c for c in sheet[cell.row] if isinstance(c.value, (int, float))]
    assert numbers and all(c.data_type == "n" for c in numbers)
    count(AREA, "string cells in XLSX")
