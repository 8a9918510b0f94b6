"""A whole campaign's events through the real broker into the real service (SQLite and
PostgreSQL): the figures served over HTTP equal the ones computed by hand; a rebuild from the
log gives the same read models; exports and documents come out of the same views."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import os
import subprocess
import sys
from datetime import date
from typing import Any

import aio_pika
import httpx
import openpyxl
import pytest
from fastapi import FastAPI

from cchc_reporting.config import ReportingSettings
from cchc_shared.contracts import encode_event

from ..campaign import (
    AMENDED_TITLE_A,
    DISTINCT_EVENTS,
    EXPECTED_AREAS,
    EXPECTED_DASHBOARD,
    EXPECTED_PAR,
    EXPECTED_POINTS,
    EXPECTED_RANKING,
    SPEC,
    campaign_messages,
    submitted,
    uid,
)
from ..conftest import ADMIN, SECRETARIAT, bearer, publish, wait_logged

pytestmark = pytest.mark.integration

API = "/api/v1/campaigns/2023"


async def fed(client: httpx.AsyncClient, amqp_url: str) -> None:
    await publish(amqp_url, campaign_messages())
    await wait_logged(client, DISTINCT_EVENTS)


async def snapshot(client: httpx.AsyncClient) -> dict[str, Any]:
    """Everything the API serves about the campaign."""
    paths = [
        "/dashboard",
        "/ranking?page_size=500",
        "/par-index",
        "/recommended",
        "/rounds",
        "/agencies?page_size=500",
        "/initiatives?page_size=500",
        *(f"/initiatives/{uid(k)}" for k in "ABCDEFGH"),
        *(f"/rounds/{uid(f'round-{n}')}" for n in (1, 2, 3)),
    ]
    result = {}
    for path in paths:
        response = await client.get(API + path, headers=SECRETARIAT)
        assert response.status_code == 200, (path, response.text)
        result[path] = response.json()
    return result


async def test_campaign_figures_equal_the_hand_computed_ones(
    client: httpx.AsyncClient, amqp_url: str
) -> None:
    await fed(client, amqp_url)
    dashboard = (await client.get(f"{API}/dashboard", headers=SECRETARIAT)).json()
    areas = {
        a["par_area"]: (a["submitted"], a["surveyed"], a["recommended"], a["mean_score"])
        for a in dashboard.pop("by_par_area")
    }
    assert dashboard == EXPECTED_DASHBOARD
    assert areas == EXPECTED_AREAS

    ranking = (await client.get(f"{API}/ranking", headers=SECRETARIAT)).json()
    assert ranking["total"] == len(EXPECTED_RANKING)
    assert [
        (r["rank"], r["initiative_id"], r["scores"]["mean_score"]) for r in ranking["items"]
    ] == [(rank, str(uid(key)), score) for rank, key, score in EXPECTED_RANKING]
    assert ranking["items"][1]["title"] == AMENDED_TITLE_A

    par = (await client.get(f"{API}/par-index", headers=SECRETARIAT)).json()
    rows = {
        r["unit_code"]: (r["submitted"], r["surveyed"], r["recommended"], r["mean_score"])
        for r in par
    }
    assert {code: rows.pop(code) for code in EXPECTED_PAR} == EXPECTED_PAR
    points = {r["unit_code"]: r["points"] for r in par if r["unit_code"] in EXPECTED_POINTS}
    assert points == EXPECTED_POINTS
    assert set(rows.values()) == {(0, 0, 0, None)} and len(rows) == 50
    districts = (await client.get(f"{API}/par-index?level=district", headers=SECRETARIAT)).json()
    assert len(districts) == 22 and districts[0]["unit_name"] == "Quận 1"

    recommended = (await client.get(f"{API}/recommended", headers=SECRETARIAT)).json()
    assert [(r["initiative_id"], r["final_score"], r["scope"]) for r in recommended["items"]] == [
        (str(uid("D")), 87.0, "district_level"),
        (str(uid("A")), 85.33, "city_wide"),
    ]

    # Filters and pagination.
    page = (await client.get(f"{API}/initiatives?page=2&page_size=3", headers=SECRETARIAT)).json()
    assert (page["total"], len(page["items"]), page["page"]) == (8, 3, 2)
    district_1 = (
        await client.get(f"{API}/initiatives?district_code=760", headers=SECRETARIAT)
    ).json()
    assert {i["agency_code"] for i in district_1["items"]} == {"760", "26740", "26734"}
    withdrawn = (
        await client.get(f"{API}/initiatives?status=withdrawn", headers=SECRETARIAT)
    ).json()
    assert [i["initiative_id"] for i in withdrawn["items"]] == [str(uid("F"))]
    search = (
        await client.get(f"{API}/ranking", params={"q": "ben nghe"}, headers=SECRETARIAT)
    ).json()
    assert [(i["rank"], i["agency_code"]) for i in search["items"]] == [(3, "26740")]
    cards = (await client.get(f"{API}/agencies?level=commune", headers=SECRETARIAT)).json()
    assert {(c["agency_code"], c["submitted"], c["withdrawn"]) for c in cards["items"]} == {
        ("26740", 1, 0),
        ("26734", 0, 1),
    }

    round_2 = (await client.get(f"{API}/rounds/{uid('round-2')}", headers=SECRETARIAT)).json()
    assert (round_2["status"], round_2["starts_on"], round_2["visits_planned"]) == (
        "rescheduled",
        "2023-07-17",
        3,
    )
    assert [v["initiative_id"] for v in round_2["visits"]] == [str(uid(k)) for k in ("E", "F", "H")]
    detail = (await client.get(f"{API}/initiatives/{uid('A')}", headers=SECRETARIAT)).json()
    assert sorted(e["total"] for e in detail["evaluations"]) == [81, 85, 90]
    assert detail["recommendation"]["scope_name"] == "Nhân rộng toàn Thành phố"


async def test_rebuild_from_the_log_gives_identical_read_models(
    app: FastAPI, client: httpx.AsyncClient, amqp_url: str, settings: ReportingSettings
) -> None:
    await fed(client, amqp_url)
    services = app.state.services

    async def facts() -> Any:
        async with services.uow() as uow:
            return (await uow.facts.load_all()).by_kind

    live_facts, live_api = await facts(), await snapshot(client)

    response = await client.post("/api/v1/admin/rebuild", headers=ADMIN)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["events"] == report["projected"] == DISTINCT_EVENTS
    assert report["rows"]["rm_initiative"] == 8 and report["rows"]["rm_visit"] == 8
    assert await facts() == live_facts
    assert await snapshot(client) == live_api

    # The documented command, run as its own process against the same database.
    env = {
        **os.environ,
        "CCHC_REPORTING_DATABASE_URL": settings.resolved_database_url,
        "CCHC_AMQP_URL": settings.amqp_url,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cchc_reporting", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"from {DISTINCT_EVENTS} logged events" in result.stdout
    assert "generation 2" in result.stdout
    assert await facts() == live_facts
    assert await snapshot(client) == live_api

    # Live events keep projecting onto the rebuilt read models.
    late = submitted("G").model_copy(update={"initiative_id": uid("late"), "title": "Muộn"})
    await publish(amqp_url, [encode_event(late, source="/cchc/intake")])
    await wait_logged(client, DISTINCT_EVENTS + 1)
    dashboard = (await client.get(f"{API}/dashboard", headers=SECRETARIAT)).json()
    assert dashboard["initiatives_received"] == 9


async def test_who_may_read_what(client: httpx.AsyncClient, amqp_url: str) -> None:
    await fed(client, amqp_url)
    assert (await client.get(f"{API}/dashboard")).status_code == 401
    for role, member in (("surveyor", "m1"), ("agency_submitter", None)):
        headers = bearer(role, agency="STP" if role == "agency_submitter" else None, member=member)
        assert (await client.get(f"{API}/dashboard", headers=headers)).status_code == 403
    viewer = bearer("committee_viewer")
    assert (await client.get(f"{API}/par-index", headers=viewer)).status_code == 200
    assert (await client.post("/api/v1/admin/rebuild", headers=viewer)).status_code == 403
    assert (await client.post("/api/v1/admin/rebuild", headers=SECRETARIAT)).status_code == 403

    stp = bearer("agency_submitter", agency="STP")
    own = await client.get(f"{API}/agencies/STP", headers=stp)
    # The agency's figures count only its decided initiative (A 85.33), not B (74.33).
    assert own.status_code == 200 and own.json()["mean_score"] == 85.33
    assert (await client.get(f"{API}/agencies/CTHUE", headers=stp)).status_code == 403
    listed = (await client.get(f"{API}/initiatives", headers=stp)).json()
    assert {i["agency_code"] for i in listed["items"]} == {"STP"} and listed["total"] == 2
    other = await client.get(f"{API}/initiatives?agency_code=CTHUE", headers=stp)
    assert other.status_code == 403
    hidden = await client.get(f"{API}/initiatives/{uid('C')}", headers=stp)
    assert hidden.status_code == 404  # another agency's initiative is not shown to exist

    missing = await client.get("/api/v1/campaigns/2031/dashboard", headers=SECRETARIAT)
    assert missing.status_code == 404 and missing.json()["detail"][0]["field"] == "year"
    bad = await client.get(f"{API}/ranking?par_area=cooking", headers=SECRETARIAT)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "query.par_area"


async def test_what_an_agency_sees_of_its_evaluations(
    client: httpx.AsyncClient, amqp_url: str
) -> None:
    """The visibility policy: STP's A is decided (recommended), its B is not. The agency sees
    B's status only, and A's outcome with the team's pooled findings; never an evaluator."""
    await fed(client, amqp_url)
    stp = bearer("agency_submitter", agency="STP")
    evaluators = ("m-head", "m1", "m2", "m3", "s1")

    undecided = await client.get(f"{API}/initiatives/{uid('B')}", headers=stp)
    assert undecided.status_code == 200, undecided.text
    b = undecided.json()
    assert b["disclosure"] == "status" and b["status"] == "evaluated"
    assert b["scores"] is None and b["evaluations"] == [] and b["outcome"] is None
    assert b["decision"] is None and b["recommendation"] is None
    assert "Ưu điểm" not in undecided.text and "Thiếu nhân lực" not in undecided.text
    assert not any(f'"{m}"' in undecided.text for m in evaluators)

    decided = await client.get(f"{API}/initiatives/{uid('A')}", headers=stp)
    assert decided.status_code == 200, decided.text
    a = decided.json()
    assert a["disclosure"] == "outcome" and a["evaluations"] == [] and a["scores"] is None
    assert a["decision"] == "replicate" and a["recommendation"]["final_score"] == 85.33
    outcome = a["outcome"]
    assert outcome["decision"] == "replicate" and outcome["final_score"] == 85.33
    assert outcome["evaluation_count"] == 3
    assert outcome["strengths"] == [f"Ưu điểm của {SPEC['A'].title}: người dân hài lòng."]
    assert outcome["difficulties"] == ["Thiếu nhân lực có chuyên môn."]
    assert not any(f'"{m}"' in decided.text for m in evaluators)

    listed = (await client.get(f"{API}/initiatives", headers=stp)).json()["items"]
    assert {i["disclosure"] for i in listed} == {"status", "outcome"}
    assert all(i["scores"] is None for i in listed)
    card = (await client.get(f"{API}/agencies/STP", headers=stp)).json()
    assert (card["evaluations"], card["best_score"], card["surveyed"]) == (3, 85.33, 2)
    assert all(i["scores"] is None for i in card["initiatives"])

    # The PAR office sees what it saw: every sheet, with its evaluator.
    staff = (await client.get(f"{API}/initiatives/{uid('B')}", headers=SECRETARIAT)).json()
    assert staff["disclosure"] == "full" and len(staff["evaluations"]) == 3
    assert {e["evaluator_id"] for e in staff["evaluations"]} <= set(evaluators)
    assert staff["scores"]["evaluation_count"] == 3
    staff_card = (await client.get(f"{API}/agencies/STP", headers=SECRETARIAT)).json()
    assert staff_card["mean_score"] == 79.83


async def test_csv_and_xlsx_exports(client: httpx.AsyncClient, amqp_url: str) -> None:
    await fed(client, amqp_url)
    response = await client.get(f"{API}/exports/ranking.csv", headers=SECRETARIAT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Hạng", "Tên mô hình, giải pháp, sáng kiến", "Loại"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        (str(rank), AMENDED_TITLE_A if key == "A" else SPEC[key].title)
        for rank, key, _ in EXPECTED_RANKING
    ]
    score_column = rows[0].index("Điểm trung bình")
    assert [r[score_column] for r in rows[1:]] == ["87,00", "85,33", "78,00", "74,33", "65,33"]

    response = await client.get(
        f"{API}/exports/initiatives.xlsx?district_code=760", headers=SECRETARIAT
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Tên mô hình, giải pháp, sáng kiến", "Loại"]
    assert "Ngày khảo sát" in header and "Điểm trung bình" in header
    cells = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert {r["Mã cơ quan"].value for r in cells} == {"760", "26740", "26734"}
    d = next(r for r in cells if r["Mã cơ quan"].value == "760")
    score = d["Điểm trung bình"]
    assert (score.value, score.data_type, score.number_format) == (87, "n", "#,##0.00")
    count = d["Số phiếu đánh giá"]
    assert (count.value, count.data_type, count.number_format) == (3, "n", "#,##0")
    assert d["Ngày khảo sát"].is_date and d["Ngày khảo sát"].value.date() == date(2023, 6, 15)
    assert d["Ngày đăng ký"].is_date and d["Mã cơ quan"].data_type == "s"
    d = {name: cell.value for name, cell in d.items()}
    assert d["Quận, huyện"] == "Quận 1" and d["Tình trạng"] == "Đề xuất nhân rộng"

    par = await client.get(f"{API}/exports/par-index.xlsx", headers=SECRETARIAT)
    par_sheet = openpyxl.load_workbook(io.BytesIO(par.content)).active
    assert par_sheet is not None and par_sheet.max_row == 1 + 54
    assert (await client.get(f"{API}/exports/nothing.csv", headers=SECRETARIAT)).status_code == 422


async def test_documents_are_served(client: httpx.AsyncClient, amqp_url: str) -> None:
    await fed(client, amqp_url)
    for kind in ("survey-report", "proposal", "par-index-annex"):
        pdf = await client.get(f"{API}/documents/{kind}.pdf", headers=SECRETARIAT)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), kind
        docx = await client.get(
            f"{API}/documents/{kind}.docx?number=125&issued_on=2023-11-15", headers=SECRETARIAT
        )
        assert docx.status_code == 200 and docx.content.startswith(b"PK"), kind
    round_pdf = await client.get(
        f"{API}/rounds/{uid('round-1')}/documents/survey-report.pdf", headers=SECRETARIAT
    )
    assert round_pdf.status_code == 200 and round_pdf.content.startswith(b"%PDF")
    assert round_pdf.headers["content-type"] == "application/pdf"


async def test_an_invalid_event_is_parked_with_its_reason_and_not_logged(
    client: httpx.AsyncClient, amqp_url: str
) -> None:
    valid = encode_event(submitted("B"), source="/cchc/intake")
    broken = json.loads(valid.body)
    broken["id"] = "broken-1"
    broken["data"]["par_area"] = "cooking"
    await publish(
        amqp_url,
        [dataclasses.replace(valid, event_id="broken-1", body=json.dumps(broken).encode()), valid],
    )
    await wait_logged(client, 1)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue("reporting.initiative.submitted.v1.dlq", passive=True)
        parked = None
        for _ in range(100):
            parked = await queue.get(fail=False)
            if parked is not None:
                break
            await asyncio.sleep(0.1)
        assert parked is not None
        assert parked.message_id == "broken-1"
        assert "$.data.par_area" in str(parked.headers["x-cchc-reason"])
        await parked.ack()
    finally:
        await connection.close()
    log = (await client.get("/api/v1/admin/log", headers=ADMIN)).json()
    assert log["events"] == 1 and log["by_type"] == {"vn.hcmc.cchc.initiative.submitted.v1": 1}
