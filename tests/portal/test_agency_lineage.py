"""The lineage across years in the browser: Quận 1's 2023 initiative came in from another
platform; its staff propose it again in this year's campaign. A reference to an unknown
initiative comes back beside the field, everything typed still filled in; with the right
one, the new initiative's page shows its history across years, and the 2023 one's page
the later initiative building on it. Every page passes ``check_page`` at 390 × 844."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import aio_pika
import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import InboundInitiativeSubmittedV1, encode_event
from cchc_shared.contracts.events import INBOUND_EXCHANGE

from .conftest import SECRET, Stack, check_page
from .test_agency_flow import sign_in

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

TITLE_2023 = "Tổ tư vấn thủ tục hành chính tại bộ phận một cửa Quận 1"
FORM = {
    "title": "Tổ tư vấn thủ tục hành chính, mở rộng ra các phường",
    "summary": "Tổ tư vấn hướng dẫn người dân ngay tại bộ phận một cửa, nay ở cả các phường.",
    "applied_since": "2023-01-01",
    "results": "Hồ sơ phải bổ sung giảm 60%; 97% người dân hài lòng.",
    "limitations": "Cần thêm cán bộ trực vào giờ cao điểm.",
}


async def inbound_2023(stack: Stack) -> str:
    """Quận 1's 2023 initiative, as another city platform publishes it; its id in intake."""
    data = InboundInitiativeSubmittedV1.model_validate(
        {
            "campaign_year": 2023,
            "agency_code": "760",
            "kind": "model",
            "title": TITLE_2023,
            "summary": "Tổ tư vấn hướng dẫn người dân chuẩn bị hồ sơ.",
            "par_area": "procedures",
            "applied_since": "2022-03-01",
            "results": "Hồ sơ phải bổ sung giảm 45%.",
            "limitations": "",
            "submitted_at": "2023-05-10T02:00:00Z",
        }
    )
    message = encode_event(data, source="https://motcua.hochiminhcity.gov.vn")
    connection = await aio_pika.connect_robust(stack.processes.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(INBOUND_EXCHANGE, "topic", durable=True)
        await exchange.publish(
            aio_pika.Message(
                message.body,
                message_id=message.event_id,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=message.routing_key,
        )
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=30) as client:
        for _ in range(200):
            found = await client.get(
                "/api/v1/initiatives",
                params={"campaign_year": 2023, "agency": "760"},
                headers={"Authorization": f"Bearer {token}"},
            )
            items = found.json()["items"] if found.status_code == 200 else []
            if items:
                return str(items[0]["initiative_id"])
            await asyncio.sleep(0.3)
    raise AssertionError("intake did not take in the 2023 initiative")


# The earlier initiative comes in on the bus and is found with a development token.
@pytest.mark.parametrize("stack", ["development"], indirect=True)
async def test_an_initiative_names_the_earlier_one_and_shows_its_history(
    page: Any, stack: Stack
) -> None:
    earlier = await inbound_2023(stack)
    await sign_in(page, stack, "760", "can-bo-quan-1")
    await page.goto("/agency/initiatives/new")
    await page.get_by_label("Mô hình").check()
    await page.get_by_label("Lĩnh vực cải cách hành chính").select_option("procedures")
    for name, value in FORM.items():
        await page.locator(f"[name={name}]").fill(value)
    relation = page.locator('[name="builds_on.relation"]')
    reference = page.locator('[name="builds_on.initiative_id"]')
    await page.get_by_label("Hình thức kế thừa").select_option("resubmission")
    unknown = str(uuid.uuid4())
    await page.get_by_label("Mã đề xuất năm trước").fill(unknown)
    await page.get_by_role("button", name="Gửi đề xuất").click()
    await page.wait_for_load_state("load")
    await check_page(page, f"{stack.mode}-lineage-01-refused-reference")

    # beside the field, in Vietnamese; everything typed still there
    error = page.locator('[id="builds_on.initiative_id-error"]')
    assert (await error.inner_text()).startswith("Không tìm thấy đề xuất có mã")
    group = page.locator(".field.has-error", has=reference)
    assert await group.locator('[id="builds_on.initiative_id-error"]').count() == 1
    assert await reference.get_attribute("aria-invalid") == "true"
    assert await reference.input_value() == unknown
    assert await relation.input_value() == "resubmission"
    for name, value in FORM.items():
        assert await page.locator(f"[name={name}]").input_value() == value, name
    assert await page.get_by_label("Mô hình").is_checked()
    assert await page.locator(".field-error").count() == 1
    summary = await page.locator(".error-summary").inner_text()
    assert "Mã đề xuất năm trước: Không tìm thấy đề xuất" in summary

    # the right reference: taken, and the page shows the history across years
    await reference.fill(earlier)
    await page.get_by_role("button", name="Gửi đề xuất").click()
    await page.wait_for_url(re.compile(r"/agency/initiatives/[0-9a-f-]{36}\?done=created$"))
    new_page = page.url.split("?")[0]
    details = await page.locator(".details").inner_text()
    assert "Đề xuất lại: đề xuất " + earlier in details
    for _ in range(100):  # reporting hears of the new initiative through the bus
        if await page.locator(".lineage").count():
            break
        await asyncio.sleep(0.3)
        await page.reload()
    await check_page(page, f"{stack.mode}-lineage-02-history")
    entries = page.locator(".lineage-entry")
    assert await entries.count() == 2
    first, this = await entries.nth(0).inner_text(), await entries.nth(1).inner_text()
    assert "Năm 2023" in first and TITLE_2023 in first and "Quận 1" in first
    assert "Tình trạng: Đã đăng ký" in first
    assert "Năm" in this and FORM["title"] in this and "(đề xuất này)" in this
    assert "Đề xuất lại của đề xuất năm trước" in this

    # the 2023 initiative's page lists the later one building on it, linked
    await page.locator(".lineage-earlier a").click()
    await page.wait_for_url(re.compile(rf"/agency/initiatives/{earlier}$"))
    await check_page(page, f"{stack.mode}-lineage-03-earlier")
    later = page.locator(".lineage-later")
    assert FORM["title"] in await later.inner_text()
    await later.locator("a").click()
    await page.wait_for_url(new_page)
