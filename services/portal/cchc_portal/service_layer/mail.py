"""The survey's mail, through the notifications API with the signed-in person's token: the PAR
office's outbox (every message, why one was refused, a round held for review, the campaign's
mail setting) and each person's choice of how to receive what is not mandatory."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from cchc_portal.adapters.api import Refused, ServiceApis
from cchc_portal.service_layer.sessions import Session

SERVICE: Final = "notifications"
# The outbox's filters, named as the API's query parameters.
OUTBOX_FILTERS: Final = ("status", "round_id", "recipient_kind")
# The API's statuses of a message, in the order of its life.
MAIL_STATUSES: Final = {
    "held": "Chờ phát hành",
    "pending": "Đang gửi",
    "sent": "Đã gửi",
    "failed": "Bị từ chối",
    "digest": "Chờ gửi gộp",
    "digested": "Đã gửi trong thư tổng hợp",
    "skipped": "Không gửi (người nhận đã tắt)",
}
RECIPIENT_KINDS: Final = {"member": "Thành viên Đoàn khảo sát", "agency": "Cơ quan, đơn vị"}
CATEGORIES: Final = {
    "invitation": "Giấy mời tham gia Đoàn khảo sát",
    "agency_notice": "Thông báo lịch khảo sát",
    "round_cancelled": "Thông báo hủy lịch khảo sát",
    "decision": "Kết quả xét chọn đề xuất",
    "evaluation_reminder": "Nhắc nhập phiếu đánh giá",
    "digest": "Thư tổng hợp",
}
# What each kind of recipient may be told, mandatory first (the API refuses turning those off).
MANDATORY_OF: Final = {
    "member": ("invitation", "round_cancelled"),
    "agency": ("agency_notice", "round_cancelled"),
}
OPTIONAL_OF: Final = {"member": ("evaluation_reminder",), "agency": ("decision",)}
MODES: Final = {
    "immediate": "Nhận ngay từng thư",
    "digest": "Gộp vào một thư mỗi ngày",
    "off": "Không nhận",
}
PREFERENCE_FIELDS: Final = ("category", "mode")


@dataclass(frozen=True)
class HeldRound:
    """A round whose mail waits for the PAR office to release it."""

    round_id: str
    held: int


async def _call(session: Session, apis: ServiceApis, method: str, path: str, **kw: Any) -> Any:
    return await apis.call(SERVICE, method, path, session.access_token, **kw)


async def outbox(
    apis: ServiceApis, session: Session, year: int, filters: dict[str, str]
) -> dict[str, Any]:
    """The campaign's messages under the filters, the counts by status, the rounds whose mail
    is held, and the campaign's mail setting."""
    wanted = {k: v for k, v in filters.items() if v} | {"campaign_year": year}
    messages, counts, held, settings = await asyncio.gather(
        _call(session, apis, "GET", "/notifications", params=wanted),
        _call(session, apis, "GET", "/notifications/counts", params={"campaign_year": year}),
        _call(
            session,
            apis,
            "GET",
            "/notifications",
            params={"campaign_year": year, "status": "held"},
        ),
        campaign_settings(apis, session, year),
    )
    return {
        "messages": messages,
        "counts": counts["by_status"],
        "held_rounds": held_rounds(held),
        "settings": settings,
    }


def held_rounds(held: list[dict[str, Any]]) -> list[HeldRound]:
    by_round = Counter(str(m["round_id"]) for m in held if m.get("round_id"))
    return [HeldRound(r, n) for r, n in sorted(by_round.items())]


async def message(apis: ServiceApis, session: Session, notification_id: UUID) -> Any:
    return await _call(session, apis, "GET", f"/notifications/{notification_id}")


async def resend(apis: ServiceApis, session: Session, notification_id: UUID, email: str) -> Any:
    """A refused message sent again, to ``email`` when given (a corrected address)."""
    body = {"email": email.strip() or None}
    return await _call(session, apis, "POST", f"/notifications/{notification_id}/resend", json=body)


async def round_messages(apis: ServiceApis, session: Session, round_id: UUID) -> Any:
    return await _call(session, apis, "GET", "/notifications", params={"round_id": str(round_id)})


async def release(apis: ServiceApis, session: Session, round_id: UUID) -> int:
    answer = await _call(session, apis, "POST", f"/rounds/{round_id}/release")
    return int(answer["released"])


async def campaign_settings(apis: ServiceApis, session: Session, year: int) -> Any:
    return await _call(session, apis, "GET", f"/campaigns/{year}/settings")


async def change_settings(
    apis: ServiceApis, session: Session, year: int, form: dict[str, str]
) -> Any:
    """A checkbox sends its value only when ticked: absent is ``false``."""
    body = {"review_before_release": form.get("review_before_release", "") == "true"}
    return await _call(session, apis, "PUT", f"/campaigns/{year}/settings", json=body)


@dataclass(frozen=True)
class Choice:
    category: str
    mode: str
    mandatory: bool


async def preferences(apis: ServiceApis, session: Session) -> tuple[str, list[Choice]] | None:
    """The person's kind of recipient and a choice per category they may be told of; None for
    someone the mail is not addressed to (the PAR office, the committee)."""
    try:
        found = await _call(session, apis, "GET", "/preferences")
    except Refused as exc:
        if exc.status == 403:
            return None
        raise
    kind = str(found["recipient_kind"])
    modes: dict[str, str] = found["modes"]
    choices = [Choice(c, "immediate", True) for c in MANDATORY_OF.get(kind, ())]
    choices += [Choice(c, modes.get(c, "immediate"), False) for c in OPTIONAL_OF.get(kind, ())]
    return kind, choices


async def set_preference(apis: ServiceApis, session: Session, values: dict[str, str]) -> Any:
    return await _call(session, apis, "PUT", "/preferences", json=values)
