"""What the entry points need to run a use case: a fresh unit of work, the attachment
storage, the clock and the settings. Built once by the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cchc_intake.adapters.storage import AttachmentStorage
from cchc_intake.config import IntakeSettings
from cchc_intake.service_layer.unit_of_work import UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Intake:
    settings: IntakeSettings
    uow: Callable[[], UnitOfWork]
    storage: AttachmentStorage
    clock: Callable[[], datetime] = utc_now
