"""Delivery: the loop that sends what is due, one notification at a time, each attempt
claimed first (a lease), so that two replicas never send the same message.

An attempt ends in one of three ways: sent (marked with the time); refused for good (a 5xx
from the server, or a document that no longer exists: recorded with the reason, shown to the
PAR office); or failed for now (the server or scheduling unavailable: tried again after an
exponential backoff, until the attempts run out)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from prometheus_client import Counter

from cchc_notifications.adapters.documents import DocumentGone, DocumentUnavailable
from cchc_notifications.adapters.transports import Refused, Unavailable
from cchc_notifications.domain.mail import FileAttachment, build_message
from cchc_notifications.domain.model import Notification, Status, retry_delay
from cchc_notifications.service_layer.services import Services

log = logging.getLogger("cchc.notifications.delivery")
OUTCOMES = Counter(
    "cchc_notifications_delivery_total",
    "Delivery attempts of notifications, by category and outcome",
    ["category", "outcome"],
)


async def _attachments(services: Services, n: Notification) -> list[FileAttachment]:
    files = []
    for item in n.content.attachments:
        if item.source is not None:
            content = await services.documents.fetch(item.source)
        else:
            content = (item.content or "").encode("utf-8")
        files.append(
            FileAttachment(item.filename, item.media_type, content, tuple(item.params.items()))
        )
    return files


async def attempt(services: Services, n: Notification, now: datetime) -> tuple[Status, str]:
    """One attempt at sending ``n``: its new status and the reason of a failure."""
    assert n.recipient.email is not None
    policy = services.policy
    try:
        message = build_message(
            mail_from=policy.mail_from,
            to=(n.recipient.name, n.recipient.email),
            subject=n.content.subject,
            text=n.content.text,
            html=n.content.html,
            attachments=await _attachments(services, n),
            message_id=f"<{n.notification_id}@{policy.domain}>",
            date=now,
        )
        await services.transport.send(message, str(n.notification_id))
    except (Refused, DocumentGone) as exc:
        return Status.FAILED, str(exc)
    except (Unavailable, DocumentUnavailable) as exc:
        return Status.PENDING, str(exc)
    return Status.SENT, ""


async def deliver_due(services: Services) -> int:
    """Sends what is due now, ``policy.concurrency`` at a time (the documents are rendered
    by scheduling meanwhile); returns how many notifications it attempted."""
    policy = services.policy
    now = services.clock()
    async with services.uow() as uow:
        due = await uow.notifications.due(now, policy.batch_size)
    claimed = []
    for n in due:
        async with services.uow() as uow:
            if await uow.notifications.claim(n, now + timedelta(seconds=policy.lease_seconds)):
                claimed.append(n)
            await uow.commit()
    slots = asyncio.Semaphore(policy.concurrency)

    async def one(n: Notification) -> None:
        async with slots:
            await _deliver(services, n)

    await asyncio.gather(*(one(n) for n in claimed))
    return len(claimed)


async def _deliver(services: Services, n: Notification) -> None:
    """One attempt, and its outcome recorded: sent, refused for good, or due again later."""
    policy = services.policy
    status, reason = await attempt(services, n, services.business_clock())
    attempts = n.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "last_error": reason}
    if status is Status.SENT:
        values |= {"status": Status.SENT.value, "sent_at": services.clock()}
    elif status is Status.FAILED or attempts >= policy.max_attempts:
        values |= {"status": Status.FAILED.value, "next_attempt_at": None}
        log.warning(
            "notification refused",
            extra={"notification_id": str(n.notification_id), "reason": reason},
        )
    else:
        delay = retry_delay(attempts, policy.retry_base, policy.retry_max)
        values |= {"next_attempt_at": services.clock() + delay}
    async with services.uow() as uow:
        await uow.notifications.set_state(n.notification_id, **values)
        await uow.commit()
    OUTCOMES.labels(n.category.value, str(values.get("status", "retry"))).inc()


async def run(services: Services, stop: asyncio.Event, poll_interval: float) -> None:
    """The delivery loop (a background task of the runtime)."""
    while not stop.is_set():
        services.mail_waiting.clear()  # before reading: a wake during the cycle is kept
        try:
            attempted = await deliver_due(services)
        except Exception:  # the database away for a moment: the next cycle tries again
            log.exception("delivery cycle failed")
            attempted = 0
        if attempted >= services.policy.batch_size:
            continue  # more may be due right away
        waiters = [
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(services.mail_waiting.wait()),
        ]
        await asyncio.wait(waiters, timeout=poll_interval, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
