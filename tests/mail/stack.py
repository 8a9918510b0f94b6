"""The mail stack of the tests: scheduling and notifications as separate processes on the
real broker (a fresh virtual host) and PostgreSQL (a database each), a real SMTP server
process (aiosmtpd), intake's initiative events published on ``cchc.events``, and a round
planned, confirmed, changed and cancelled through scheduling's HTTP API."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from icalendar import Calendar

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import EncodedMessage, encode_event
from cchc_shared.contracts.events import EVENTS_EXCHANGE, InitiativeSubmittedV1
from cchc_testkit.processes import ServiceProcesses
from cchc_testkit.smtp import Received, SmtpServer

SECRET = "mail-test-secret-" + "x" * 40
AUTH = AuthSettings(secret=SECRET)
SERVICES = ("scheduling", "notifications")
TEAM = [
    {"member_id": "snv.ngo-thi-hoang-cac", "role": "head"},
    {"member_id": "stp.dang-van-loc", "role": "member"},
    {"member_id": "vpub.bui-thi-thanh-thuy", "role": "member"},
    {"member_id": "snv.pham-minh-duc", "role": "secretary"},
]
MEMBER_EMAILS = {
    "snv.ngo-thi-hoang-cac": "nthcac.snv@tphcm.gov.vn",
    "stp.dang-van-loc": "dvloc.stp@tphcm.gov.vn",
    "vpub.bui-thi-thanh-thuy": "bttthuy.vpub@tphcm.gov.vn",
    "snv.pham-minh-duc": "pmduc.snv@tphcm.gov.vn",
}
AGENCIES = {  # code -> contact, as intake's reference data gives them
    "SYT": "syt@tphcm.gov.vn",
    "SGTVT": "sgtvt@tphcm.gov.vn",
    "26740": "ubnd.pbennghe.q1@tphcm.gov.vn",
}


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(AUTH, role)}"}


def submitted(agency: str, title: str) -> InitiativeSubmittedV1:
    return InitiativeSubmittedV1(
        initiative_id=uuid.uuid4(),
        campaign_year=2023,
        agency_code=agency,
        kind="model",
        title=title,
        summary="Tiếp nhận và trả kết quả hồ sơ trực tuyến toàn trình.",
        par_area="procedures",
        applied_since=date(2022, 3, 1),
        results="Rút ngắn 40% thời gian giải quyết hồ sơ.",
        limitations="Một số người dân cao tuổi còn lúng túng.",
        submitted_at=datetime(2023, 4, 20, 9, 0, tzinfo=UTC),
        agency_email=AGENCIES[agency],
    )


async def wait_until(
    what: str, check: Callable[[], Awaitable[bool]], timeout: float, every: float = 0.3
) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


class EventTap:
    """A queue of the test's own on ``cchc.events``: every event published (or those of
    ``routing_key``), to send again."""

    def __init__(self, amqp_url: str, routing_key: str = "#") -> None:
        self.amqp_url, self.routing_key = amqp_url, routing_key
        self.seen: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def __aenter__(self) -> EventTap:
        self.connection = await aio_pika.connect(self.amqp_url)
        channel = await self.connection.channel()
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, routing_key=self.routing_key)

        async def keep(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            self.seen.append(message)

        await queue.consume(keep)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()


def redelivery(message: aio_pika.abc.AbstractIncomingMessage) -> EncodedMessage:
    """A message the tap saw, to publish again unchanged (same id, same body)."""
    return EncodedMessage(
        event_id=str(message.message_id),
        event_type=str(json.loads(message.body)["type"]),
        exchange=EVENTS_EXCHANGE,
        routing_key=str(message.routing_key),
        content_type=str(message.content_type),
        headers={},
        body=message.body,
    )


@dataclass
class MailStack:
    amqp_url: str
    processes: ServiceProcesses
    smtp: SmtpServer
    client: httpx.AsyncClient
    initiatives: dict[str, InitiativeSubmittedV1] = field(default_factory=dict)
    round_events: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.processes.url(service)

    async def publish(self, message: EncodedMessage) -> None:
        connection = await aio_pika.connect(self.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(EVENTS_EXCHANGE)
            await exchange.publish(
                aio_pika.Message(
                    body=message.body,
                    message_id=message.event_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=message.routing_key,
            )
        finally:
            await connection.close()

    async def submit_initiatives(self) -> None:
        titles = {
            "SYT": "Khám chữa bệnh bằng căn cước công dân gắn chíp",
            "SGTVT": "Cấp đổi giấy phép lái xe trực tuyến toàn trình",
            "26740": "Tổ công nghệ số cộng đồng hỗ trợ thủ tục hành chính",
        }
        for agency, title in titles.items():
            data = submitted(agency, title)
            self.initiatives[agency] = data
            await self.publish(encode_event(data, source="/cchc/intake"))

        async def in_pool() -> bool:
            found = await self.client.get(
                self.url("scheduling") + "/api/v1/pool",
                params={"campaign_year": 2023},
                headers=bearer("secretariat"),
            )
            return found.status_code == 200 and len(found.json()) >= len(titles)

        await wait_until("the pool", in_pool, 60)

    def visits(
        self,
        *,
        syt_at: str = "08:00",
        with_ward: bool = True,
        of: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The round's visits; ``of`` a saved round whose visits keep their ids."""
        visits = [
            {
                "initiative_id": str(self.initiatives["SYT"].initiative_id),
                "date": "2023-06-13",
                "starts_at": syt_at,
                "place": "Hội trường Sở Y tế, số 59 Nguyễn Thị Minh Khai, phường Bến Thành, Quận 1",
            },
            {
                "initiative_id": str(self.initiatives["SGTVT"].initiative_id),
                "date": "2023-06-13",
                "starts_at": "14:00",
                "place": "Sở Giao thông vận tải, số 63 Lý Tự Trọng, phường Bến Nghé, Quận 1",
            },
        ]
        if with_ward:
            visits.append(
                {
                    "initiative_id": str(self.initiatives["26740"].initiative_id),
                    "date": "2023-06-14",
                    "starts_at": "08:00",
                    "place": "Ủy ban nhân dân phường Bến Nghé, số 29 Mạc Đĩnh Chi, Quận 1",
                }
            )
        if of is not None:
            ids = {v["initiative_id"]: v["visit_id"] for v in of["visits"]}
            for visit in visits:
                visit["visit_id"] = ids[visit["initiative_id"]]
        return visits

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", bearer("secretariat"))
        answer = await self.client.request(method, self.url("scheduling") + path, **kwargs)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    async def confirmed_round(self) -> dict[str, Any]:
        draft = await self.call(
            "POST",
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": TEAM, "visits": self.visits()},
        )
        return await self.call("POST", f"/api/v1/rounds/{draft['round_id']}/confirm")

    async def notifications(self, **params: Any) -> list[dict[str, Any]]:
        answer = await self.client.get(
            self.url("notifications") + "/api/v1/notifications",
            params=params,
            headers=bearer("secretariat"),
        )
        assert answer.status_code == 200, answer.text
        result: list[dict[str, Any]] = answer.json()
        return result

    async def settled(self, expected: int, timeout: float = 90) -> list[dict[str, Any]]:
        """Waits until ``expected`` notifications exist and none is still pending."""
        found: list[dict[str, Any]] = []

        async def done() -> bool:
            nonlocal found
            found = await self.notifications()
            return len(found) >= expected and all(n["status"] in ("sent", "failed") for n in found)

        await wait_until(f"{expected} notifications settled", done, timeout)
        return found


def by_recipient(received: list[Received]) -> dict[str, list[Received]]:
    result: dict[str, list[Received]] = {}
    for item in received:
        for rcpt in item.rcpt_tos:
            result.setdefault(rcpt, []).append(item)
    return result


def calendars(item: Received) -> list[Calendar]:
    return [
        Calendar.from_ical(part.get_content())
        for part in item.message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]


def smtp_env(smtp_port: int) -> dict[str, str]:
    """Notifications' settings for the test's SMTP server, polling and retrying quickly."""
    return {
        "CCHC_NOTIFICATIONS_MAIL_TRANSPORT": "smtp",
        "CCHC_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "CCHC_NOTIFICATIONS_SMTP_PORT": str(smtp_port),
        "CCHC_NOTIFICATIONS_SMTP_SECURITY": "none",
        "CCHC_NOTIFICATIONS_DELIVERY_POLL_INTERVAL": "0.5",
        "CCHC_NOTIFICATIONS_RETRY_BASE": "1",
        "CCHC_NOTIFICATIONS_RETRY_MAX": "4",
    }


def start_stack(
    amqp_url: str, databases: dict[str, str], base: Path, smtp_port: int, extra: dict[str, str]
) -> ServiceProcesses:
    processes = ServiceProcesses(
        amqp_url,
        databases,
        base / "var",
        auth_secret=SECRET,
        extra_env={"CCHC_LOG_LEVEL": "WARNING"},
    )
    processes.start("scheduling")
    processes.wait_ready("scheduling")
    processes.env.update({**smtp_env(smtp_port), **extra})
    processes.start("notifications")
    processes.wait_ready("notifications")
    return processes
