"""The PAR office's and the committee's pages, and an agency's full timeline, over a small
campaign played through the services' APIs (the demo: submissions, rounds planned and
confirmed, evaluations, decisions). Development sign-in; every page passes ``check_page``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_tools.demo import DemoSettings, run_demo
from cchc_tools.demo.settings import DemoSummary

from .conftest import API_SERVICES, SECRET, Stack, check_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(600),
    pytest.mark.parametrize("stack", ["development"], indirect=True),
]
YEAR = 2023


@pytest.fixture(scope="module")
async def played(stack: Stack) -> AsyncIterator[DemoSummary]:
    """A campaign of 16 initiatives (2 over the bus) played to its decisions, once."""
    summary = await run_demo(
        DemoSettings(
            urls={s: stack.url(s) for s in API_SERVICES},
            amqp_url=stack.processes.amqp_url,
            initiatives=16,
            inbound=2,
            auth=AuthSettings(secret=SECRET),
            progress=False,
            wait_timeout=150,
        )
    )
    assert summary.recommended >= 1, summary.lines()
    yield summary


async def _api(stack: Stack, service: str, path: str) -> Any:
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    async with httpx.AsyncClient(base_url=stack.url(service), timeout=30) as client:
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_committee_opens_the_recommended_list_and_downloads_a_document(
    page: Any, stack: Stack, played: DemoSummary
) -> None:
    await page.goto("/dev/sign-in?role=committee_viewer")
    await page.wait_for_url(re.compile(r"/committee$"))
    await check_page(page, "committee-01-dashboard")
    # three server-drawn charts, each an image with its title and a text description
    charts = page.locator("svg.chart[role=img]")
    assert await charts.count() == 3
    for index in range(3):
        assert await charts.nth(index).locator("title").count() == 1
    figures = await page.locator(".figures").inner_text()
    assert str(played.recommended) in figures
    assert await page.locator("#scores-desc").count() == 1

    await page.get_by_role("link", name="Xem danh sách đề xuất nhân rộng").click()
    await page.wait_for_url(re.compile(r"/committee/recommended(\?campaign_year=\d+)?$"))
    await check_page(page, "committee-02-recommended")
    cards = page.locator(".recommended .card")
    assert await cards.count() == played.recommended
    listed = await _api(stack, "reporting", f"/api/v1/campaigns/{YEAR}/recommended")
    shown = await page.locator(".recommended").inner_text()
    for item in listed["items"]:  # each with its score and its reasons
        assert item["title"] in shown and item["rationale"] in shown, item["title"]

    await page.get_by_role("link", name="Chỉ số CCHC").click()
    await page.wait_for_url(re.compile(r"/committee/par-index(\?campaign_year=\d+)?$"))
    await check_page(page, "committee-03-par-index")
    assert await page.locator("tbody tr").count() >= 1

    await page.get_by_role("link", name="Văn bản", exact=True).click()
    await page.wait_for_url(re.compile(r"/committee/documents(\?campaign_year=\d+)?$"))
    await check_page(page, "committee-04-documents")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Tờ trình đề xuất công nhận và nhân rộng (PDF)").click()
    download = await info.value
    assert download.suggested_filename == f"proposal-{YEAR}.pdf"
    content = (await download.path()).read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 2000

    # the committee has no office page, and no agency's workspace
    for path in ("/office", "/office/decisions", "/agency"):
        response = await page.goto(path)
        assert response is not None and response.status == 403, path


async def test_an_agency_sees_its_initiative_planned_evaluated_decided_recommended(
    page: Any, stack: Stack, played: DemoSummary
) -> None:
    initiative_id = played.recommended_ids[0]
    found = await _api(stack, "intake", f"/api/v1/initiatives/{initiative_id}")
    await page.goto(f"/dev/sign-in?role=agency_submitter&agency={found['agency_code']}")
    await check_page(page, "agency-10-home-with-schedule")
    visits = page.locator(".visit")
    assert await visits.count() >= 1
    assert "Thông báo của Sở Nội vụ" in await visits.first.inner_text()

    await page.goto(f"/agency/initiatives/{initiative_id}")
    await check_page(page, "agency-11-recommended-timeline")
    timeline = await page.locator(".timeline").inner_text()
    for label in (
        "Đã gửi đề xuất",
        "Được lên lịch khảo sát",
        "Đã được khảo sát, đánh giá",
        "Đã có quyết định",
        "Được đề xuất nhân rộng",
    ):
        assert label in timeline
    assert await page.locator(".timeline .step-pending").count() == 0, timeline

    # the notice of the visit, addressed to the agency, streamed through the portal
    async with page.expect_download() as info:
        await page.goto("/agency")
        await page.locator(".visit a", has_text="PDF").first.click()
    download = await info.value
    assert (await download.path()).read_bytes().startswith(b"%PDF")


async def test_the_office_triages_follows_progress_and_reads_decisions(
    page: Any, stack: Stack, played: DemoSummary
) -> None:
    await page.goto("/dev/sign-in?role=secretariat")
    await page.wait_for_url(re.compile(r"/office$"))
    await check_page(page, "office-01-triage")
    rows = page.locator("tbody tr")
    assert await rows.count() == played.initiatives

    # the search ignores diacritics and case: a recommended title's word without its accents
    recommended = await _api(stack, "intake", f"/api/v1/initiatives/{played.recommended_ids[0]}")
    title = recommended["title"]
    word = max((w.strip(',.;:()“”"') for w in title.split()), key=len)
    plain = _without_accents(word).upper()
    await page.get_by_label("Tìm theo tên, nội dung (không phân biệt dấu, hoa thường)").fill(plain)
    await page.get_by_label("Trạng thái").select_option("recommended")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_load_state("load")
    await check_page(page, "office-02-triage-filtered")
    assert f"q={plain}" in page.url and "status=recommended" in page.url
    statuses = await page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert statuses and set(statuses) == {"Đề xuất nhân rộng"}
    assert title in await page.locator("tbody").inner_text()
    assert (
        await page.get_by_label(
            "Tìm theo tên, nội dung (không phân biệt dấu, hoa thường)"
        ).input_value()
        == plain
    )

    await page.get_by_role("link", name="Tiến độ đánh giá").click()
    await check_page(page, "office-03-progress")
    assert await page.locator("section.panel table").count() == played.rounds
    assert "Còn thiếu" in await page.locator("thead").first.inner_text()

    await page.get_by_role("link", name="Quyết định", exact=True).click()
    await check_page(page, "office-04-decisions")
    await page.locator("tbody tr a").first.click()
    await check_page(page, "office-05-decision")
    assert "Quyết định đã ghi nhận" in await page.content()

    await page.get_by_role("link", name="Đợt khảo sát").click()
    await check_page(page, "office-06-campaigns")
    assert "Chỉ quản trị hệ thống" in await page.content()

    rejected = await _api(stack, "reporting", f"/api/v1/campaigns/{YEAR}/rejections")
    assert rejected, "the demo's invalid inbound messages naming the campaign"
    await page.get_by_role("link", name="Tin nhắn bị từ chối").click()
    await check_page(page, "office-07-rejections")
    cards = page.locator(".cards .card")
    assert await cards.count() == len(rejected)
    assert rejected[0]["errors"][0]["message"] in await cards.first.inner_text()

    await page.get_by_role("link", name="Văn bản", exact=True).click()
    await check_page(page, "office-08-documents")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Báo cáo kết quả khảo sát (DOCX)").click()
    download = await info.value
    assert (await download.path()).read_bytes()[:2] == b"PK"


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
