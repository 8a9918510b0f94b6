"""What every handler and query receives from the entry points: a fresh unit of work, the
attachment storage, the clock and the upload cap. Built once, by the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cchc_intake.ports import AttachmentStorage, UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    uow: Callable[[], UnitOfWork]
    storage: AttachmentStorage
    attachment_max_bytes: int
    clock: Callable[[], datetime] = utc_now
