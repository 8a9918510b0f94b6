"""What every handler and query receives from the entry points: a fresh unit of work, the
attachment storage, the clock, the upload cap, and the inbound queue's consumer (to process a
refused message again). Built once, by the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cchc_intake.ports import AttachmentStorage, UnitOfWork
from cchc_intake.service_layer.handlers.inbound import Reprocess
from cchc_shared import clock


def utc_now() -> datetime:
    """Business time: the system clock, or the campaign clock of a local run (the kit's)."""
    return clock.now()


@dataclass(frozen=True)
class Services:
    uow: Callable[[], UnitOfWork]
    storage: AttachmentStorage
    attachment_max_bytes: int
    clock: Callable[[], datetime] = utc_now
    reprocess_inbound: Reprocess | None = None
