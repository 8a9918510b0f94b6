"""An agency's first flow in the browser, once through the development sign-in and once
through the OpenID provider's login page: sign in, see the (empty) list, send the form with a
field missing and get it back with the error beside that field and everything else filled,
submit, open the initiative with its timeline, see it listed, and be refused another agency's
initiative. Every page passes the checks of ``check_page`` at 390 × 844."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token

from .conftest import SECRET, Stack, check_page

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

FORM = {
    "title": "Một cửa điện tử liên thông cấp phường, trả kết quả tại nhà",
    "summary": "Tiếp nhận hồ sơ trực tuyến, liên thông phường và quận; trả kết quả qua bưu điện.",
    "applied_since": "2022-03-01",
    "results": "Thời gian giải quyết hồ sơ giảm 40%; 98% người dân hài lòng.",
    "limitations": "Một số thủ tục còn yêu cầu bản giấy.",
}


async def sign_in(page: Any, stack: Stack, agency: str, login: str) -> None:
    await page.goto("/sign-in")
    await check_page(page, f"{stack.mode}-01-sign-in")
    if stack.mode == "development":
        await page.get_by_label("Vai trò").select_option("agency_submitter")
        await page.get_by_label("Mã cơ quan, đơn vị (cán bộ cơ quan)").fill(agency)
        await page.get_by_role("button", name="Đăng nhập").click()
    else:
        await page.get_by_role("link", name="Đăng nhập bằng tài khoản Thành phố").click()
        # the provider's own (development) login page: any password for a known account
        await page.locator("input[name=login]").fill(login)
        await page.locator("input[name=password]").fill("mat-khau-bat-ky")
        await page.locator("button[type=submit]").click()
    await page.wait_for_url(re.compile(r"/agency$"))


async def other_agencys_initiative(stack: Stack) -> str:
    """An initiative of Thành phố Thủ Đức (769), submitted straight to intake's API."""
    if stack.provider is not None:
        token = await _provider_token(stack)
    else:
        token = issue_token(AuthSettings(secret=SECRET), "agency_submitter", agency="769")
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        response = await client.post(
            "/api/v1/initiatives",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "kind": "solution",
                "title": "Bí mật của Thủ Đức: không được lộ",
                "summary": "Nội dung của đơn vị khác.",
                "par_area": "digital_government",
                "applied_since": "2021-01-01",
                "results": "Kết quả của đơn vị khác.",
            },
        )
    assert response.status_code == 201, response.text
    return str(response.json()["initiative_id"])


async def _provider_token(stack: Stack) -> str:
    assert stack.provider is not None
    return await asyncio.to_thread(stack.provider.token, "thu-duc-platform")


async def test_an_agency_submits_and_follows_its_initiative(page: Any, stack: Stack) -> None:
    other = await other_agencys_initiative(stack)
    await sign_in(page, stack, "760", "can-bo-quan-1")
    await check_page(page, f"{stack.mode}-02-agency-home")
    assert await page.locator(".lede").inner_text() == "Quận 1"
    assert "0 đề xuất" in await page.locator(".count").inner_text()
    assert "Bí mật của Thủ Đức" not in await page.content()

    # the form, sent without its title: the error beside the title, the rest still filled
    await page.get_by_role("link", name="Gửi đề xuất mới").click()
    await page.wait_for_url(re.compile(r"/agency/initiatives/new$"))
    await check_page(page, f"{stack.mode}-03-new-initiative")
    await page.get_by_label("Mô hình").check()
    await page.get_by_label("Lĩnh vực cải cách hành chính").select_option("procedures")
    for name, value in FORM.items():
        if name != "title":
            await page.locator(f"[name={name}]").fill(value)
    await page.get_by_role("button", name="Gửi đề xuất").click()
    await page.wait_for_load_state("load")
    await check_page(page, f"{stack.mode}-04-refused-field")
    title = page.locator("#title")
    error = page.locator("#title-error")
    assert await error.inner_text() == "Trường bắt buộc bị thiếu"
    # beside the field: in the same field group, right above the input
    assert await page.locator(".field.has-error", has=title).locator("#title-error").count() == 1
    assert "title-error" in (await title.get_attribute("aria-describedby") or "")
    assert await title.get_attribute("aria-invalid") == "true"
    for name, value in FORM.items():
        if name != "title":
            assert await page.locator(f"[name={name}]").input_value() == value, name
    assert await page.get_by_label("Mô hình").is_checked()
    assert await page.get_by_label("Lĩnh vực cải cách hành chính").input_value() == "procedures"
    assert await page.locator(".field-error").count() == 1
    summary = await page.locator(".error-summary").inner_text()
    assert "Tên đề xuất: Trường bắt buộc bị thiếu" in summary

    # completed and sent: the initiative with its timeline
    await title.fill(FORM["title"])
    await page.get_by_role("button", name="Gửi đề xuất").click()
    await page.wait_for_url(re.compile(r"/agency/initiatives/[0-9a-f-]{36}\?done=created$"))
    await check_page(page, f"{stack.mode}-05-initiative")
    assert await page.get_by_role("heading", level=1).inner_text() == FORM["title"]
    timeline = await page.locator(".timeline").inner_text()
    assert "Đã gửi đề xuất" in timeline and "Được lên lịch khảo sát" in timeline
    assert await page.locator(".step-done").count() == 1
    assert FORM["results"] in await page.content()

    # listed, with its status
    await page.get_by_role("link", name="← Đề xuất của đơn vị").click()
    await page.wait_for_url(re.compile(r"/agency$"))
    await check_page(page, f"{stack.mode}-06-agency-list")
    card = page.locator(".card", has_text=FORM["title"])
    assert await card.count() == 1
    assert "Đã gửi" in await card.inner_text()
    assert "1 đề xuất" in await page.locator(".count").inner_text()

    # another agency's initiative: refused, nothing of it shown
    response = await page.goto(f"/agency/initiatives/{other}")
    assert response is not None and response.status == 404
    await check_page(page, f"{stack.mode}-07-other-agency-refused")
    content = await page.content()
    assert "Bí mật của Thủ Đức" not in content and "Nội dung của đơn vị khác" not in content
    assert "Không tìm thấy trang" in content

    # sign out (at the provider too, in the OpenID stack)
    await page.goto("/agency")
    await page.get_by_role("button", name="Đăng xuất").click()
    if stack.mode == "oidc":
        # the provider asks to confirm the logout (oidc-provider's development page)
        await page.locator("button[autofocus], button[name=logout]").first.click()
    await page.wait_for_url(re.compile(r"/signed-out$"))
    await check_page(page, f"{stack.mode}-08-signed-out")
    response = await page.goto("/agency")
    assert response is not None and page.url.endswith("/sign-in?next=/agency")


# The form and the filter are under test here, not the sign-in: the development stack only.
@pytest.mark.parametrize("stack", ["development"], indirect=True)
async def test_the_agency_flow_works_without_javascript(browser: Any, stack: Stack) -> None:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False, base_url=stack.portal
    )
    try:
        page = await context.new_page()
        await page.goto("/dev/sign-in?role=agency_submitter&agency=26734")
        await page.get_by_role("link", name="Gửi đề xuất mới").click()
        await page.get_by_label("Sáng kiến").check()
        await page.get_by_label("Lĩnh vực cải cách hành chính").select_option("organisation")
        for name, value in FORM.items():
            await page.locator(f"[name={name}]").fill(value)
        await page.get_by_role("button", name="Gửi đề xuất").click()
        await page.wait_for_url(re.compile(r"/agency/initiatives/[0-9a-f-]{36}\?done=created$"))
        assert "Đã gửi đề xuất" in await page.locator(".timeline").inner_text()
        # the status filter is a plain form without JavaScript
        await page.goto("/agency")
        await page.get_by_label("Trạng thái").select_option("withdrawn")
        await page.get_by_role("button", name="Lọc").click()
        await page.wait_for_url(re.compile(r"/agency\?status=withdrawn$"))
        assert "0 đề xuất" in await page.locator(".count").inner_text()
    finally:
        await context.close()


@pytest.mark.parametrize("stack", ["development"], indirect=True)
async def test_the_status_filter_updates_the_list_in_place(page: Any, stack: Stack) -> None:
    """With JavaScript, htmx (from the npm lockfile, served by the portal) swaps the list."""
    await page.goto("/dev/sign-in?role=agency_submitter&agency=760")
    marker = await page.evaluate("() => (window.__kept = Math.random())")
    await page.get_by_label("Trạng thái").select_option("withdrawn")
    await page.wait_for_url(re.compile(r"/agency\?status=withdrawn$"))
    await page.wait_for_function("() => document.querySelector('.count').innerText.startsWith('0')")
    assert await page.evaluate("() => window.__kept") == marker, "no full page load"
    await check_page(page, "development-09-filtered")
