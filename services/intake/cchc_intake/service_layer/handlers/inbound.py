"""Other platforms' initiatives, published on ``cchc.inbound``: taken in once per message,
and every refused message answered with one InitiativeRejected."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final
from uuid import UUID

from cchc_intake.domain.commands import Actor
from cchc_intake.domain.errors import RejectionNotFound, unknown_agency
from cchc_intake.domain.inbound import KeptMessage, Rejection
from cchc_intake.domain.model import Initiative, Origin, local_date
from cchc_intake.ports import UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_intake.service_layer.handlers.submissions import take_in
from cchc_shared.contracts import (
    CloudEvent,
    FieldError,
    InboundInitiativeSubmittedV1,
    InitiativeRejectedV1,
)
from cchc_shared.errors import Fault
from cchc_shared.messaging.consumer import IncomingMessage, headers_from_json

INBOUND_CONSUMER: Final = "intake.inbound"
REJECTIONS_CONSUMER: Final = "intake.inbound.rejections"
# Names the InitiativeRejected of one inbound message: a repeat gets the same event id.
REJECTION_NAMESPACE: Final = uuid.UUID("0e4a8d52-6f7b-4c1e-9a43-2b8f3c1d5e70")


async def accept_inbound(
    event: CloudEvent, data: InboundInitiativeSubmittedV1, uow: UnitOfWork, now: datetime
) -> Initiative | None:
    """Take in another platform's initiative once per (source, id); None for a repeat.
    A data fault raises InvalidInput or DuplicateTitle (the kit parks the message)."""
    async with uow:
        if not await uow.accept_once(INBOUND_CONSUMER, event):
            return None
        initiative = await take_in(
            uow,
            data,
            submitted_at=data.submitted_at,
            submitted_by=f"platform:{event.source}"[:200],
            now=now,
            origin=Origin(event.source, event.id),
        )
        await audit(uow, initiative, "submitted", Actor(initiative.submitted_by), now)
        await uow.commit()
    return initiative


@dataclass(frozen=True)
class RejectedMessage:
    origin_source: str
    origin_id: str
    errors: list[tuple[str, str]]  # (JSON path, message)
    campaign_year: int | None = None  # the campaign the message named, when readable
    kept: KeptMessage | None = None  # the message as received, kept for a replay


def rejection_id(origin_source: str, origin_id: str) -> UUID:
    """The id of the InitiativeRejected of one inbound message, and of its kept copy."""
    return uuid.uuid5(REJECTION_NAMESPACE, f"{origin_source}\n{origin_id}")


async def reject_inbound(
    message: RejectedMessage, uow: UnitOfWork, now: datetime | None = None
) -> bool:
    """Publish one InitiativeRejected per inbound message, however often it is delivered,
    and keep the message as received, in the same transaction; False when this message was
    already answered (its kept copy then takes the latest reasons)."""
    marker = CloudEvent(
        specversion="1.0",
        id=message.origin_id,
        source=message.origin_source,
        type=InitiativeRejectedV1.event_type(),
    )
    errors = [
        {"field": path[:500], "message": text[:2000] or "invalid"} for path, text in message.errors
    ]
    now = now or datetime.now(UTC)
    async with uow:
        if not await uow.accept_once(REJECTIONS_CONSUMER, marker):
            await uow.rejections.refused_again(
                message.origin_source, message.origin_id, errors, now
            )
            await uow.commit()
            return False
        rejection = InitiativeRejectedV1(
            origin_source=message.origin_source,
            origin_id=message.origin_id,
            campaign_year=message.campaign_year,
            errors=errors,
        )
        event_id = rejection_id(message.origin_source, message.origin_id)
        uow.publish(rejection, event_id=str(event_id))
        if message.kept is not None:
            await uow.rejections.add(
                Rejection(
                    id=event_id,
                    origin_source=message.origin_source,
                    origin_id=message.origin_id,
                    campaign_year=message.campaign_year,
                    errors=errors,
                    message=message.kept,
                    received_at=now,
                    rejected_at=now,
                )
            )
        await uow.commit()
    return True


Reprocess = Callable[[IncomingMessage], Awaitable[list[FieldError]]]


@dataclass(frozen=True)
class ReplayOutcome:
    rejection_id: UUID
    initiative_id: UUID | None  # taken in (now, or by an earlier replay or delivery)
    errors: list[dict[str, str]]  # refused again: the new reasons


def as_delivered(message: KeptMessage) -> IncomingMessage:
    """The kept message as the consumer receives one, with the user the broker verified."""
    return IncomingMessage(
        body=message.body,
        headers=headers_from_json(message.headers),
        content_type=message.content_type,
        message_id=message.message_id,
        exchange=message.exchange,
        routing_key=message.routing_key,
        user_id=message.publisher,
    )


async def replay_rejected(
    rejection_id: UUID,
    actor: Actor,
    reprocess: Reprocess,
    uow: Callable[[], UnitOfWork],
    now: datetime,
) -> ReplayOutcome:
    """Process a refused inbound message again, from the copy kept when it was refused,
    through the inbound queue's consumer: its trust check (with the publisher the broker
    verified then, never ``actor``), the same handler and its inbox, and the same rejection
    hook. Taken in once however often it is replayed, or concurrently; refused again, it
    keeps the new reasons. The replay itself (who, when, how many) is recorded on the copy."""
    async with uow() as work:
        kept = await work.rejections.get(rejection_id)
    if kept is None:
        raise RejectionNotFound(rejection_id)
    faults = await reprocess(as_delivered(kept.message))
    async with uow() as work:
        await work.rejections.replayed(rejection_id, actor.subject, now)
        taken = await work.initiatives.with_origin(kept.origin_source, kept.origin_id)
        await work.commit()
    errors = [] if taken else [e.as_dict() for e in faults]
    return ReplayOutcome(rejection_id, taken, errors)


async def faults_beyond_schema(
    uow: UnitOfWork, data: Mapping[str, Any], already: set[str], now: datetime
) -> list[Fault]:
    """The registry and date faults of an inbound ``data`` that failed schema validation,
    for the fields the schema accepted, so one rejection names every fault."""
    faults: list[Fault] = []
    code = data.get("agency_code")
    if "agency_code" not in already and isinstance(code, str):
        async with uow:
            if await uow.agencies.get(code) is None:
                faults.append(unknown_agency(code))
    since = data.get("applied_since")
    if "applied_since" not in already and isinstance(since, str):
        try:
            day = date.fromisoformat(since)
        except ValueError:
            day = None
        if day is not None and day > local_date(now):
            faults.append(
                Fault(
                    "applied_since",
                    "Ngày bắt đầu áp dụng không được ở tương lai",
                    "must not be in the future",
                )
            )
    return faults
