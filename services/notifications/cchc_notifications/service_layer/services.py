"""What every handler and query of the notifications service receives: the ``Services``
object the composition root builds (``bootstrap``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cchc_notifications.domain.messages import Signature
from cchc_notifications.ports import DocumentSource, Transport, UowFactory
from cchc_shared.clock import now as business_now
from cchc_shared.clock import system_now


@dataclass(frozen=True)
class MailPolicy:
    """How messages are written and delivered (from the settings)."""

    signature: Signature
    mail_from: str
    organizer: tuple[str, str]  # (name, address) of the calendar invitations
    domain: str  # of Message-IDs and calendar UIDs
    visit_minutes: int = 90
    batch_size: int = 20
    concurrency: int = 4
    lease_seconds: float = 120.0
    retry_base: float = 2.0
    retry_max: float = 300.0
    max_attempts: int = 40
    evaluation_reminder_days: int = 3
    evaluation_reminder_window_days: int = 14
    digest_seconds: float = 86400.0


@dataclass
class Services:
    uow: UowFactory
    policy: MailPolicy
    transport: Transport
    documents: DocumentSource
    # The outbox's own time (attempts, leases, backoff): the system clock.
    clock: Callable[[], datetime] = system_now
    # Business time (when a reminder is due, the date a message bears): the kit's campaign
    # clock in a local run or the demo, the system clock otherwise.
    business_clock: Callable[[], datetime] = business_now
    # Set when new mail may be due, so the delivery loop does not wait for its next poll.
    mail_waiting: asyncio.Event = field(default_factory=asyncio.Event)
