"""The survey's mail in the browser at a phone's size, over the services as processes and a
real SMTP server process (aiosmtpd) that refuses one agency's address with a 550: the PAR
office finds the refused message with the server's reply, sends it again to a corrected
address and the server receives it; with the campaign set to review the mail first, a round's
messages wait until the office releases them from the page, and then go out; an agency
chooses a daily digest for its decisions and sees it kept, and is refused turning off its
notices (mandatory) with the reason beside the choice. Every page passes ``check_page``."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import InitiativeSubmittedV1
from cchc_testkit.bus import publish_as_services
from cchc_testkit.nodes import free_port
from cchc_testkit.smtp import Received, SmtpServer

from .conftest import SECRET, Stack, check_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.parametrize("stack", ["development"], indirect=True),
]

YEAR = 2023
REFUSED = "ubnd.pbennghe.q1@tphcm.gov.vn"  # the ward's address the mail server does not know
CORRECTED = "vanphong.pbennghe.q1@tphcm.gov.vn"
TEAM = [
    {"member_id": "snv.ngo-thi-hoang-cac", "role": "head"},
    {"member_id": "stp.dang-van-loc", "role": "member"},
    {"member_id": "vpub.bui-thi-thanh-thuy", "role": "member"},
    {"member_id": "snv.pham-minh-duc", "role": "secretary"},
]
FIRST_ROUND = {  # agency -> (its address, its initiative)
    "SYT": ("syt@tphcm.gov.vn", "Khám chữa bệnh bằng căn cước công dân gắn chíp"),
    "SGTVT": ("sgtvt@tphcm.gov.vn", "Cấp đổi giấy phép lái xe trực tuyến toàn trình"),
    "26740": (REFUSED, "Tổ công nghệ số cộng đồng hỗ trợ thủ tục hành chính"),
}
SECOND_ROUND = {  # no member of the team surveys their own agency
    "SYT": ("syt@tphcm.gov.vn", "Đặt lịch khám bệnh trực tuyến tại bệnh viện công lập"),
    "760": ("ubnd.q1@tphcm.gov.vn", "Bộ phận một cửa hiện đại cấp quận"),
}


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), tmp_path_factory.mktemp("smtp"), refuse=(REFUSED,))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stack_env(smtp: SmtpServer) -> dict[str, str]:
    """Notifications delivers through the real SMTP server, polling often, retrying soon."""
    return {
        "CCHC_NOTIFICATIONS_MAIL_TRANSPORT": "smtp",
        "CCHC_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "CCHC_NOTIFICATIONS_SMTP_PORT": str(smtp.port),
        "CCHC_NOTIFICATIONS_SMTP_SECURITY": "none",
        "CCHC_NOTIFICATIONS_DELIVERY_POLL_INTERVAL": "0.5",
        "CCHC_NOTIFICATIONS_RETRY_BASE": "1",
        "CCHC_NOTIFICATIONS_RETRY_MAX": "4",
    }


def bearer(role: str, **binding: str) -> dict[str, str]:
    token = issue_token(AuthSettings(secret=SECRET), role, **binding)
    return {"Authorization": f"Bearer {token}"}


async def wait_until(what: str, check: Callable[[], Awaitable[bool]], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def notifications(stack: Stack, **params: Any) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.url("notifications")) as client:
        answer = await client.get(
            "/api/v1/notifications", params=params, headers=bearer("secretariat")
        )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def confirmed_round(
    stack: Stack, agencies: dict[str, tuple[str, str]], day: int
) -> dict[str, Any]:
    """The agencies' initiatives announced as intake does (with their addresses), then a round
    visiting them planned and confirmed through scheduling's API; reporting holds it too."""
    items = {
        code: InitiativeSubmittedV1(
            initiative_id=uuid.uuid4(),
            campaign_year=YEAR,
            agency_code=code,
            kind="model",
            title=title,
            summary="Tiếp nhận và trả kết quả hồ sơ trực tuyến toàn trình.",
            par_area="procedures",
            applied_since=date(2022, 3, 1),
            results="Rút ngắn 40% thời gian giải quyết hồ sơ.",
            limitations="Một số người dân cao tuổi còn lúng túng.",
            submitted_at=datetime(2023, 4, 20, 2, tzinfo=UTC),
            agency_email=email,
        )
        for code, (email, title) in agencies.items()
    }
    await publish_as_services(stack.processes.amqp_url, *items.values())
    wanted = {str(i.initiative_id) for i in items.values()}
    staff = bearer("secretariat")
    async with httpx.AsyncClient(base_url=stack.url("scheduling"), headers=staff) as client:

        async def in_pool() -> bool:
            pool = await client.get("/api/v1/pool", params={"campaign_year": YEAR})
            return wanted <= {p["initiative_id"] for p in pool.json()}

        await wait_until("scheduling's pool", in_pool)
        visits = [
            {
                "initiative_id": str(item.initiative_id),
                "date": f"2023-06-{day + n:02d}",
                "starts_at": "08:00",
                "place": f"Trụ sở {code}, Quận 1, Thành phố Hồ Chí Minh",
            }
            for n, (code, item) in enumerate(items.items())
        ]
        draft = await client.post(
            "/api/v1/rounds", json={"campaign_year": YEAR, "team": TEAM, "visits": visits}
        )
        assert draft.status_code == 201, draft.text
        confirmed = await client.post(f"/api/v1/rounds/{draft.json()['round_id']}/confirm")
        assert confirmed.status_code == 200, confirmed.text
    round_: dict[str, Any] = confirmed.json()
    async with httpx.AsyncClient(base_url=stack.url("reporting"), headers=staff) as client:

        async def reported() -> bool:
            rounds = await client.get(f"/api/v1/campaigns/{YEAR}/rounds")
            return rounds.status_code == 200 and round_["round_id"] in {
                r["round_id"] for r in rounds.json()
            }

        await wait_until("reporting's rounds", reported)
    return round_


async def received(smtp: SmtpServer, count: int) -> list[Received]:
    return await asyncio.to_thread(smtp.wait_for, count, 60)


def recipients(mail: list[Received]) -> list[str]:
    return sorted(r for item in mail for r in item.rcpt_tos)


async def test_a_refused_message_is_shown_with_its_reason_and_resent_to_a_corrected_address(
    page: Any, stack: Stack, smtp: SmtpServer
) -> None:
    round_ = await confirmed_round(stack, FIRST_ROUND, day=13)

    async def settled() -> bool:
        found = await notifications(stack, round_id=round_["round_id"])
        return len(found) == 7 and all(n["status"] in ("sent", "failed") for n in found)

    await wait_until("the round's seven messages settled", settled)
    assert len(await received(smtp, 6)) == 6  # four members, two agencies: not the ward

    await page.goto("/dev/sign-in?role=secretariat")
    await page.get_by_role("link", name="Thư gửi đi", exact=True).click()
    await page.wait_for_url(re.compile(r"/office/mail$"))
    await page.get_by_role("heading", name=f"Thư gửi đi năm {YEAR}").wait_for()
    counts = page.get_by_role("region", name="Số thư theo trạng thái")
    assert "Đã gửi\n6" in await counts.inner_text()
    assert "Bị từ chối\n1" in await counts.inner_text()
    await check_page(page, "office-mail-01-outbox")

    # -- only the refused ones, then only the agencies' mail -------------------------------
    await page.get_by_label("Trạng thái", exact=True).select_option("failed")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_url(re.compile(r"status=failed"))
    listed = page.get_by_role("region", name="Các thư theo bộ lọc")
    assert "1 thư" in await listed.inner_text()
    refused = listed.locator(".mail-card")
    assert await refused.count() == 1
    text = await refused.inner_text()
    assert "Bị từ chối" in text and "Bến Nghé" in text
    assert "550" in text and REFUSED in text
    await check_page(page, "office-mail-02-refused")

    await page.get_by_label("Trạng thái", exact=True).select_option("")
    await page.get_by_label("Người nhận", exact=True).select_option("member")
    await page.get_by_label("Đợt khảo sát", exact=True).select_option(label="Đợt 1")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_url(re.compile(r"recipient_kind=member"))
    assert await listed.locator(".mail-card").count() == 4
    assert "Giấy mời tham gia Đoàn khảo sát" in await listed.inner_text()
    await check_page(page, "office-mail-03-members")

    # -- the refused message: its reply, its attachments, sent again -------------------------
    await page.get_by_label("Người nhận", exact=True).select_option("agency")
    await page.get_by_label("Trạng thái", exact=True).select_option("failed")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_url(re.compile(r"status=failed"))
    await listed.locator(".mail-card a").first.click()
    await page.wait_for_url(re.compile(r"/office/mail/[0-9a-f-]{36}$"))
    about = page.get_by_role("region", name="Thông tin thư")
    about_text = await about.inner_text()
    assert "Bị từ chối" in about_text and "Trả lời của máy chủ thư" in about_text
    assert "550 5.1.1" in about_text and REFUSED in about_text
    assert "Thông báo khảo sát đợt 1 năm 2023.pdf" in about_text
    assert "Lịch khảo sát đợt 1 năm 2023.ics" in about_text
    body = page.get_by_role("region", name="Nội dung thư")
    assert "cchc.snv@tphcm.gov.vn" in await body.inner_text()
    await check_page(page, "office-mail-04-message")

    typo = "vanphong.pbennghe.q1@tphcm"
    await page.get_by_label("Địa chỉ thư điện tử đã sửa").fill(typo)
    await page.get_by_role("button", name="Gửi lại thư").click()
    error = page.locator("#email-error")
    await error.wait_for()
    assert "định dạng" in await error.inner_text()
    address = page.get_by_label("Địa chỉ thư điện tử đã sửa")
    assert await address.input_value() == typo
    assert await address.get_attribute("aria-invalid") == "true"
    await check_page(page, "office-mail-05-resend-refused")

    await page.get_by_label("Địa chỉ thư điện tử đã sửa").fill(CORRECTED)
    await page.get_by_role("button", name="Gửi lại thư").click()
    await page.wait_for_url(re.compile(r"resent=1"))
    mail = await received(smtp, 7)
    assert CORRECTED in recipients(mail) and REFUSED not in recipients(mail)
    resent = next(m for m in mail if CORRECTED in m.rcpt_tos).message
    assert resent["Subject"].startswith("Thông báo lịch khảo sát")

    await wait_until("the resent message delivered", _status_is(stack, CORRECTED, "sent"))
    await page.reload()
    about_text = await about.inner_text()
    assert "Đã gửi" in about_text and CORRECTED in about_text
    assert await page.get_by_role("button", name="Gửi lại thư").count() == 0
    await check_page(page, "office-mail-06-resent")


def _status_is(stack: Stack, email: str, status: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        found = await notifications(stack)
        return any(n["email"] == email and n["status"] == status for n in found)

    return check


async def test_a_round_held_for_review_is_released_from_the_page_and_its_mail_goes_out(
    page: Any, stack: Stack, smtp: SmtpServer
) -> None:
    before = len(await received(smtp, 0))
    await page.goto("/dev/sign-in?role=admin")
    await page.goto(f"/office/mail?campaign_year={YEAR}")
    settings = page.get_by_role("region", name=f"Cài đặt gửi thư năm {YEAR}")
    review = settings.get_by_label("Giữ thư của mỗi đợt khảo sát", exact=False)
    assert not await review.is_checked()
    await review.check()
    await settings.get_by_role("button", name="Lưu cài đặt").click()
    await page.wait_for_url(re.compile(r"settings=1"))
    assert await review.is_checked()
    await page.get_by_role("status").wait_for()
    await check_page(page, "office-mail-07-review-setting")

    round_ = await confirmed_round(stack, SECOND_ROUND, day=20)

    async def held() -> bool:
        found = await notifications(stack, round_id=round_["round_id"])
        return len(found) == 6 and all(n["status"] == "held" for n in found)

    await wait_until("the second round's six messages held", held)
    await asyncio.sleep(2)  # several delivery polls: nothing held may go out
    assert len(await received(smtp, 0)) == before

    await page.reload()
    waiting = page.get_by_role("region", name="Thư chờ phát hành")
    assert "6 thư chờ phát hành" in await waiting.inner_text()
    await check_page(page, "office-mail-08-held")
    await waiting.get_by_role("link", name="Xem lại và phát hành thư đợt 2").click()
    await page.wait_for_url(re.compile(r"/office/mail/rounds/[0-9a-f-]{36}/release$"))
    await page.get_by_role("heading", name=f"Phát hành thư đợt 2 năm {YEAR}").wait_for()
    assert await page.locator(".mail-card").count() == 6
    assert "Giấy mời khảo sát đợt 2 năm 2023.pdf" in await page.inner_text("main")
    await check_page(page, "office-mail-09-release-confirm")

    await page.get_by_role("button", name="Phát hành 6 thư").click()
    await page.wait_for_url(re.compile(r"released=6"))
    assert "Đã phát hành 6 thư" in await page.get_by_role("status").inner_text()
    await check_page(page, "office-mail-10-released")

    mail = await received(smtp, before + 6)
    second = [m for m in mail[before:] if "đợt 2" in str(m.message["Subject"])]
    assert len(second) == 6
    assert {"syt@tphcm.gov.vn", "ubnd.q1@tphcm.gov.vn"} <= set(recipients(second))

    async def all_sent() -> bool:
        found = await notifications(stack, round_id=round_["round_id"])
        return all(n["status"] == "sent" for n in found)

    await wait_until("the released messages sent", all_sent)
    await page.reload()
    assert await page.get_by_role("region", name="Thư chờ phát hành").count() == 0


async def test_an_agency_chooses_a_digest_and_is_refused_turning_off_its_notices(
    page: Any, stack: Stack
) -> None:
    await page.goto("/dev/sign-in?role=agency_submitter&agency=760")
    await page.get_by_role("link", name="Cách nhận thư", exact=True).click()
    await page.wait_for_url(re.compile(r"/preferences$"))
    decisions = page.get_by_role("region", name="Kết quả xét chọn đề xuất", exact=True)
    notices = page.get_by_role("region", name="Thông báo lịch khảo sát (bắt buộc)", exact=True)
    assert await decisions.get_by_label("Nhận ngay từng thư").is_checked()
    assert await notices.get_by_label("Nhận ngay từng thư").is_checked()
    await check_page(page, "preferences-01")

    await decisions.get_by_label("Gộp vào một thư mỗi ngày").check()
    await decisions.get_by_role("button").click()
    await page.wait_for_url(re.compile(r"saved=decision"))
    assert await decisions.get_by_label("Gộp vào một thư mỗi ngày").is_checked()
    await page.reload()
    assert await decisions.get_by_label("Gộp vào một thư mỗi ngày").is_checked()
    async with httpx.AsyncClient(base_url=stack.url("notifications")) as client:
        mine = await client.get(
            "/api/v1/preferences", headers=bearer("agency_submitter", agency="760")
        )
    assert mine.json()["modes"] == {"decision": "digest"}
    await check_page(page, "preferences-02-digest")

    await notices.get_by_label("Không nhận").check()
    await notices.get_by_role("button").click()
    error = notices.locator(".field-error")
    await error.wait_for()
    assert "bắt buộc" in await error.inner_text()
    assert await notices.get_by_label("Không nhận").is_checked()  # what was chosen, kept
    assert await decisions.get_by_label("Gộp vào một thư mỗi ngày").is_checked()
    await check_page(page, "preferences-03-mandatory-refused")
