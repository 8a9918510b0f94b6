"""The PAR office plans a campaign with the planner job in the browser at a phone's size:
starts the job, follows its progress, stops it with its best plan, sees the proposed rounds on
a calendar with the warnings, accepts them as drafts, has an adjustment refused beside its
field with what was typed kept, adjusts a round and confirms it; scheduling then holds the
round confirmed. Every page passes ``check_page`` at 390 × 844."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import InitiativeSubmittedV1
from cchc_testkit.bus import publish_as_services

from .conftest import SECRET, Stack, check_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.parametrize("stack", ["development"], indirect=True),
]

YEAR = 2023  # the Department's plan (seed/survey-plan-2023): its survey window and calendar
AGENCIES = ("760", "774", "26740", "26734", "STP", "SYT", "769", "27004")
AREAS = ("procedures", "digital_government", "organisation", "institutional")


def secretariat() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(AuthSettings(secret=SECRET), 'secretariat')}"}


async def a_campaign_in_the_pool(stack: Stack, size: int) -> list[str]:
    """``size`` initiatives of the 2023 campaign, announced as intake does, once scheduling's
    pool holds them all."""
    items = [
        InitiativeSubmittedV1(
            initiative_id=uuid.uuid4(),
            campaign_year=YEAR,
            agency_code=AGENCIES[i % len(AGENCIES)],
            kind="model",
            title=f"Sáng kiến cải cách hành chính số {i + 1}",
            summary="Tiếp nhận và trả kết quả thủ tục hành chính trong ngày.",
            par_area=AREAS[i % len(AREAS)],
            applied_since=date(2022, 3, 1),
            results="Giảm 40% thời gian giải quyết hồ sơ.",
            limitations="",
            submitted_at=datetime(2023, 5, 2, 3, tzinfo=UTC),
        )
        for i in range(size)
    ]
    await publish_as_services(stack.processes.amqp_url, *items)
    wanted = {str(i.initiative_id) for i in items}
    async with httpx.AsyncClient(base_url=stack.url("scheduling"), headers=secretariat()) as client:
        for _ in range(300):
            pool = await client.get("/api/v1/pool", params={"campaign_year": YEAR})
            if wanted <= {p["initiative_id"] for p in pool.json()}:
                return sorted(wanted)
            await asyncio.sleep(0.1)
    raise AssertionError("scheduling's pool did not take in the campaign")


async def test_the_office_plans_with_the_planner_job_and_confirms_a_round(
    page: Any, stack: Stack
) -> None:
    await a_campaign_in_the_pool(stack, 12)
    await page.goto("/dev/sign-in?role=secretariat")
    await page.get_by_role("link", name="Lập lịch khảo sát", exact=True).click()
    await page.wait_for_url(re.compile(r"/office/planner$"))
    await check_page(page, "office-planner-01-start")

    await page.get_by_label("Năm khảo sát").fill(str(YEAR))
    await page.get_by_label("Thời gian tìm phương án tối đa (giây)").fill("30")
    await page.get_by_role("button", name="Bắt đầu lập phương án").click()
    await page.wait_for_url(re.compile(r"/office/planner/jobs/[0-9a-f-]{36}$"))
    job_url = page.url
    status = page.locator(".job-status")
    if "Đang lập phương án" in await status.inner_text():
        await check_page(page, "office-planner-02-running")
        # the first plan comes at once (greedy); the search goes on until it is stopped
        await page.wait_for_selector("table.data tbody tr")
        await page.get_by_role("button", name="Dừng và dùng phương án tốt nhất hiện có").click()
    # htmx (or the refresh) brings the finished job in place
    await page.wait_for_selector("#best-title", timeout=60_000)
    assert re.search("Đã xong|Đã dừng", await status.inner_text())
    await check_page(page, "office-planner-03-proposal")
    calendar = page.locator("table.calendar")
    assert await calendar.count() >= 1
    assert "Đợt 1:" in await calendar.first.inner_text()
    rounds = await page.locator("ol.rounds > li").count()
    assert rounds >= 1
    visits = await page.locator("ol.rounds ul.visits > li").count()
    assert 1 <= visits <= 12  # each initiative of the pool at most once

    await page.get_by_role("button", name="Chấp nhận phương án: tạo dự thảo các đợt").click()
    await page.wait_for_url(
        re.compile(rf"/office/planner\?campaign_year={YEAR}&accepted={rounds}$")
    )
    await check_page(page, "office-planner-04-drafts")
    assert f"Đã tạo {rounds} dự thảo" in await page.locator(".notice").inner_text()
    drafts = page.locator("#drafts-title + .cards .card")
    assert await drafts.count() == rounds

    # a draft round: a Sunday is refused beside the visit's date, what was typed kept
    await drafts.first.locator("a").click()
    await page.wait_for_url(re.compile(r"/office/planner/rounds/[0-9a-f-]{36}$"))
    round_url = page.url
    round_id = round_url.rsplit("/", 1)[1]
    await check_page(page, "office-planner-05-round")
    day = page.locator("#visits-0-date")
    planned = date.fromisoformat(await day.input_value())
    sunday = planned + timedelta(days=6 - planned.weekday())
    await page.get_by_label("Tên đợt khảo sát").fill("Đợt khảo sát thứ nhất")
    await day.fill(sunday.isoformat())
    await page.get_by_role("button", name="Lưu điều chỉnh").click()
    await page.wait_for_load_state("load")
    await check_page(page, "office-planner-06-refused")
    assert await page.locator(".error-summary").count() == 1
    assert await day.input_value() == sunday.isoformat()
    assert await page.get_by_label("Tên đợt khảo sát").input_value() == "Đợt khảo sát thứ nhất"

    # adjusted: the first visit on its planned day, in the agency's meeting hall; confirmed
    await day.fill(planned.isoformat())
    await page.locator("#visits-0-place").fill("Hội trường Ủy ban nhân dân")
    await page.get_by_role("button", name="Lưu điều chỉnh").click()
    await page.wait_for_url(re.compile(r"\?changed=1$"))
    assert "Đã lưu điều chỉnh" in await page.locator(".notice").first.inner_text()
    assert await page.locator("#visits-0-place").input_value() == "Hội trường Ủy ban nhân dân"
    await page.get_by_role("button", name="Xác nhận và gửi thông báo").click()
    await page.wait_for_url(re.compile(r"\?confirmed=1$"))
    await check_page(page, "office-planner-07-confirmed")
    assert "Đã xác nhận" in await page.locator(".lede").inner_text()

    async with httpx.AsyncClient(base_url=stack.url("scheduling"), headers=secretariat()) as client:
        found = (await client.get(f"/api/v1/rounds/{round_id}")).json()
    assert found["status"] == "confirmed" and found["title"] == "Đợt khảo sát thứ nhất"
    assert found["visits"][0]["place"] == "Hội trường Ủy ban nhân dân"
    assert job_url.startswith(stack.portal)
