"""Who is told what: a notification is one message to one recipient, with a stable id (the
same cause and recipient always give the same id, so a redelivered event adds nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final
from uuid import UUID, uuid5

# The namespace of notification ids (uuid5): a fixed, arbitrary UUID of this service.
NOTIFICATION_NAMESPACE: Final = UUID("5b0e3c52-9f0d-4d5e-8a51-6b7f1d2c8e47")


class Category(StrEnum):
    INVITATION = "invitation"  # Giấy mời to a team member, with the calendar
    AGENCY_NOTICE = "agency_notice"  # Thông báo to a surveyed agency, with the calendar
    ROUND_CANCELLED = "round_cancelled"  # the round will not take place (METHOD:CANCEL)
    DECISION = "decision"  # the outcome of an initiative, to its agency
    EVALUATION_REMINDER = "evaluation_reminder"  # a visit is over, its evaluation missing
    DRAFT_REMINDER = "draft_reminder"  # an agency's draft unsubmitted as the deadline nears
    DIGEST = "digest"  # what a person chose to receive bundled


# What nobody may opt out of: the invitation to a survey and its notice (and their update
# or cancellation), as the Department's plan requires them.
MANDATORY: Final = frozenset(
    {Category.INVITATION, Category.AGENCY_NOTICE, Category.ROUND_CANCELLED}
)
OPTIONAL: Final = tuple(c for c in Category if c not in MANDATORY and c is not Category.DIGEST)


class Status(StrEnum):
    HELD = "held"  # waiting for the PAR office to release it (the campaign asks for review)
    PENDING = "pending"  # to be sent (or retried)
    SENT = "sent"  # accepted by the mail server (or written, in the local run)
    FAILED = "failed"  # refused for good (5xx), no address, or out of attempts
    DIGEST = "digest"  # waiting for the recipient's next digest
    DIGESTED = "digested"  # went out in a digest
    SKIPPED = "skipped"  # the recipient opted out


class RecipientKind(StrEnum):
    MEMBER = "member"  # a survey-team member (scheduling's roster)
    AGENCY = "agency"  # an agency (intake's reference data)


class DeliveryMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


@dataclass(frozen=True)
class Recipient:
    kind: RecipientKind
    id: str  # member id or agency code
    name: str
    email: str | None


@dataclass(frozen=True)
class Attachment:
    """An attachment carried in the row (a calendar) or fetched when the message is sent (a
    notice's PDF, from scheduling's API at ``source``)."""

    filename: str
    media_type: str
    content: str | None = None  # text, for the calendar files
    source: str | None = None  # API path of a document fetched at send time
    params: dict[str, str] = field(default_factory=dict)  # e.g. {"method": "REQUEST"}

    def as_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "media_type": self.media_type,
            "content": self.content,
            "source": self.source,
            "params": dict(self.params),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        return cls(
            filename=data["filename"],
            media_type=data["media_type"],
            content=data.get("content"),
            source=data.get("source"),
            params=dict(data.get("params") or {}),
        )


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


@dataclass
class Notification:
    notification_id: UUID
    category: Category
    recipient: Recipient
    content: Content
    status: Status
    created_at: datetime
    campaign_year: int | None = None
    round_id: UUID | None = None
    cause: str = ""  # what caused it: "<source>/<event id>" or the reminder's key
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None


def notification_id(cause: str, category: Category, recipient: Recipient) -> UUID:
    """The same cause, category and recipient always give the same id."""
    return uuid5(NOTIFICATION_NAMESPACE, f"{cause}|{category}|{recipient.kind}:{recipient.id}")


def initial_status(category: Category, mode: DeliveryMode, held: bool, has_address: bool) -> Status:
    """Where a new notification starts: refused without an address, skipped or kept for a
    digest as its recipient chose (never for what is mandatory), held for review if the
    campaign asks for it, else to be sent."""
    if not has_address:
        return Status.FAILED
    if category not in MANDATORY:
        if mode is DeliveryMode.OFF:
            return Status.SKIPPED
        if mode is DeliveryMode.DIGEST:
            return Status.DIGEST
    return Status.HELD if held else Status.PENDING


def retry_delay(attempts: int, base: float, ceiling: float) -> timedelta:
    """Exponential backoff after the ``attempts``-th failed attempt."""
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, attempts - 1)))


def no_address(who: Recipient) -> str:
    where = "danh sách thành viên" if who.kind is RecipientKind.MEMBER else "danh mục cơ quan"
    return f"Không có địa chỉ thư điện tử của {who.name} trong {where} (no e-mail address)"


def new_notification(
    *,
    cause: str,
    category: Category,
    recipient: Recipient,
    content: Content,
    now: datetime,
    campaign_year: int | None,
    round_id: UUID | None = None,
    mode: DeliveryMode = DeliveryMode.IMMEDIATE,
    held: bool = False,
) -> Notification:
    """A notification as its cause creates it, in the state ``initial_status`` gives."""
    status = initial_status(category, mode, held, bool(recipient.email))
    return Notification(
        notification_id=notification_id(cause, category, recipient),
        category=category,
        recipient=recipient,
        content=content,
        status=status,
        created_at=now,
        campaign_year=campaign_year,
        round_id=round_id,
        cause=cause,
        next_attempt_at=now if status is Status.PENDING else None,
        last_error="" if recipient.email else no_address(recipient),
    )
