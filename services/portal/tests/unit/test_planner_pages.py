"""The PAR office's planner pages against a fake scheduling that answers the planner-job API
as its contract says: start a job, follow its progress, stop it, see the best proposal on a
calendar with its warnings, accept it, adjust a draft round (a refused field comes back beside
it, everything typed kept) and confirm it."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings
from cchc_portal.service_layer.planner import calendar_of, job_body, round_body

INITIATIVE = str(uuid.uuid4())
VISIT = {
    "visit_id": str(uuid.uuid4()),
    "initiative_id": INITIATIVE,
    "agency_code": "760",
    "date": "2026-06-09",
    "starts_at": "08:30",
    "place": "UBND Quận 1",
}
TEAM = [{"member_id": "snv-pgd-01", "role": "head"}, {"member_id": "stttt-02", "role": "member"}]


def _fault(status: int, field_name: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"detail": [{"field": field_name, "message": message, "message_en": ""}]}
    )


@dataclass
class FakeScheduling:
    """The planner job runs until it has been looked at twice (or is stopped)."""

    looks: int = 0
    stopped: bool = False
    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    def job(self, job_id: str) -> dict[str, Any]:
        running = self.looks < 2 and not self.stopped
        solutions = [{"elapsed_seconds": 0.4, "objective": 120.0, "bound": 100.0, "gap": 0.2}]
        best = {
            "proposal_id": "p-1",
            "campaign_year": 2026,
            "objective": 120.0,
            "bound": 100.0,
            "gap": 0.2,
            "quality": {
                "rounds_used": 1,
                "visits": 1,
                "travel_days": 1,
                "districts_per_survey_day": 1.0,
                "member_load": {"min": 0, "mean": 0.5, "max": 1},
                "visits_per_month": {"2026-06": 1},
            },
            "warnings": [
                {
                    "rule": "expertise_coverage",
                    "message": "Đoàn chưa có thành viên am hiểu lĩnh vực",
                }
            ],
            "rounds": [{"team": TEAM, "visits": [VISIT]}],
        }
        return {
            "job_id": job_id,
            "campaign_year": 2026,
            "status": "running" if running else ("stopped" if self.stopped else "done"),
            "elapsed_seconds": 1.5,
            "solutions": solutions,
            "best": None if running else best,
            "error": None,
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, path, body))
        if path == "/health/live":
            return httpx.Response(200, json={"status": "ok"})
        if path == "/plan-jobs" and request.method == "POST":
            if body.get("campaign_year") != 2026:
                return _fault(422, "campaign_year", "Năm khảo sát không hợp lệ")
            return httpx.Response(202, json={"job_id": "j-1", "status": "running"})
        if path == "/plan-jobs/j-1":
            self.looks += 1
            return httpx.Response(200, json=self.job("j-1"))
        if path == "/plan-jobs/j-1/stop":
            self.stopped = True
            return httpx.Response(200, json=self.job("j-1"))
        if path.startswith("/plan-jobs/"):
            return _fault(404, "job_id", "Không tìm thấy")
        if path == "/plans/p-1/accept":
            round_id = str(uuid.uuid4())
            self.rounds[round_id] = {
                "round_id": round_id,
                "campaign_year": 2026,
                "sequence": None,
                "status": "draft",
                "title": "",
                "starts_on": VISIT["date"],
                "ends_on": VISIT["date"],
                "version": 1,
                "reason": "",
                "team": [
                    {**TEAM[0], "name": "Nguyễn Văn An", "agency_code": "SNV"},
                    {**TEAM[1], "name": "Trần Thị Bình", "agency_code": "STTTT"},
                ],
                "visits": [{**VISIT, "round_id": round_id}],
                "violations": [],
            }
            return httpx.Response(201, json=list(self.rounds.values()))
        if path == "/rounds":
            return httpx.Response(200, json=list(self.rounds.values()))
        if path.startswith("/rounds/"):
            round_id = path.split("/")[2]
            found = self.rounds.get(round_id)
            if found is None:
                return _fault(404, "round_id", "Không tìm thấy")
            if request.method == "PUT":
                day = date.fromisoformat(body["visits"][0]["date"])
                if day.weekday() >= 5:
                    return _fault(422, "visits[0].date", "Ngày khảo sát không phải ngày làm việc")
                found["visits"][0].update(body["visits"][0])
                found["title"] = body["title"]
            if path.endswith("/confirm"):
                found["status"], found["sequence"] = "confirmed", 1
            return httpx.Response(200, json=found)
        if path == "/campaigns":  # reporting: the campaigns it has initiatives of
            return httpx.Response(200, json=[{"campaign_year": 2026}])
        if path == "/roster":
            return httpx.Response(200, json=[{"member_id": "snv-pgd-01", "name": "Nguyễn Văn An"}])
        if path == "/pool":
            return httpx.Response(200, json=[{"initiative_id": INITIATIVE, "title": "Một cửa số"}])
        return _fault(404, "", "Không tìm thấy")


@pytest.fixture
async def office() -> AsyncIterator[tuple[httpx.AsyncClient, FakeScheduling]]:
    fake = FakeScheduling()
    app = create_app(
        PortalSettings(development_sign_in=True), transport=httpx.MockTransport(fake.handle)
    )
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1:8000"
        ) as client,
    ):
        signed = await client.get("/dev/sign-in", params={"role": "secretariat"})
        assert signed.status_code == 303
        yield client, fake


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


async def test_the_office_plans_follows_the_job_accepts_adjusts_and_confirms(
    office: tuple[httpx.AsyncClient, FakeScheduling],
) -> None:
    client, fake = office
    home = await client.get("/office/planner")
    assert home.status_code == 200 and "Lập lịch khảo sát tự động" in home.text
    token = _csrf(home.text)

    refused = await client.post(
        "/office/planner/jobs",
        data={"csrf_token": token, "campaign_year": "1999", "first_day": "2026-06-01"},
    )
    assert refused.status_code == 422
    assert 'id="campaign_year-error">Năm khảo sát không hợp lệ' in refused.text
    assert 'value="2026-06-01"' in refused.text  # what was typed comes back

    started = await client.post(
        "/office/planner/jobs", data={"csrf_token": token, "campaign_year": "2026"}
    )
    assert started.status_code == 303
    assert started.headers["location"] == "/office/planner/jobs/j-1"
    assert ("POST", "/plan-jobs", {"campaign_year": 2026}) in fake.sent

    running = await client.get("/office/planner/jobs/j-1")
    assert "Đang lập phương án" in running.text
    assert 'hx-trigger="every 2s"' in running.text and 'http-equiv="refresh"' in running.text
    assert "Dừng và dùng phương án tốt nhất hiện có" in running.text

    stopped = await client.post("/office/planner/jobs/j-1/stop", data={"csrf_token": token})
    assert stopped.status_code == 303
    done = await client.get("/office/planner/jobs/j-1")
    assert "Đã dừng" in done.text and "every 2s" not in done.text
    assert "Tháng 6/2026" in done.text and "Đợt 1: 1 cuộc" in done.text
    assert "Đoàn chưa có thành viên am hiểu lĩnh vực" in done.text
    assert "Một cửa số" in done.text and "Nguyễn Văn An" in done.text
    assert "0 – 1 cuộc (bình quân 0,5)" in done.text and "06/2026: 1" in done.text

    accepted = await client.post(
        "/office/planner/jobs/j-1/accept", data={"csrf_token": token, "proposal_id": "p-1"}
    )
    assert accepted.status_code == 303
    drafts = await client.get(accepted.headers["location"])
    assert "Đã tạo 1 dự thảo" in drafts.text
    [round_id] = fake.rounds

    adjust = {"csrf_token": token, "title": "Đợt 1 — Quận 1", "visits[0].date": "2026-06-13"}
    saturday = await client.post(f"/office/planner/rounds/{round_id}", data=adjust)
    assert saturday.status_code == 422
    assert 'id="visits-0-date-error">Ngày khảo sát không phải ngày làm việc' in saturday.text
    assert 'value="Đợt 1 — Quận 1"' in saturday.text and 'value="2026-06-13"' in saturday.text

    adjust["visits[0].date"] = "2026-06-10"
    saved = await client.post(f"/office/planner/rounds/{round_id}", data=adjust)
    assert saved.status_code == 303
    assert fake.rounds[round_id]["visits"][0]["date"] == "2026-06-10"
    confirmed = await client.post(
        f"/office/planner/rounds/{round_id}/confirm", data={"csrf_token": token}
    )
    page = await client.get(confirmed.headers["location"])
    assert "Đã xác nhận và gửi thông báo" in page.text and "Đã xác nhận" in page.text


async def test_another_job_is_not_found_and_a_form_without_its_token_is_refused(
    office: tuple[httpx.AsyncClient, FakeScheduling],
) -> None:
    client, _ = office
    assert (await client.get("/office/planner/jobs/nope")).status_code == 404
    forged = await client.post("/office/planner/jobs", data={"campaign_year": "2026"})
    assert forged.status_code == 403


def test_the_form_is_the_job_body_and_the_calendar_marks_each_visit_day() -> None:
    assert job_body({"campaign_year": "2026", "first_day": "", "time_limit_seconds": "2,5"}) == {
        "campaign_year": 2026,
        "time_limit_seconds": 2.5,
    }
    [june] = calendar_of([{"visits": [VISIT, {**VISIT, "date": "2026-06-10"}]}])
    days = {d.day: d.entries for week in june.weeks for d in week if d.day}
    assert days[date(2026, 6, 9)] == ["Đợt 1: 1 cuộc"] and days[date(2026, 6, 11)] == []
    assert june.weeks[0][0].day == date(2026, 6, 1)  # a Monday: the first column
    body = round_body({"title": "", "team": TEAM, "visits": [VISIT]}, {"team[1].role": "secretary"})
    assert body["team"][1] == {"member_id": "stttt-02", "role": "secretary"}
    assert body["visits"][0]["date"] == VISIT["date"] and body["reason"] == ""
