"""The PAR office replays a refused inbound message from the portal: another platform's
initiative for a campaign not yet opened is refused; the office sees the reason, replays it
while the cause stands (refused again, the reason shown), the admin opens the campaign, and
the office replays it from two tabs, one without JavaScript: exactly one initiative is taken
in, authored by the platform. Development sign-in; every page passes ``check_page``."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

import aio_pika
import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import INBOUND_EXCHANGE, InboundInitiativeSubmittedV1
from cchc_shared.messaging.trust import broker_user
from cchc_testkit.waiting import eventually

from .conftest import SECRET, VIEWPORT, Stack, check_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.parametrize("stack", ["development"], indirect=True),
]
YEAR = 2031  # a campaign nobody has opened yet
PLATFORM = "https://motcua.hochiminhcity.gov.vn"
TITLE = "Mô hình “Một cửa liên thông không chờ” của Quận 1"


def _bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(AuthSettings(secret=SECRET), role)}"}


async def _api(stack: Stack, service: str, method: str, path: str, **kwargs: Any) -> Any:
    role = kwargs.pop("role", "secretariat")
    async with httpx.AsyncClient(base_url=stack.url(service), timeout=30) as client:
        response = await client.request(method, path, headers=_bearer(role), **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _publish_as_platform(amqp_url: str) -> str:
    """What the one-stop-shop platform publishes on cchc.inbound, as its own broker user."""
    event_id = str(uuid.uuid4())
    data = InboundInitiativeSubmittedV1(
        campaign_year=YEAR,
        agency_code="760",
        kind="model",
        title=TITLE,
        summary="Tiếp nhận, giải quyết hồ sơ liên thông trong ngày tại bộ phận một cửa.",
        par_area="procedures",
        applied_since=date(2022, 3, 1),
        results="95% hồ sơ liên thông được trả đúng hẹn.",
        limitations="Chưa kết nối với một số phần mềm chuyên ngành.",
        submitted_at=datetime.now(UTC),
    )
    message = encode_event(data, source=PLATFORM, event_id=event_id)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(INBOUND_EXCHANGE)
        await exchange.publish(
            aio_pika.Message(
                message.body,
                message_id=event_id,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                user_id=broker_user(amqp_url),  # the broker checks who publishes
            ),
            routing_key=data.routing_key,
        )
    finally:
        await connection.close()
    return event_id


async def _initiatives_of_the_year(stack: Stack) -> int:
    found = await _api(stack, "intake", "GET", f"/api/v1/initiatives?campaign_year={YEAR}")
    return int(found["total"])


async def test_the_office_replays_a_refused_message_once_the_cause_is_fixed(
    page: Any, browser: Any, stack: Stack
) -> None:
    origin_id = await _publish_as_platform(stack.processes.amqp_url)

    async def kept() -> Any:
        path = f"/api/v1/inbound/rejections?campaign_year={YEAR}"
        return [k for k in await _api(stack, "intake", "GET", path) if k["origin_id"] == origin_id]

    # Reporting knows no 2031 campaign (nothing received): the page lists intake's copy.
    await eventually(kept, "intake's kept copy of the refused message", timeout=60)

    await page.goto("/dev/sign-in?role=secretariat")
    await page.wait_for_url(re.compile(r"/office$"))
    # Nothing received yet in any campaign: the page opens on the campaign whose messages
    # wait for a replay, although reporting knows no such campaign yet.
    await page.get_by_role("link", name="Tin nhắn bị từ chối").click()
    await page.wait_for_url(re.compile(r"/office/rejections$"))
    await check_page(page, "office-20-rejections-refused")
    assert f"năm {YEAR}" in await page.locator("h1").inner_text()
    card = page.locator(".cards .card", has_text=origin_id)
    assert f"Không có đợt năm {YEAR}" in await card.inner_text()
    replay = card.get_by_role("button", name="Xử lý lại")

    # The cause still stands: refused again, the reason shown beside the outcome.
    await replay.click()
    await page.wait_for_url(re.compile(r"replayed="))
    await check_page(page, "office-21-rejections-refused-again")
    alert = await page.get_by_role("alert").inner_text()
    assert "vẫn bị từ chối" in alert and f"Không có đợt năm {YEAR}" in alert
    assert "Đã xử lý lại 1 lần" in await card.inner_text()

    # A second tab, without JavaScript, opened before the cause is fixed.
    plain = await browser.new_context(
        viewport=VIEWPORT, java_script_enabled=False, base_url=stack.portal
    )
    try:
        other = await plain.new_page()
        await other.goto("/dev/sign-in?role=secretariat")
        await other.goto(f"/office/rejections?campaign_year={YEAR}")
        await check_page(other, "office-22-rejections-no-javascript", scripts=False)

        # The admin opens the campaign: the cause is fixed.
        await _api(
            stack,
            "intake",
            "POST",
            "/api/v1/campaigns",
            role="admin",
            json={
                "year": YEAR,
                "submission_opens_on": "2020-01-01",
                "submission_closes_on": f"{YEAR}-12-31",
                "survey_starts_on": f"{YEAR}-06-01",
                "survey_ends_on": f"{YEAR}-10-31",
            },
        )

        await replay.click()
        await page.wait_for_load_state("load")
        await check_page(page, "office-23-rejections-replayed")
        notice = await page.get_by_role("status").inner_text()
        assert "đề xuất đã được tiếp nhận" in notice
        card = page.locator(".cards .card", has_text=origin_id)
        assert "Đã tiếp nhận sau khi xử lý lại" in await card.inner_text()
        assert await card.get_by_role("button", name="Xử lý lại").count() == 0

        # The stale tab's button, clicked too: the same initiative, nothing new.
        await (
            other.locator(".cards .card", has_text=origin_id)
            .get_by_role("button", name="Xử lý lại")
            .click()
        )
        await other.wait_for_load_state("load")
        await check_page(other, "office-24-rejections-replayed-again", scripts=False)
        assert "đề xuất đã được tiếp nhận" in await other.get_by_role("status").inner_text()
    finally:
        await plain.close()

    assert await _initiatives_of_the_year(stack) == 1
    [kept] = [
        k
        for k in await _api(
            stack, "intake", "GET", f"/api/v1/inbound/rejections?campaign_year={YEAR}"
        )
        if k["origin_id"] == origin_id
    ]
    assert kept["status"] == "accepted" and kept["replays"] == 3
    assert kept["initiative_id"] in notice
    taken = await _api(stack, "intake", "GET", f"/api/v1/initiatives/{kept['initiative_id']}")
    assert taken["title"] == TITLE
    assert taken["origin"] == {"source": PLATFORM, "id": origin_id}
    assert taken["submitted_by"] == f"platform:{PLATFORM}"  # the platform, not the office

    # Anyone but the PAR office is refused the page and the replay.
    await page.goto("/dev/sign-in?role=agency_submitter&agency=760")
    for method, path in (
        ("GET", f"/office/rejections?campaign_year={YEAR}"),
        ("POST", f"/office/rejections/{kept['rejection_id']}/replay"),
    ):
        response = await page.request.fetch(path, method=method, max_redirects=0)
        assert response.status == 403, (method, path, response.status)
    assert await _initiatives_of_the_year(stack) == 1
