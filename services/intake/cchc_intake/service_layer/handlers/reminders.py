"""Reminders of unsubmitted drafts. Intake holds both facts, the drafts and the campaigns'
deadlines, so it decides when a reminder is due: a periodic sweep publishes, through the
outbox, one DraftReminderDue per draft still unsubmitted once its campaign's reminder window
opens (``draft_reminder_days`` before ``submission_closes_on``), and records it in the same
transaction, keyed by draft and deadline, so that it goes out once however often the sweep
runs, on however many replicas; a deadline moved later makes a new one due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from cchc_intake.domain.model import Draft, local_date
from cchc_intake.ports import UnitOfWork

log = logging.getLogger("cchc.intake.reminders")

# The namespace of the reminders' event ids (uuid5 of draft and deadline): a repeat of the
# same reminder, were one ever published, carries the same id and is recognised downstream.
REMINDER_NAMESPACE: Final = uuid.UUID("9c3e61a4-0b5d-4f27-8e1a-7d2c94b0f613")


def reminder_event_id(draft: Draft, closes_on: date) -> str:
    return str(uuid.uuid5(REMINDER_NAMESPACE, f"{draft.id}\n{closes_on.isoformat()}"))


async def remind_unsubmitted_drafts(uow: UnitOfWork, now: datetime, days_before: int) -> int:
    """Publishes the reminders now due; returns how many were new. A draft that names no
    campaign belongs to the campaign taking submissions today, as it would on submit."""
    today = local_date(now)
    sent = 0
    async with uow:
        current = await uow.campaigns.taking_submissions(today)
        for campaign in await uow.campaigns.list():
            if not campaign.draft_reminder_due_on(today, days_before):
                continue
            unassigned = current is not None and current.year == campaign.year
            closes_on = campaign.submission_closes_on
            for draft in await uow.drafts.unsubmitted(campaign.year, unassigned=unassigned):
                if await uow.drafts.record_reminder(draft, campaign.year, closes_on, now):
                    uow.publish(
                        draft.reminder(campaign, now),
                        event_id=reminder_event_id(draft, closes_on),
                    )
                    sent += 1
        await uow.commit()
    if sent:
        log.info("draft reminders published", extra={"count": sent})
    return sent


async def run(
    uow: Callable[[], UnitOfWork],
    clock: Callable[[], datetime],
    days_before: int,
    stop: asyncio.Event,
    interval: float,
) -> None:
    """The periodic sweep (a background task of the runtime): at start, then every
    ``interval`` seconds."""
    while not stop.is_set():
        try:
            await remind_unsubmitted_drafts(uow(), clock(), days_before)
        except Exception:
            log.exception("draft reminder sweep failed; the next one tries again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
