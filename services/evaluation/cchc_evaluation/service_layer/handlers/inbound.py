"""What every handler of another service's announcement does first."""

from __future__ import annotations

from uuid import UUID

from cchc_evaluation.ports import UnitOfWork
from cchc_shared.contracts import CloudEvent


async def accept_locked(uow: UnitOfWork, consumer: str, event: CloudEvent, key: UUID) -> bool:
    """Record ``event`` in the inbox and lock the aggregate ``key`` until commit; False when the
    event was already processed (a redelivery: nothing to do)."""
    if not await uow.accept_once(consumer, event):
        return False
    await uow.lock(key)
    return True
