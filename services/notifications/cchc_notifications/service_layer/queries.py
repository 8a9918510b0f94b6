"""The read side: the mail of a campaign or a round, one message, the counts by status,
a person's preferences."""

from __future__ import annotations

from uuid import UUID

from cchc_notifications.domain.errors import notification_not_found
from cchc_notifications.domain.model import (
    Category,
    DeliveryMode,
    Notification,
    RecipientKind,
    Status,
)
from cchc_notifications.service_layer.services import Services


async def list_notifications(
    services: Services,
    *,
    status: Status | None = None,
    round_id: UUID | None = None,
    campaign_year: int | None = None,
    recipient: tuple[RecipientKind, str] | None = None,
    recipient_kind: RecipientKind | None = None,
    limit: int = 1000,
) -> list[Notification]:
    async with services.uow() as uow:
        return await uow.notifications.find(
            status=status,
            round_id=round_id,
            campaign_year=campaign_year,
            recipient=recipient,
            recipient_kind=recipient_kind,
            limit=limit,
        )


async def get_notification(services: Services, notification_id: UUID) -> Notification:
    async with services.uow() as uow:
        found = await uow.notifications.get(notification_id)
    if found is None:
        raise notification_not_found(notification_id)
    return found


async def counts(services: Services, campaign_year: int | None = None) -> dict[str, int]:
    async with services.uow() as uow:
        return await uow.notifications.counts(campaign_year)


async def review_before_release(services: Services, campaign_year: int) -> bool:
    async with services.uow() as uow:
        return await uow.choices.review_before_release(campaign_year)


async def preferences(
    services: Services, kind: RecipientKind, recipient_id: str
) -> dict[Category, DeliveryMode]:
    async with services.uow() as uow:
        return await uow.choices.modes(kind, recipient_id)
