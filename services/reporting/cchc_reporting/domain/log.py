"""The event log's value objects: a logged event and where the log stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    event_source: str
    event_id: str
    event_type: str
    subject: str | None
    occurred_at: datetime | None
    data: Any
    received_at: datetime


@dataclass(frozen=True)
class LogPosition:
    """Where the log stands: changes whenever an event is appended or the read models rebuilt."""

    count: int
    last_seq: int
    generation: int
