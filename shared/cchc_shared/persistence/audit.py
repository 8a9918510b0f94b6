"""The audit log: who did what to which record, when, with a snapshot of the record and the
reason given. One table shape and one repository for every service that keeps one.

Who is the person's ``subject`` (the token's ``sub``: stable, unique at the identity provider)
and, beside it, ``actor_name``: the display name the token carried when they acted (``name`` or
``preferred_username``), so that a trail reads as people wrote it even after a name changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column, Index, MetaData, String, Table, Text, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_shared.persistence.tables import SequenceInteger
from cchc_shared.persistence.types import UtcDateTime


@dataclass(frozen=True)
class AuditEntry:
    entity: str  # what was changed: evaluation, decision, rubric, round, initiative, ...
    entity_id: str
    action: str
    actor: str  # the person's subject
    at: datetime
    snapshot: dict[str, Any]
    reason: str | None = None
    actor_name: str | None = None  # their display name when they acted


def define_audit_log(metadata: MetaData) -> Table:
    """The ``audit_log`` table, appended to in the transaction of each change it records."""
    table = Table(
        "audit_log",
        metadata,
        Column("seq", SequenceInteger, primary_key=True, autoincrement=True),
        Column("entity", String(30), nullable=False),
        Column("entity_id", String(64), nullable=False),
        Column("action", String(30), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("actor_name", String(200)),
        Column("at", UtcDateTime, nullable=False),
        Column("reason", Text),
        Column("snapshot", JSON, nullable=False),
    )
    Index("ix_audit_log_entity", table.c.entity, table.c.entity_id)
    return table


def history_item(entry: AuditEntry) -> dict[str, Any]:
    """One entry as the APIs show it."""
    return {
        "entity": entry.entity,
        "action": entry.action,
        "actor": entry.actor,
        "actor_name": entry.actor_name,
        "at": entry.at,
        "reason": entry.reason,
        "snapshot": entry.snapshot,
    }


class SqlAuditLog:
    def __init__(self, connection: AsyncConnection, table: Table) -> None:
        self.connection = connection
        self.table = table

    async def record(self, entry: AuditEntry) -> None:
        await self.connection.execute(insert(self.table).values(**dataclasses.asdict(entry)))

    async def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        """The record's entries, oldest first."""
        table = self.table
        result = await self.connection.execute(
            select(table)
            .where((table.c.entity == entity) & (table.c.entity_id == entity_id))
            .order_by(table.c.seq)
        )
        return [
            history_item(AuditEntry(**{k: v for k, v in row.items() if k != "seq"}))
            for row in result.mappings()
        ]


def create_audit_log_v1() -> None:
    """Create the ``audit_log`` table as :func:`define_audit_log` first defined it, in a
    service's Alembic migration. Frozen: a later change to the table is a new migration (and,
    if shared, a new ``_v2``), never an edit of this one."""
    from alembic import op  # only inside a migration

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_name", sa.String(200)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])


def drop_audit_log_v1() -> None:
    from alembic import op

    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
