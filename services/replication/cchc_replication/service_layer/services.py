"""What every handler and query of the replication service receives: the ``Services`` object
the composition root builds (``bootstrap``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cchc_replication.ports import UowFactory
from cchc_shared.clock import system_now
from cchc_shared.files import DEFAULT_MAX_BYTES, FileStorage


@dataclass(frozen=True)
class Services:
    """Built once by ``bootstrap``: the HTTP entrypoint reads it from ``app.state.services``,
    the message entrypoint receives it from the kit with each event."""

    uow: UowFactory
    storage: FileStorage  # the evidence files
    report_due_days: int = 15
    evidence_max_bytes: int = DEFAULT_MAX_BYTES
    clock: Callable[[], datetime] = field(default=system_now)
