"""An agency's drafts in the browser (development sign-in): a draft saved with only its title,
submitted and refused with the errors beside the missing fields and the title kept, completed
and submitted, amended, given an attachment (uploaded, listed, downloaded), withdrawn after a
confirmation; the status moving at each step; another agency's draft refused through every URL
of the workspace. Every page passes the checks of ``check_page`` at 390 × 844."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token

from .conftest import SECRET, Stack, check_page
from .test_agency_flow import FORM

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.parametrize("stack", ["development"], indirect=True),
]

# The smallest file intake recognises as a PDF by its content.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _other_agencys_draft(stack: Stack) -> str:
    token = issue_token(AuthSettings(secret=SECRET), "agency_submitter", agency="769")
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        response = await client.post(
            "/api/v1/initiatives",
            headers={"Authorization": f"Bearer {token}"},
            json={"draft": True, "title": "Bản nháp riêng của Thủ Đức"},
        )
    assert response.status_code == 201, response.text
    return str(response.json()["initiative_id"])


async def _status(page: Any) -> str:
    return str(await page.locator("h1 + .meta .badge").inner_text())


async def test_an_agency_drafts_submits_amends_attaches_and_withdraws(
    page: Any, stack: Stack
) -> None:
    other = await _other_agencys_draft(stack)
    await page.goto("/dev/sign-in?role=agency_submitter&agency=760")
    await page.wait_for_url(re.compile(r"/agency$"))
    await check_page(page, "agency-drafts-01-home")
    assert "Chưa có lịch khảo sát" in await page.locator("#schedule-title + p").inner_text()

    # a draft with its title only: saved, nothing required yet
    await page.get_by_role("link", name="Gửi đề xuất mới").click()
    await page.locator("#title").fill(FORM["title"])
    await page.get_by_role("button", name="Lưu nháp").click()
    await page.wait_for_url(re.compile(r"/agency/initiatives/[0-9a-f-]{36}\?done=saved$"))
    await check_page(page, "agency-drafts-02-draft-saved")
    draft_url = page.url.split("?")[0]
    assert await _status(page) == "Bản nháp"
    assert "Đã lưu bản nháp" in await page.locator(".notice").inner_text()
    steps = page.locator(".timeline .step")
    assert await steps.nth(0).inner_text() != "" and await page.locator(".step-done").count() == 1

    # listed among the drafts
    await page.goto("/agency?status=draft")
    card = page.locator(".card", has_text=FORM["title"])
    assert await card.count() == 1 and "Bản nháp" in await card.inner_text()

    # submitted as it is: refused, each missing field named beside it, the title kept
    await page.goto(draft_url)
    await page.get_by_role("button", name="Gửi đề xuất").click()
    await page.wait_for_load_state("load")
    await check_page(page, "agency-drafts-03-submit-refused")
    for name in ("summary", "results", "applied_since", "par_area"):
        group = page.locator(".field.has-error", has=page.locator(f"#{name}"))
        assert await group.locator(f"#{name}-error").count() == 1, name
        assert await page.locator(f"#{name}").get_attribute("aria-invalid") == "true", name
    assert await page.locator("#title").input_value() == FORM["title"]
    assert await page.locator("#title-error").count() == 0

    # completed and submitted from the form: the status moves to submitted
    await page.get_by_label("Mô hình").check()
    await page.get_by_label("Lĩnh vực cải cách hành chính").select_option("procedures")
    for name, value in FORM.items():
        if name != "title":
            await page.locator(f"[name={name}]").fill(value)
    await page.get_by_role("button", name="Gửi đề xuất").click()
    await page.wait_for_url(re.compile(r"\?done=created$"))
    await check_page(page, "agency-drafts-04-submitted")
    assert page.url.split("?")[0] == draft_url, "the draft keeps its id once submitted"
    assert await _status(page) == "Đã gửi"
    timeline = await page.locator(".timeline").inner_text()
    assert "Đã gửi đề xuất" in timeline and "Được lên lịch khảo sát" in timeline

    # amended: the change kept, the timeline shows it
    await page.get_by_role("link", name="Chỉnh sửa").click()
    await check_page(page, "agency-drafts-05-amend")
    assert await page.locator("#summary").input_value() == FORM["summary"]
    await page.locator("#results").fill("Thời gian giải quyết hồ sơ giảm 55%.")
    await page.get_by_role("button", name="Lưu thay đổi").click()
    await page.wait_for_url(re.compile(r"\?done=changed$"))
    assert "Thời gian giải quyết hồ sơ giảm 55%." in await page.locator(".details").inner_text()
    assert "Đã chỉnh sửa" in await page.locator(".timeline").inner_text()

    # an attachment: refused without a file, then uploaded, listed and downloaded
    await page.get_by_role("button", name="Tải lên", exact=True).click()
    await page.wait_for_load_state("load")
    assert await page.locator("#file-error").inner_text() == "Chưa chọn tệp để tải lên"
    await page.locator("#file").set_input_files(
        {"name": "bao-cao-mo-hinh.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    await page.get_by_role("button", name="Tải lên", exact=True).click()
    await page.wait_for_url(re.compile(r"\?done=uploaded$"))
    await check_page(page, "agency-drafts-06-attachment")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="bao-cao-mo-hinh.pdf").click()
    download = await info.value
    assert download.suggested_filename == "bao-cao-mo-hinh.pdf"
    assert (await download.path()).read_bytes() == PDF

    # withdrawn after a confirmation page, with a reason
    await page.get_by_role("link", name="Rút đề xuất").click()
    await check_page(page, "agency-drafts-07-confirm-withdrawal")
    await page.get_by_label("Lý do rút đề xuất").fill("Đơn vị hoàn thiện thêm, gửi lại năm sau.")
    await page.get_by_role("button", name="Xác nhận rút đề xuất").click()
    await page.wait_for_url(re.compile(r"\?done=withdrawn$"))
    assert await _status(page) == "Đã rút"
    assert "gửi lại năm sau" in await page.locator(".timeline").inner_text()
    assert await page.get_by_role("link", name="Chỉnh sửa").count() == 0

    # another agency's draft: the same refusal through every URL, nothing of it shown
    for path in ("", "/edit", "/discard", "/withdraw"):
        response = await page.goto(f"/agency/initiatives/{other}{path}")
        assert response is not None and response.status == 404, path
        assert "Bản nháp riêng của Thủ Đức" not in await page.content()
    await check_page(page, "agency-drafts-08-other-agency-refused")
    csrf = await page.evaluate("() => document.querySelector('[name=csrf_token]').value")
    response = await page.request.post(
        f"/agency/initiatives/{other}/discard", form={"csrf_token": csrf}
    )
    assert response.status == 404
    token = issue_token(AuthSettings(secret=SECRET), "agency_submitter", agency="769")
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        kept = await client.get(
            f"/api/v1/initiatives/{other}", headers={"Authorization": f"Bearer {token}"}
        )
    assert kept.status_code == 200, "another agency's draft is never discarded"


async def test_a_draft_is_discarded_after_a_confirmation(page: Any, stack: Stack) -> None:
    await page.goto("/dev/sign-in?role=agency_submitter&agency=760")
    await page.get_by_role("link", name="Gửi đề xuất mới").click()
    await page.locator("#title").fill("Bản nháp sẽ xoá")
    await page.get_by_role("button", name="Lưu nháp").click()
    await page.wait_for_url(re.compile(r"\?done=saved$"))
    await page.get_by_role("link", name="Xoá bản nháp").click()
    await check_page(page, "agency-drafts-09-confirm-discard")
    await page.get_by_role("button", name="Xác nhận xoá bản nháp").click()
    await page.wait_for_url(re.compile(r"/agency\?status=draft$"))
    assert "Bản nháp sẽ xoá" not in await page.content()
