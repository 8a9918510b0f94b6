"""How the HTTP APIs show an audit trail (:mod:`cchc_shared.persistence.audit`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    entity: str = Field(description="What was changed: initiative, round, decision, rubric, ...")
    action: str
    actor: str = Field(description="The person's subject at the identity provider (sub)")
    actor_name: str | None = Field(
        None, description="Their display name when they acted (name or preferred_username)"
    )
    at: datetime
    reason: str | None
    snapshot: dict[str, Any]
