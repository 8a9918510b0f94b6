"""Other platforms' initiatives, published on ``cchc.inbound``: taken in once per message,
and every refused message answered with one InitiativeRejected."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from cchc_intake.domain.commands import Actor
from cchc_intake.domain.errors import unknown_agency
from cchc_intake.domain.model import Initiative, Origin, local_date
from cchc_intake.ports import UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_intake.service_layer.handlers.submissions import take_in
from cchc_shared.contracts import CloudEvent, InboundInitiativeSubmittedV1, InitiativeRejectedV1
from cchc_shared.errors import Fault

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


async def reject_inbound(message: RejectedMessage, uow: UnitOfWork) -> bool:
    """Publish one InitiativeRejected per inbound message, however often it is delivered;
    False when this message was already answered."""
    marker = CloudEvent(
        specversion="1.0",
        id=message.origin_id,
        source=message.origin_source,
        type=InitiativeRejectedV1.event_type(),
    )
    async with uow:
        if not await uow.accept_once(REJECTIONS_CONSUMER, marker):
            return False
        rejection = InitiativeRejectedV1(
            origin_source=message.origin_source,
            origin_id=message.origin_id,
            campaign_year=message.campaign_year,
            errors=[
                {"field": path[:500], "message": text[:2000] or "invalid"}
                for path, text in message.errors
            ],
        )
        event_id = uuid.uuid5(REJECTION_NAMESPACE, f"{message.origin_source}\n{message.origin_id}")
        uow.publish(rejection, event_id=str(event_id))
        await uow.commit()
    return True


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
