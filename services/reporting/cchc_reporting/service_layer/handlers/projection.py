"""Use case: record an incoming event and project its facts."""

from __future__ import annotations

from cchc_reporting.domain.facts import facts_from_event
from cchc_reporting.ports import UnitOfWork
from cchc_shared.contracts import CloudEvent, EventData

CONSUMER = "reporting"


async def record_event(uow: UnitOfWork, event: CloudEvent, data: EventData) -> bool:
    """Keep ``event`` in the log and project its facts, in one transaction with the inbox
    record. Returns False for a duplicate (already recorded: nothing changes)."""
    async with uow:
        if not await uow.accept_once(CONSUMER, event):
            return False
        await uow.log.append(event)
        for fact in facts_from_event(event.id, event.time, data):
            await uow.facts.apply(fact)
        await uow.commit()
    return True
