"""The audit log of intake: who submitted, amended and withdrew each initiative, attached its
files, saved, changed and discarded each draft, and opened or changed each campaign (a
platform's submission names the platform)."""

from __future__ import annotations

from datetime import datetime

from cchc_intake.domain.commands import Actor
from cchc_intake.domain.model import Attachment, Campaign, Draft, Initiative, snapshot_of
from cchc_intake.ports import UnitOfWork
from cchc_shared.persistence.audit import AuditEntry


async def audit(
    uow: UnitOfWork,
    record: Initiative | Draft | Campaign | Attachment,
    action: str,
    actor: Actor,
    at: datetime,
    reason: str = "",
) -> None:
    """Record who did ``action`` to ``record``, with the record as it is after it."""
    if isinstance(record, Campaign):
        entity, entity_id = "campaign", str(record.year)
    elif isinstance(record, Attachment):
        entity, entity_id = "initiative", str(record.initiative_id)
    else:
        entity, entity_id = "initiative", str(record.id)
    await uow.audit.record(
        AuditEntry(
            entity,
            entity_id,
            action,
            actor.subject,
            at,
            snapshot_of(record),
            reason.strip() or None,
            actor_name=actor.name,
        )
    )
