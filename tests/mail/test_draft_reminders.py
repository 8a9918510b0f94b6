"""The reminder of an unsubmitted draft, end to end: intake and notifications as processes on
the real broker (a fresh virtual host) and PostgreSQL (a database each), on a campaign clock
the test moves, and a real SMTP server process (aiosmtpd). A draft left unsubmitted when the
reminder window opens gets exactly one message, parsed back with the standard ``email``
library; a submitted draft gets none; the reminder delivered again, and published again under
another id, sends nothing twice; the sweep running on sends nothing more."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import unicodedata
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cchc_shared.auth import issue_token
from cchc_shared.clock import CLOCK_FILE_ENV, set_campaign_clock
from cchc_shared.contracts import DraftReminderDueV1, encode_event
from cchc_testkit.infra import fresh_service_databases
from cchc_testkit.nodes import free_port
from cchc_testkit.processes import ServiceProcesses
from cchc_testkit.smtp import SmtpServer

from .stack import (
    AGENCIES,
    AUTH,
    SECRET,
    EventTap,
    MailStack,
    bearer,
    redelivery,
    smtp_env,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
SERVICES = ("intake", "notifications")
WARD = "26740"
REMINDER_QUEUE = "notifications.draft.reminder_due.v1"
LEFT_TITLE = "Tổ công nghệ số cộng đồng hỗ trợ thủ tục hành chính"
SUBMITTED_TITLE = "Một cửa điện tử liên thông phường Bến Nghé"
COMPLETE = {
    "kind": "model",
    "summary": "Tiếp nhận và trả kết quả thủ tục hành chính trong ngày.",
    "par_area": "procedures",
    "applied_since": "2022-03-01",
    "results": "98% hồ sơ giải quyết đúng hạn.",
}


def at(day: date, hour: int = 9) -> datetime:
    """``hour`` o'clock in Ho Chi Minh City on ``day``."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def consumed(metrics: str, queue: str) -> float:
    """Messages of ``queue`` the consumer handled, whatever the outcome."""
    pattern = rf'^cchc_events_consumed_total\{{[^}}]*queue="{re.escape(queue)}"[^}}]*\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, metrics, re.MULTILINE))


async def test_an_unsubmitted_draft_is_reminded_by_one_mail_and_a_submitted_one_not(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    clock_file = tmp_path / "campaign-clock"
    set_campaign_clock(clock_file, at(date(2023, 5, 10)))
    smtp = SmtpServer(free_port(), tmp_path / "smtp")
    async with AsyncExitStack() as exits:
        databases = await exits.enter_async_context(
            fresh_service_databases(SERVICES, "cchc_draftmail")
        )
        await asyncio.to_thread(smtp.start)
        exits.callback(smtp.stop)
        processes = ServiceProcesses(
            amqp_url,
            databases,
            tmp_path / "var",
            auth_secret=SECRET,
            extra_env={
                "CCHC_LOG_LEVEL": "WARNING",
                CLOCK_FILE_ENV: str(clock_file),
                "CCHC_INTAKE_DRAFT_REMINDER_DAYS": "7",
                "CCHC_INTAKE_DRAFT_REMINDER_INTERVAL": "0.5",
                **smtp_env(smtp.port),
            },
        )

        def stop() -> None:
            processes.stop()
            call = getattr(request.node, "rep_call", None)
            if call is None or call.failed:
                print(processes.dump_logs(), file=sys.stderr)

        exits.callback(stop)
        for service in SERVICES:
            processes.start(service)
        await asyncio.to_thread(processes.wait_ready, *SERVICES)
        tap = await exits.enter_async_context(EventTap(amqp_url, "draft.#"))
        client = await exits.enter_async_context(httpx.AsyncClient(timeout=60))
        stack = MailStack(amqp_url, processes, smtp, client)
        intake = processes.url("intake") + "/api/v1/initiatives"
        ward = {"Authorization": f"Bearer {issue_token(AUTH, 'agency_submitter', agency=WARD)}"}

        # -- in May, the ward saves two drafts and submits one of them -------------------
        async def save(**fields: Any) -> str:
            saved = await client.post(intake, json={"draft": True, **fields}, headers=ward)
            assert saved.status_code == 201, saved.text
            return str(saved.json()["initiative_id"])

        left = await save(title=LEFT_TITLE, kind="model")
        done = await save(title=SUBMITTED_TITLE, **COMPLETE)
        submitted = await client.post(f"{intake}/{done}/submit", headers=ward)
        assert submitted.status_code == 200, submitted.text
        await asyncio.sleep(2)  # several sweeps in May: the window is not open
        assert tap.seen == [] and smtp.received() == []

        # -- a week before the deadline (31/10/2023), one reminder, for the draft left ----
        set_campaign_clock(clock_file, at(date(2023, 10, 24)))
        [received] = await asyncio.to_thread(smtp.wait_for, 1, 60)
        assert received.rcpt_tos == [AGENCIES[WARD]]
        message = received.message
        assert message["To"].addresses[0].addr_spec == AGENCIES[WARD]
        subject = (
            "Nhắc nộp hồ sơ đề xuất mô hình, giải pháp, sáng kiến CCHC năm 2023: "
            "hạn cuối ngày 31/10/2023"
        )
        assert message["Subject"] == subject
        plain = message.get_body(("plain",))
        assert plain is not None
        text = plain.get_content().replace("\r\n", "\n")  # CRLF on the wire
        assert unicodedata.is_normalized("NFC", text)
        assert f"«{LEFT_TITLE}»" in text and SUBMITTED_TITLE not in text
        assert "kết thúc vào ngày 31/10/2023 (còn 7 ngày)" in text
        assert "  - Tóm tắt nội dung\n" in text and "Loại đề xuất" not in text
        assert message.get_body(("html",)) is not None

        await wait_until("the reminder event", lambda: _has(tap, 1), 30)
        [event] = tap.seen
        data = json.loads(event.body)["data"]
        assert data["draft_id"] == left and data["agency_code"] == WARD
        assert data["submission_closes_on"] == "2023-10-31"

        # -- delivered again, and the same reminder under another id: nothing twice -----
        await stack.publish(redelivery(event))
        again = DraftReminderDueV1.model_validate(data)
        await stack.publish(encode_event(again, source="/cchc/intake"))

        async def all_consumed() -> bool:
            metrics = await client.get(processes.url("notifications") + "/metrics")
            return consumed(metrics.text, REMINDER_QUEUE) >= 3

        await wait_until("the reminders consumed", all_consumed, 30)
        await asyncio.sleep(3)  # the delivery loop polls every 0.5 s; sweeps run on
        listed = await client.get(
            processes.url("notifications") + "/api/v1/notifications",
            params={"campaign_year": 2023},
            headers=bearer("secretariat"),
        )
        assert listed.status_code == 200, listed.text
        [row] = listed.json()
        assert (row["category"], row["status"]) == ("draft_reminder", "sent")
        assert len(smtp.received()) == 1
        assert len(tap.seen) == 3  # the two the test published; intake published one


async def _has(tap: EventTap, count: int) -> bool:
    return len(tap.seen) >= count
