"""One entry of the audit log: who changed what, when, with a snapshot and the reason given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    entity: str  # evaluation, rubric, sector_opinion, decision
    entity_id: str
    action: str
    actor: str
    at: datetime
    snapshot: dict[str, Any]
    reason: str | None = None
