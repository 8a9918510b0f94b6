"""SQL audit log: who changed what, when, with a snapshot and the reason given."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_evaluation.adapters.orm import audit_log
from cchc_evaluation.domain.audit import AuditEntry


class SqlAuditLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def record(self, entry: AuditEntry) -> None:
        await self.connection.execute(insert(audit_log).values(**dataclasses.asdict(entry)))

    async def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        result = await self.connection.execute(
            select(audit_log)
            .where((audit_log.c.entity == entity) & (audit_log.c.entity_id == entity_id))
            .order_by(audit_log.c.seq)
        )
        return [
            {
                "action": row["action"],
                "actor": row["actor"],
                "at": row["at"],
                "reason": row["reason"],
                "snapshot": row["snapshot"],
            }
            for row in result.mappings()
        ]
