"""Mail through a real SMTP server process (aiosmtpd), from a round planned in scheduling's
API to the messages the server received, each parsed back with the standard ``email``
library and ``icalendar``; the faults: a refused address (550), the SMTP server down for 30 s
in the middle of a round's mail, and the broker delivering every event again."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from cchc_testkit.infra import fresh_service_databases
from cchc_testkit.nodes import free_port
from cchc_testkit.smtp import SmtpServer

from .stack import (
    AGENCIES,
    MEMBER_EMAILS,
    SERVICES,
    EventTap,
    MailStack,
    bearer,
    by_recipient,
    calendars,
    redelivery,
    start_stack,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
REFUSED = AGENCIES["26740"]


async def _stack(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest, smtp: SmtpServer
) -> AsyncIterator[MailStack]:
    async with AsyncExitStack() as exits:
        databases = await exits.enter_async_context(fresh_service_databases(SERVICES, "cchc_mail"))
        await asyncio.to_thread(smtp.start)
        exits.callback(smtp.stop)
        processes = await asyncio.to_thread(
            start_stack, amqp_url, databases, tmp_path, smtp.port, {}
        )
        try:
            async with httpx.AsyncClient(timeout=60) as client:
                yield MailStack(amqp_url, processes, smtp, client)
        finally:
            processes.stop()
            call = getattr(request.node, "rep_call", None)
            if call is None or call.failed:
                print(processes.dump_logs(), file=sys.stderr)


@pytest.fixture
async def stack(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[MailStack]:
    smtp = SmtpServer(free_port(), tmp_path / "smtp", refuse=(REFUSED,))
    async for running in _stack(amqp_url, tmp_path, request, smtp):
        yield running


@pytest.fixture
async def slow_stack(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[MailStack]:
    smtp = SmtpServer(free_port(), tmp_path / "smtp", refuse=(REFUSED,), delay=0.4)
    async for running in _stack(amqp_url, tmp_path, request, smtp):
        yield running


async def test_a_round_is_told_by_mail_updated_and_cancelled(stack: MailStack) -> None:
    async with EventTap(stack.amqp_url) as tap:
        await stack.submit_initiatives()
        round_ = await stack.confirmed_round()
        found = await stack.settled(7)

        # -- confirmed: four members (Giấy mời) and three agencies (Thông báo) ---------
        failed = [n for n in found if n["status"] == "failed"]
        assert [(n["recipient_id"], n["email"]) for n in failed] == [("26740", REFUSED)]
        assert "550" in failed[0]["last_error"] and REFUSED in failed[0]["last_error"]
        received = stack.smtp.wait_for(6, 30)
        mail = by_recipient(received)
        expected = set(MEMBER_EMAILS.values()) | {AGENCIES["SYT"], AGENCIES["SGTVT"]}
        assert set(mail) == expected and all(len(v) == 1 for v in mail.values())
        head = mail[MEMBER_EMAILS["snv.ngo-thi-hoang-cac"]][0].message
        assert head["Subject"] == (
            "Giấy mời tham gia Đoàn khảo sát mô hình, giải pháp, sáng kiến CCHC đợt 1 năm 2023"
        )
        assert head["To"].addresses[0].addr_spec == MEMBER_EMAILS["snv.ngo-thi-hoang-cac"]
        assert head["To"].addresses[0].display_name == "Ngô Thị Hoàng Các"
        text = head.get_body(("plain",)).get_content()
        assert "Trưởng đoàn" in text and "cchc.snv@tphcm.gov.vn" in text
        assert head.get_body(("html",)) is not None
        pdfs = [p for p in head.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert [p.get_filename() for p in pdfs] == ["Giấy mời khảo sát đợt 1 năm 2023.pdf"]
        assert pdfs[0].get_content().startswith(b"%PDF")
        (calendar,) = calendars(mail[MEMBER_EMAILS["snv.ngo-thi-hoang-cac"]][0])
        assert calendar["METHOD"] == "REQUEST"
        events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
        assert len(events) == 3
        assert {e["DTSTART"].params["TZID"] for e in events} == {"Asia/Ho_Chi_Minh"}
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
        assert str(events[0]["LOCATION"]).startswith("Hội trường Sở Y tế, số 59")
        uids = {str(e["UID"]) for e in events}
        first_sequence = int(events[0]["SEQUENCE"])
        assert first_sequence == round_["version"]
        syt = mail[AGENCIES["SYT"]][0].message
        assert syt["Subject"] == (
            "Thông báo lịch khảo sát mô hình, giải pháp, sáng kiến CCHC đợt 1 năm 2023"
        )
        assert [p.get_filename() for p in syt.iter_attachments()] == [
            "Thông báo khảo sát đợt 1 năm 2023.pdf",
            "Lịch khảo sát đợt 1 năm 2023.ics",
        ]
        (syt_calendar,) = calendars(mail[AGENCIES["SYT"]][0])
        assert len(syt_calendar.walk("VEVENT")) == 1  # only its own visit

        # The refusal is visible to the PAR office with its reason.
        refused = await stack.notifications(status="failed")
        assert [n["email"] for n in refused] == [REFUSED]

        # -- changed: the ward's visit dropped, the hospital's moved -------------------
        await stack.call(
            "PUT",
            f"/api/v1/rounds/{round_['round_id']}",
            json={
                "team": [{"member_id": s["member_id"], "role": s["role"]} for s in round_["team"]],
                "visits": stack.visits(syt_at="09:45", with_ward=False, of=round_),
                "reason": "Sở Y tế đề nghị lùi giờ làm việc",
            },
        )
        await stack.settled(14)
        received = stack.smtp.wait_for(12, 30)
        mail = by_recipient(received)
        update = mail[MEMBER_EMAILS["snv.ngo-thi-hoang-cac"]][-1]
        assert update.message["Subject"].startswith("[Điều chỉnh] Giấy mời")
        request, cancel = calendars(update)
        assert request["METHOD"] == "REQUEST" and cancel["METHOD"] == "CANCEL"
        kept = request.walk("VEVENT")
        assert len(kept) == 2 and {str(e["UID"]) for e in kept} < uids
        assert {int(e["SEQUENCE"]) for e in kept} == {first_sequence + 1}
        (gone,) = cancel.walk("VEVENT")
        assert str(gone["UID"]) in uids and int(gone["SEQUENCE"]) == first_sequence + 1

        # -- cancelled: everyone of the last state gets METHOD:CANCEL ------------------
        await stack.call(
            "POST",
            f"/api/v1/rounds/{round_['round_id']}/cancel",
            json={"reason": "Thay đổi kế hoạch"},
        )
        await stack.settled(20)
        received = stack.smtp.wait_for(18, 30)
        mail = by_recipient(received)
        assert all(len(mail[a]) == 3 for a in MEMBER_EMAILS.values())
        last = mail[AGENCIES["SYT"]][-1]
        assert last.message["Subject"].startswith("Hủy lịch khảo sát")
        (cancelled,) = calendars(last)
        (event,) = cancelled.walk("VEVENT")
        assert cancelled["METHOD"] == "CANCEL"
        assert int(event["SEQUENCE"]) == first_sequence + 2 and str(event["UID"]) in uids
        assert len(mail[AGENCIES["SGTVT"]]) == 3

        # -- the broker delivers every event again: nothing is sent twice --------------
        events_seen = list(tap.seen)
        assert len(events_seen) >= 6  # 3 initiatives, scheduled, rescheduled, cancelled
        for message in events_seen:
            await stack.publish(redelivery(message))
        await asyncio.sleep(8)  # time for every redelivery to be consumed
        assert len(await stack.notifications()) == 20
        assert len(stack.smtp.received()) == 18
        ids = [r.message["Message-ID"] for r in stack.smtp.received()]
        assert len(set(ids)) == len(ids)


async def test_the_smtp_server_down_for_30_s_in_the_middle_of_a_round(
    slow_stack: MailStack,
) -> None:
    stack = slow_stack
    await stack.submit_initiatives()
    await stack.confirmed_round()
    first = stack.smtp.wait_for(1, 60)
    assert first, "nothing was delivered before the server went down"
    stack.smtp.kill()
    down_at = time.monotonic()
    delivered_before = len(stack.smtp.received())
    assert delivered_before < 6, "everything was delivered before the server went down"

    async def retried() -> bool:
        return any(
            n["status"] == "pending" and n["attempts"] > 0 for n in await stack.notifications()
        )

    await wait_until("a failed attempt", retried, 30)
    await asyncio.sleep(max(0.0, 30 - (time.monotonic() - down_at)))
    await asyncio.to_thread(stack.smtp.start)

    found = await stack.settled(7, timeout=120)
    received = stack.smtp.wait_for(6, 30)
    mail = by_recipient(received)
    expected = set(MEMBER_EMAILS.values()) | {AGENCIES["SYT"], AGENCIES["SGTVT"]}
    assert set(mail) == expected
    assert all(len(items) == 1 for items in mail.values()), "a message was delivered twice"
    sent = {
        f"<{n['notification_id']}@cchc.hochiminhcity.gov.vn>"
        for n in found
        if n["status"] == "sent"
    }
    assert {r.message["Message-ID"] for r in received} == sent
    assert [n["email"] for n in found if n["status"] == "failed"] == [REFUSED]
    counts = (
        await stack.client.get(
            stack.url("notifications") + "/api/v1/notifications/counts",
            headers=bearer("secretariat"),
        )
    ).json()
    assert counts["by_status"] == {"sent": 6, "failed": 1}
