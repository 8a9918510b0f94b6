"""The HTTP request and response models of the notifications API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from cchc_notifications.domain.model import Category, DeliveryMode, Notification, Status
from cchc_shared.contracts.events import EmailAddress


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachmentOut(BaseModel):
    filename: str
    media_type: str


class NotificationOut(BaseModel):
    notification_id: UUID
    category: Category
    status: Status
    recipient_kind: str
    recipient_id: str
    recipient_name: str
    email: str | None
    campaign_year: int | None
    round_id: UUID | None
    subject: str
    attachments: list[AttachmentOut]
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            notification_id=n.notification_id,
            category=n.category,
            status=n.status,
            recipient_kind=n.recipient.kind.value,
            recipient_id=n.recipient.id,
            recipient_name=n.recipient.name,
            email=n.recipient.email,
            campaign_year=n.campaign_year,
            round_id=n.round_id,
            subject=n.content.subject,
            attachments=[
                AttachmentOut(filename=a.filename, media_type=a.media_type)
                for a in n.content.attachments
            ],
            attempts=n.attempts,
            last_error=n.last_error,
            created_at=n.created_at,
            sent_at=n.sent_at,
            next_attempt_at=n.next_attempt_at,
        )


class NotificationDetail(NotificationOut):
    text: str
    html: str

    @classmethod
    def detail(cls, n: Notification) -> NotificationDetail:
        return cls(**NotificationOut.of(n).model_dump(), text=n.content.text, html=n.content.html)


class CampaignSettingsIn(_In):
    review_before_release: bool


class CampaignSettingsOut(BaseModel):
    campaign_year: int
    review_before_release: bool


class ReleaseOut(BaseModel):
    round_id: UUID
    released: int


class SendAgainIn(_In):
    email: EmailAddress | None = None


OptionalCategory = Literal["decision", "evaluation_reminder", "draft_reminder"]


class PreferenceIn(_In):
    category: OptionalCategory
    mode: DeliveryMode


class PreferencesOut(BaseModel):
    recipient_kind: str
    recipient_id: str
    modes: dict[str, DeliveryMode]


class CountsOut(BaseModel):
    campaign_year: int | None
    by_status: dict[str, int]
