"""What people choose: the review of a round's mail before release (a setting of each
campaign, kept here: only the mail depends on it), delivery preferences, and sending a
refused message again once its address is corrected."""

from __future__ import annotations

from uuid import UUID

from cchc_notifications.domain.errors import (
    not_retryable,
    notification_not_found,
    round_not_found,
)
from cchc_notifications.domain.model import MANDATORY, Category, DeliveryMode, RecipientKind, Status
from cchc_notifications.service_layer.services import Services
from cchc_shared.errors import Fault, InvalidInput


async def set_review(services: Services, campaign_year: int, review: bool, by: str) -> None:
    async with services.uow() as uow:
        await uow.choices.set_review(campaign_year, review, by, services.clock())
        await uow.commit()


async def release_round(services: Services, round_id: UUID, by: str) -> int:
    """Releases the held messages of a round; returns how many."""
    async with services.uow() as uow:
        if not await uow.notifications.find(round_id=round_id, limit=1):
            raise round_not_found(round_id)
        released = await uow.notifications.release_round(round_id, by, services.clock())
        await uow.commit()
    services.mail_waiting.set()
    return released


async def set_preference(
    services: Services,
    kind: RecipientKind,
    recipient_id: str,
    category: Category,
    mode: DeliveryMode,
) -> None:
    if category in MANDATORY or category is Category.DIGEST:
        raise InvalidInput(
            Fault(
                "category",
                "Giấy mời, thông báo khảo sát và thông báo hủy lịch là bắt buộc, không thể tắt "
                "hoặc gộp",
                "invitations, notices and cancellations are mandatory",
            )
        )
    async with services.uow() as uow:
        await uow.choices.set_mode(kind, recipient_id, category, mode, services.clock())
        await uow.commit()


async def send_again(services: Services, notification_id: UUID, email: str | None, by: str) -> None:
    """A refused message, to be sent again (to ``email`` if given, e.g. a corrected address)."""
    async with services.uow() as uow:
        found = await uow.notifications.get(notification_id)
        if found is None:
            raise notification_not_found(notification_id)
        if found.status is not Status.FAILED:
            raise not_retryable(found.status.value)
        address = email or found.recipient.email
        if not address:
            raise InvalidInput(
                Fault("email", "Cần địa chỉ thư điện tử để gửi lại", "an address is needed")
            )
        await uow.notifications.set_state(
            notification_id,
            status=Status.PENDING.value,
            email=address,
            attempts=0,
            next_attempt_at=services.clock(),
            released_by=by,
        )
        await uow.commit()
    services.mail_waiting.set()
