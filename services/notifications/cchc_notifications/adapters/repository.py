"""SQL repositories of the notifications service, on the unit of work's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_notifications.adapters.orm import (
    agency_contacts,
    campaign_settings,
    evaluations,
    initiatives,
    notifications,
    preferences,
    rounds,
)
from cchc_notifications.domain.model import (
    Attachment,
    Category,
    Content,
    DeliveryMode,
    Notification,
    Recipient,
    RecipientKind,
    Status,
)
from cchc_shared.persistence.inserts import insert_rows


async def _upsert(
    connection: AsyncConnection, table: Table, key: dict[str, Any], values: dict[str, Any]
) -> None:
    condition = and_(*(table.c[name] == value for name, value in key.items()))
    changed = await connection.execute(update(table).where(condition).values(**values))
    if changed.rowcount == 0:
        await insert_rows(connection, table, {**key, **values})


def _to_row(n: Notification) -> dict[str, Any]:
    return {
        "notification_id": n.notification_id,
        "category": n.category.value,
        "status": n.status.value,
        "recipient_kind": n.recipient.kind.value,
        "recipient_id": n.recipient.id,
        "recipient_name": n.recipient.name,
        "email": n.recipient.email,
        "campaign_year": n.campaign_year,
        "round_id": n.round_id,
        "cause": n.cause,
        "subject": n.content.subject,
        "body_text": n.content.text,
        "body_html": n.content.html,
        "attachments": [a.as_json() for a in n.content.attachments],
        "attempts": n.attempts,
        "next_attempt_at": n.next_attempt_at,
        "last_error": n.last_error,
        "created_at": n.created_at,
        "sent_at": n.sent_at,
        "released_by": None,
        "digest_id": None,
    }


def to_notification(row: Any) -> Notification:
    return Notification(
        notification_id=row.notification_id,
        category=Category(row.category),
        recipient=Recipient(
            RecipientKind(row.recipient_kind), row.recipient_id, row.recipient_name, row.email
        ),
        content=Content(
            row.subject,
            row.body_text,
            row.body_html,
            tuple(Attachment.from_json(a) for a in row.attachments),
        ),
        status=Status(row.status),
        created_at=row.created_at,
        campaign_year=row.campaign_year,
        round_id=row.round_id,
        cause=row.cause,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )


class SqlNotificationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, items: Sequence[Notification]) -> int:
        """Adds the notifications whose id is new; a known id is left as it is."""
        return await insert_rows(
            self.connection, notifications, [_to_row(n) for n in items], ignore_conflicts=True
        )

    async def get(self, notification_id: UUID) -> Notification | None:
        row = (
            await self.connection.execute(
                select(notifications).where(notifications.c.notification_id == notification_id)
            )
        ).first()
        return to_notification(row) if row else None

    async def find(
        self,
        *,
        status: Status | None = None,
        round_id: UUID | None = None,
        campaign_year: int | None = None,
        recipient: tuple[RecipientKind, str] | None = None,
        recipient_kind: RecipientKind | None = None,
        limit: int = 500,
    ) -> list[Notification]:
        query = select(notifications).order_by(
            notifications.c.created_at, notifications.c.recipient_name
        )
        if status is not None:
            query = query.where(notifications.c.status == status.value)
        if round_id is not None:
            query = query.where(notifications.c.round_id == round_id)
        if campaign_year is not None:
            query = query.where(notifications.c.campaign_year == campaign_year)
        if recipient_kind is not None:
            query = query.where(notifications.c.recipient_kind == recipient_kind.value)
        if recipient is not None:
            query = query.where(
                notifications.c.recipient_kind == recipient[0].value,
                notifications.c.recipient_id == recipient[1],
            )
        rows = (await self.connection.execute(query.limit(limit))).all()
        return [to_notification(r) for r in rows]

    async def counts(self, campaign_year: int | None = None) -> dict[str, int]:
        query = select(notifications.c.status, func.count()).group_by(notifications.c.status)
        if campaign_year is not None:
            query = query.where(notifications.c.campaign_year == campaign_year)
        return {status: count for status, count in (await self.connection.execute(query)).all()}

    async def due(self, now: datetime, limit: int) -> list[Notification]:
        rows = (
            await self.connection.execute(
                select(notifications)
                .where(
                    notifications.c.status == Status.PENDING.value,
                    notifications.c.next_attempt_at <= now,
                )
                .order_by(notifications.c.next_attempt_at)
                .limit(limit)
            )
        ).all()
        return [to_notification(r) for r in rows]

    async def claim(self, n: Notification, until: datetime) -> bool:
        """Takes the notification for one attempt (a lease until ``until``), unless another
        worker took it since it was read."""
        changed = await self.connection.execute(
            update(notifications)
            .where(
                notifications.c.notification_id == n.notification_id,
                notifications.c.status == Status.PENDING.value,
                notifications.c.next_attempt_at == n.next_attempt_at,
            )
            .values(next_attempt_at=until)
        )
        return changed.rowcount == 1

    async def set_state(self, notification_id: UUID, **values: Any) -> None:
        await self.connection.execute(
            update(notifications)
            .where(notifications.c.notification_id == notification_id)
            .values(**values)
        )

    async def release_round(self, round_id: UUID, by: str, now: datetime) -> int:
        changed = await self.connection.execute(
            update(notifications)
            .where(
                notifications.c.round_id == round_id,
                notifications.c.status == Status.HELD.value,
            )
            .values(status=Status.PENDING.value, next_attempt_at=now, released_by=by)
        )
        return changed.rowcount

    async def supersede_held(self, round_id: UUID, cause: str) -> int:
        """A round's held messages of an older state are not released any more: the newer
        state's messages (``cause``) replace them."""
        changed = await self.connection.execute(
            update(notifications)
            .where(
                notifications.c.round_id == round_id,
                notifications.c.status == Status.HELD.value,
                notifications.c.cause != cause,
            )
            .values(status=Status.SKIPPED.value, last_error="superseded by a newer state")
        )
        return changed.rowcount

    async def digest_waiting(self) -> list[Notification]:
        rows = (
            await self.connection.execute(
                select(notifications)
                .where(notifications.c.status == Status.DIGEST.value)
                .order_by(notifications.c.created_at)
            )
        ).all()
        return [to_notification(r) for r in rows]

    async def mark_digested(self, ids: Sequence[UUID], digest_id: UUID) -> None:
        await self.connection.execute(
            update(notifications)
            .where(
                notifications.c.notification_id.in_(list(ids)),
                notifications.c.status == Status.DIGEST.value,
            )
            .values(status=Status.DIGESTED.value, digest_id=digest_id)
        )


class SqlDirectory:
    """What the events told: rounds, initiatives, agencies' contacts, evaluations."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def round(self, round_id: UUID) -> Any | None:
        return (
            await self.connection.execute(select(rounds).where(rounds.c.round_id == round_id))
        ).first()

    async def save_round(
        self,
        round_id: UUID,
        *,
        campaign_year: int,
        sequence: int,
        version: int,
        status: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        await _upsert(
            self.connection,
            rounds,
            {"round_id": round_id},
            {
                "campaign_year": campaign_year,
                "sequence": sequence,
                "version": version,
                "status": status,
                "data": data,
                "updated_at": now,
            },
        )

    async def confirmed_rounds(self) -> list[Any]:
        return list(
            (
                await self.connection.execute(select(rounds).where(rounds.c.status == "confirmed"))
            ).all()
        )

    async def save_initiative(
        self, initiative_id: UUID, campaign_year: int, agency_code: str, title: str, now: datetime
    ) -> None:
        await _upsert(
            self.connection,
            initiatives,
            {"initiative_id": initiative_id},
            {
                "campaign_year": campaign_year,
                "agency_code": agency_code,
                "title": title,
                "updated_at": now,
            },
        )

    async def titles(self, ids: Sequence[UUID]) -> dict[UUID, str]:
        if not ids:
            return {}
        rows = await self.connection.execute(
            select(initiatives.c.initiative_id, initiatives.c.title).where(
                initiatives.c.initiative_id.in_(list(ids))
            )
        )
        return {row.initiative_id: row.title for row in rows}

    async def save_contact(self, agency_code: str, email: str, now: datetime) -> None:
        await _upsert(
            self.connection,
            agency_contacts,
            {"agency_code": agency_code},
            {"email": email, "updated_at": now},
        )

    async def contacts(self, codes: Sequence[str]) -> dict[str, str]:
        if not codes:
            return {}
        rows = await self.connection.execute(
            select(agency_contacts).where(agency_contacts.c.agency_code.in_(list(codes)))
        )
        return {row.agency_code: row.email for row in rows}

    async def record_evaluation(self, visit_id: UUID, evaluator_id: str, at: datetime) -> None:
        await insert_rows(
            self.connection,
            evaluations,
            {"visit_id": visit_id, "evaluator_id": evaluator_id, "recorded_at": at},
            ignore_conflicts=True,
        )

    async def evaluated(self) -> set[tuple[UUID, str]]:
        rows = await self.connection.execute(
            select(evaluations.c.visit_id, evaluations.c.evaluator_id)
        )
        return {(row.visit_id, row.evaluator_id) for row in rows}


class SqlChoices:
    """What people chose: delivery preferences, and each campaign's review setting."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def modes(self, kind: RecipientKind, recipient_id: str) -> dict[Category, DeliveryMode]:
        rows = await self.connection.execute(
            select(preferences.c.category, preferences.c.mode).where(
                preferences.c.recipient_kind == kind.value,
                preferences.c.recipient_id == recipient_id,
            )
        )
        return {Category(row.category): DeliveryMode(row.mode) for row in rows}

    async def set_mode(
        self,
        kind: RecipientKind,
        recipient_id: str,
        category: Category,
        mode: DeliveryMode,
        now: datetime,
    ) -> None:
        key = {"recipient_kind": kind.value, "recipient_id": recipient_id, "category": category}
        if mode is DeliveryMode.IMMEDIATE:  # the default needs no row
            condition = and_(*(preferences.c[k] == v for k, v in key.items()))
            await self.connection.execute(delete(preferences).where(condition))
            return
        await _upsert(self.connection, preferences, key, {"mode": mode.value, "updated_at": now})

    async def review_before_release(self, campaign_year: int) -> bool:
        value = (
            await self.connection.execute(
                select(campaign_settings.c.review_before_release).where(
                    campaign_settings.c.campaign_year == campaign_year
                )
            )
        ).scalar()
        return bool(value)

    async def set_review(self, campaign_year: int, review: bool, by: str, now: datetime) -> None:
        await _upsert(
            self.connection,
            campaign_settings,
            {"campaign_year": campaign_year},
            {"review_before_release": review, "updated_by": by, "updated_at": now},
        )
