"""What time brings: a reminder to each team member whose evaluation of a visit is still
missing N days after it, and the digests of those who chose them. Both run periodically
and are idempotent: a reminder's id is its visit and member, a digest's the ids it bundles."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import timedelta
from uuid import NAMESPACE_URL, uuid5

from cchc_notifications.domain import messages
from cchc_notifications.domain.model import (
    Category,
    DeliveryMode,
    Notification,
    Recipient,
    RecipientKind,
    new_notification,
)
from cchc_notifications.domain.rounds import calendar_visit
from cchc_notifications.service_layer.services import Services
from cchc_shared.clock import VIETNAM
from cchc_shared.contracts.events import RoundScheduledV1
from cchc_shared.persistence.campaign_settings import CampaignSettings

log = logging.getLogger("cchc.notifications.reminders")


def scores(role: str, settings: CampaignSettings | None) -> bool:
    """Whether a team member in ``role`` scores, so that a missing evaluation is theirs to
    make: the head and the members; the secretary only where the campaign says so."""
    return role != "secretary" or (settings is not None and settings.secretary_scores)


async def remind_missing_evaluations(services: Services) -> int:
    """Adds the reminders now due; returns how many were new."""
    policy = services.policy
    now = services.clock()
    today = services.business_clock().astimezone(VIETNAM).date()
    first = timedelta(days=policy.evaluation_reminder_days)
    last = first + timedelta(days=policy.evaluation_reminder_window_days)
    added = 0
    async with services.uow() as uow:
        evaluated = await uow.directory.evaluated()
        for row in await uow.directory.confirmed_rounds():
            round_ = RoundScheduledV1.model_validate(row.data)
            due = [v for v in round_.visits if first <= today - v.date <= last]
            if not due:
                continue
            titles = await uow.directory.titles([v.initiative_id for v in due])
            label = messages.round_label(round_.sequence, round_.campaign_year)
            settings = await uow.campaign_settings.get(round_.campaign_year)
            scorers = [m for m in round_.team if scores(m.role, settings)]
            reminders: list[Notification] = []
            for visit in due:
                for member in scorers:
                    if (visit.visit_id, member.member_id) in evaluated:
                        continue
                    who = Recipient(
                        RecipientKind.MEMBER, member.member_id, member.name, member.email
                    )
                    modes = await uow.choices.modes(who.kind, who.id)
                    reminders.append(
                        new_notification(
                            cause=f"evaluation-reminder/{visit.visit_id}",
                            category=Category.EVALUATION_REMINDER,
                            recipient=who,
                            content=messages.evaluation_reminder(
                                name=who.name,
                                label=label,
                                visit=calendar_visit(visit, titles),
                                days=policy.evaluation_reminder_days,
                                signature=policy.signature,
                            ),
                            now=now,
                            campaign_year=round_.campaign_year,
                            round_id=round_.round_id,
                            mode=modes.get(Category.EVALUATION_REMINDER, DeliveryMode.IMMEDIATE),
                        )
                    )
            added += await uow.notifications.add(reminders)
        await uow.commit()
    if added:
        services.mail_waiting.set()
    return added


async def send_digests(services: Services) -> int:
    """Bundles, per recipient, what waited for a digest longer than the interval."""
    policy = services.policy
    now = services.clock()
    made = 0
    async with services.uow() as uow:
        waiting: dict[tuple[str, str], list[Notification]] = defaultdict(list)
        for n in await uow.notifications.digest_waiting():
            waiting[(n.recipient.kind.value, n.recipient.id)].append(n)
        for items in waiting.values():
            if now - items[0].created_at < timedelta(seconds=policy.digest_seconds):
                continue
            who = items[-1].recipient
            ids = sorted(str(n.notification_id) for n in items)
            digest = new_notification(
                cause=f"digest/{uuid5(NAMESPACE_URL, ','.join(ids))}",
                category=Category.DIGEST,
                recipient=who,
                content=messages.digest(
                    name=who.name, items=[n.content for n in items], signature=policy.signature
                ),
                now=now,
                campaign_year=items[-1].campaign_year,
            )
            await uow.notifications.add([digest])
            await uow.notifications.mark_digested(
                [n.notification_id for n in items], digest.notification_id
            )
            made += 1
        await uow.commit()
    if made:
        services.mail_waiting.set()
    return made


async def run(services: Services, stop: asyncio.Event, interval: float) -> None:
    """The periodic loop (a background task of the runtime)."""
    while not stop.is_set():
        try:
            await remind_missing_evaluations(services)
            await send_digests(services)
        except Exception:
            log.exception("reminder cycle failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
