"""A survey-team member on site, in the browser at a phone's size: their visits, the
evaluation form opened once with a network, then the network gone — the form loads from the
device, the sheet is typed (a running total, a draft kept on the device), sent twice, and waits
in the device's queue, visibly; the network back, it is sent and recorded exactly once, and the
member sees the team's scores. On a phone the team shares, signing out removes the kept pages
and a sheet not yet sent waits for its author alone. The same form works without JavaScript,
with a refused field beside its input and everything typed kept. Every page passes
``check_page`` at 390 × 844."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import InitiativeSubmittedV1, RoundScheduledV1
from cchc_shared.contracts.events import TeamMember, Visit
from cchc_testkit.bus import publish_as_services

from .conftest import SECRET, Stack, check_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    # The surveyor's pages are under test, not the sign-in (the agency flow covers both).
    pytest.mark.parametrize("stack", ["development"], indirect=True),
]

ME = "snv-pgd-01"
# The rubric's default criteria scored on site (the default rubric of the campaign).
SHEET = {
    "strengths": "Quy trình rõ ràng, công khai; người dân được hướng dẫn một lần.",
    "limitations": "Phụ thuộc vào nhân sự bộ phận một cửa.",
    "difficulties": "Phần mềm chưa kết nối với cơ sở dữ liệu quốc gia về dân cư.",
}


def vn_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def bearer(role: str, **binding: str) -> dict[str, str]:
    token = issue_token(AuthSettings(secret=SECRET), role, **binding)
    return {"Authorization": f"Bearer {token}"}


async def a_visit_today(stack: Stack, title: str, member_id: str) -> tuple[str, str]:
    """An initiative of Quận 1 (760) and a round visiting it today, ``member_id`` its head:
    (initiative id, visit id), once the evaluation service knows them."""
    today = vn_today()
    initiative = InitiativeSubmittedV1(
        initiative_id=uuid.uuid4(),
        campaign_year=today.year,
        agency_code="760",
        kind="model",
        title=title,
        summary="Tiếp nhận và trả kết quả thủ tục hành chính trong ngày tại bộ phận một cửa.",
        par_area="procedures",
        applied_since=date(2022, 3, 1),
        results="98% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 96%.",
        limitations="Chưa liên thông dữ liệu với một số sở, ngành.",
        submitted_at=datetime.now(UTC) - timedelta(days=30),
    )
    visit = Visit(
        visit_id=uuid.uuid4(),
        initiative_id=initiative.initiative_id,
        agency_code="760",
        date=today,
        starts_at=time(8, 30),
    )
    team = [
        TeamMember(member_id=member_id, name="Nguyễn Văn An", role="head", agency_code="SNV"),
        TeamMember(member_id="stttt-02", name="Trần Thị Bình", role="member", agency_code="STTTT"),
    ]
    planned = RoundScheduledV1(
        round_id=uuid.uuid4(),
        campaign_year=today.year,
        sequence=1,
        starts_on=today,
        ends_on=today,
        team=team,
        visits=[visit],
    )
    # A visit today cannot be planned through scheduling's rules (its survey window), so the
    # round is announced as scheduling would.
    await publish_as_services(stack.processes.amqp_url, initiative, planned)
    async with httpx.AsyncClient(base_url=stack.url("evaluation")) as client:
        for _ in range(300):
            answer = await client.get(
                "/api/v1/my/visits", headers=bearer("surveyor", member=member_id)
            )
            known = (
                {v["visit"]["visit_id"]: v for v in answer.json()}
                if answer.status_code == 200
                else {}
            )
            if str(visit.visit_id) in known and known[str(visit.visit_id)]["initiative"]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the evaluation service did not take in the round")
    return str(initiative.initiative_id), str(visit.visit_id)


async def evaluations_of(stack: Stack, initiative_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.url("evaluation")) as client:
        answer = await client.get(
            f"/api/v1/initiatives/{initiative_id}/results", headers=bearer("secretariat")
        )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["evaluations"] or [])


async def score_fields(page: Any) -> list[Any]:
    return await page.locator("input.score").all()


async def test_a_sheet_sent_offline_twice_is_recorded_once_when_the_network_returns(
    browser: Any, stack: Stack
) -> None:
    initiative_id, visit_id = await a_visit_today(stack, "Mô hình “Một cửa không hẹn lần hai”", ME)
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=stack.portal
    )
    try:
        page = await context.new_page()
        await page.goto(f"/dev/sign-in?role=surveyor&member={ME}")
        await page.wait_for_url(re.compile(r"/surveyor$"))
        await check_page(page, "surveyor-01-visits")
        card = page.locator(".card", has_text="Một cửa không hẹn lần hai")
        assert "Chưa đánh giá" in await card.inner_text()
        assert await page.locator("#today-title + .cards .card").count() == 1

        # The form opened once with a network: the service worker keeps it.
        await card.get_by_role("link", name=re.compile("Mở phiếu đánh giá")).click()
        await page.wait_for_url(re.compile(rf"/surveyor/visits/{visit_id}$"))
        await page.wait_for_function(
            "async () => { const r = await navigator.serviceWorker.ready;"
            " return !!r.active && (await caches.keys()).length > 0"
            f" && !!(await caches.match('/surveyor/visits/{visit_id}')); }}"
        )
        await check_page(page, "surveyor-02-form")

        # On site, no network: the form loads from the device.
        await context.set_offline(True)
        await page.reload()
        await page.wait_for_selector("#evaluation-form")
        assert await page.evaluate("() => navigator.onLine") is False
        fields = await score_fields(page)
        assert len(fields) >= 3
        maxima = [float(await f.get_attribute("data-max") or 0) for f in fields]
        for field, maximum in zip(fields, maxima, strict=True):
            await field.fill(str(int(maximum * 0.8)).replace(".", ","))
        expected = sum(int(m * 0.8) for m in maxima)
        assert (await page.locator("#total").inner_text()) == str(expected)  # the running total
        for name, value in SHEET.items():
            await page.locator(f"[name={name}]").fill(value)
        await page.get_by_label("Đề nghị nhân rộng", exact=True).check()
        assert "Bản nháp đã lưu" in await page.locator("#draft-state").inner_text()

        # A draft survives the page being closed and opened again, offline.
        await page.reload()
        await page.wait_for_selector("#evaluation-form")
        assert await page.locator("[name=strengths]").input_value() == SHEET["strengths"]
        assert await page.locator("#total").inner_text() == str(expected)

        # Tapped twice without a network: one sheet waiting on the device, visibly.
        submit = page.get_by_role("button", name="Gửi phiếu đánh giá")
        await submit.click()
        await submit.click()
        state = page.locator("#sync-state")
        await page.wait_for_function(
            "() => document.getElementById('sync-state').innerText.includes('chờ gửi')"
        )
        assert "1 phiếu đang chờ gửi" in await state.inner_text()
        assert "mất kết nối" in await page.locator("#sync-network").inner_text()
        await check_page(page, "surveyor-03-queued-offline")
        assert await evaluations_of(stack, initiative_id) == []

        # The network back: sent once, and the team's scores shown.
        await context.set_offline(False)
        await page.wait_for_url(re.compile(rf"/surveyor/visits/{visit_id}/scores\?recorded=1$"))
        await check_page(page, "surveyor-04-team-scores")
        assert "đã được ghi nhận" in await page.locator(".notice").inner_text()
        mine = page.locator(".card-mine")
        assert str(expected) in await mine.inner_text()
        recorded = await evaluations_of(stack, initiative_id)
        assert len(recorded) == 1 and recorded[0]["evaluator_id"] == ME
        assert recorded[0]["total"] == expected
        assert (
            await page.evaluate(f"() => JSON.parse(localStorage['cchc-surveyor-queue:{ME}'])")
            == []
        )

        # Back on the list: evaluated, and nothing waits on the device.
        await page.get_by_role("link", name="← Lịch khảo sát của tôi").click()
        await page.wait_for_url(re.compile(r"/surveyor$"))
        assert (
            "Đã đánh giá"
            in await page.locator(".card", has_text="Một cửa không hẹn lần hai").inner_text()
        )
        await check_page(page, "surveyor-05-visits-evaluated")
    finally:
        await context.close()
    await asyncio.sleep(1.0)  # a second sheet would have been sent by now
    assert len(await evaluations_of(stack, initiative_id)) == 1


async def test_the_sheet_works_without_javascript_and_keeps_what_was_typed(
    browser: Any, stack: Stack
) -> None:
    member_id = "stp-03"
    initiative_id, visit_id = await a_visit_today(
        stack, "Giải pháp “Chatbot hỗ trợ thủ tục hành chính”", member_id
    )
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False, base_url=stack.portal
    )
    try:
        page = await context.new_page()
        await page.goto(f"/dev/sign-in?role=surveyor&member={member_id}")
        await page.goto(f"/surveyor/visits/{visit_id}")
        fields = await score_fields(page)
        maxima = [float(await f.get_attribute("data-max") or 0) for f in fields]
        for field, maximum in zip(fields[1:], maxima[1:], strict=True):
            await field.fill(str(int(maximum * 0.5)))
        await page.locator("[name=strengths]").fill(SHEET["strengths"])
        await page.locator("[name=difficulties]").fill(SHEET["difficulties"])
        await page.get_by_label("Cần hoàn thiện thêm").check()
        await page.get_by_role("button", name="Gửi phiếu đánh giá").click()
        await page.wait_for_load_state("load")
        await check_page(page, "surveyor-06-refused-fields", scripts=False)
        first = fields[0]
        first_id = await first.get_attribute("id")
        assert (
            await page.locator(f"#{first_id}-error").inner_text() == "Chưa chấm điểm tiêu chí này"
        )
        assert await first.get_attribute("aria-invalid") == "true"
        limitations = page.locator("[name=limitations]")
        assert await limitations.get_attribute("aria-invalid") == "true"
        assert (
            await page.locator(".field.has-error", has=limitations).locator(".field-error").count()
            == 1
        )
        refilled = await score_fields(page)
        for field, maximum in zip(refilled[1:], maxima[1:], strict=True):
            assert await field.input_value() == str(int(maximum * 0.5))
        assert await page.locator("[name=strengths]").input_value() == SHEET["strengths"]
        assert await page.get_by_label("Cần hoàn thiện thêm").is_checked()
        assert await evaluations_of(stack, initiative_id) == []

        await refilled[0].fill(str(int(maxima[0] * 0.5)))
        await limitations.fill(SHEET["limitations"])
        await page.get_by_role("button", name="Gửi phiếu đánh giá").click()
        await page.wait_for_url(re.compile(rf"/surveyor/visits/{visit_id}/scores\?recorded=1$"))
        assert len(await evaluations_of(stack, initiative_id)) == 1
    finally:
        await context.close()


async def test_on_a_shared_phone_a_sheet_not_yet_sent_waits_for_its_author(
    browser: Any, stack: Stack
) -> None:
    """The head of the team types a sheet on site; the signal drops as it is sent, and the
    head signs out: the portal says a sheet is waiting, the pages kept on the phone are
    removed, and the next member on the phone neither sees the sheet nor sends it under their
    own name. Signed in again, the head's sheet is sent, as the head's."""
    author, colleague = "snv-pgd-05", "stttt-02"  # both on the round's team
    initiative_id, visit_id = await a_visit_today(
        stack, "Sáng kiến “Phiếu hẹn điện tử tại bộ phận một cửa”", author
    )
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=stack.portal
    )
    dialogs: list[str] = []

    async def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.accept()

    try:
        page = await context.new_page()
        page.on("dialog", answer)
        await page.goto(f"/dev/sign-in?role=surveyor&member={author}")
        await page.wait_for_url(re.compile(r"/surveyor$"))
        await page.goto(f"/surveyor/visits/{visit_id}")
        await page.wait_for_function(
            "async () => { const r = await navigator.serviceWorker.ready;"
            f" return !!r.active && !!(await caches.match('/surveyor/visits/{visit_id}')); }}"
        )
        # A weak signal on site: the sheet's sending fails while the pages still load.
        await page.route(re.compile(r"/surveyor/visits/[^/]+/evaluation$"), lambda r: r.abort())
        fields = await score_fields(page)
        for field in fields:
            maximum = float(await field.get_attribute("data-max") or 0)
            await field.fill(str(int(maximum * 0.7)))
        for name, value in SHEET.items():
            await page.locator(f"[name={name}]").fill(value)
        await page.get_by_label("Đề nghị nhân rộng", exact=True).check()
        await page.get_by_role("button", name="Gửi phiếu đánh giá").click()
        await page.wait_for_function(
            "() => document.getElementById('sync-state').innerText.includes('chờ gửi')"
        )

        await page.get_by_role("button", name="Đăng xuất").click()
        await page.wait_for_url(re.compile(r"/signed-out$"))
        assert len(dialogs) == 1 and "Còn 1 phiếu đánh giá chưa gửi" in dialogs[0], dialogs
        await page.wait_for_selector("html[data-device-cleared=yes]", state="attached")
        kept = await page.evaluate("async () => await caches.keys()")
        assert not [name for name in kept if name.startswith("cchc-surveyor")], kept
        await page.unroute(re.compile(r"/surveyor/visits/[^/]+/evaluation$"))

        # The colleague on the same phone: nothing of the head's is shown or sent.
        await page.goto(f"/dev/sign-in?role=surveyor&member={colleague}")
        await page.wait_for_url(re.compile(r"/surveyor$"))
        await page.goto(f"/surveyor/visits/{visit_id}")
        await page.wait_for_selector("#evaluation-form")
        assert await page.locator("[name=strengths]").input_value() == ""
        assert "Không có phiếu nào chờ gửi" in await page.locator("#sync-state").inner_text()
        await asyncio.sleep(1.0)  # a sheet sent on sight would be recorded by now
        assert await evaluations_of(stack, initiative_id) == []
        await page.get_by_role("button", name="Đăng xuất").click()
        await page.wait_for_url(re.compile(r"/signed-out$"))
        assert len(dialogs) == 1, dialogs  # the colleague had nothing waiting

        # The head again: the sheet goes, recorded once, as the head's.
        await page.goto(f"/dev/sign-in?role=surveyor&member={author}")
        await page.wait_for_url(re.compile(r"/surveyor$"))
        for _ in range(100):
            recorded = await evaluations_of(stack, initiative_id)
            if recorded:
                break
            await asyncio.sleep(0.2)
        assert [e["evaluator_id"] for e in recorded] == [author]
    finally:
        await context.close()
