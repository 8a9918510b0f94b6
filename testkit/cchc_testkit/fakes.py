"""The base of the services' in-memory units of work, for driving handlers without I/O.

It behaves as the kit's ``SqlAlchemyUnitOfWork`` does where handlers can tell: state is
kept across uses (like a database), ``commit`` keeps what the unit of work did, and leaving
it without a commit forgets everything since the last commit: the queued events, the inbox
records and, through ``_state``/``_restore``, the repositories' rows.

A service's fake adds its repositories in ``__init__`` and, where it has them, overrides
``_state`` and ``_restore`` (the rows a rollback must bring back) and ``_collect_events``
(events its aggregates raised, published on commit as the real unit of work does).
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

from faststream.rabbit import TestRabbitBroker

from cchc_shared.contracts import (
    CampaignSettingsChangedV1,
    CloudEvent,
    EncodedMessage,
    EventData,
    encode_event,
)
from cchc_shared.messaging.consumer import Consumers
from cchc_shared.messaging.routing import RoutingTable, bind
from cchc_shared.messaging.trust import BusTrust
from cchc_shared.persistence.audit import AuditEntry, history_item
from cchc_shared.persistence.campaign_settings import CampaignSettings

E = TypeVar("E", bound=EventData)
S = TypeVar("S")

InboxKey = tuple[str, str, str]


class FakeUnitOfWork:
    source = "/cchc/test"

    def __init__(self) -> None:
        self.inbox: set[InboxKey] = set()
        self.published: list[EventData] = []  # committed events, in order
        self.messages: list[EncodedMessage] = []  # the same, as the outbox would hold them
        self.commits = 0
        self._pending_inbox: set[InboxKey] = set()
        self._pending: list[tuple[EventData, EncodedMessage]] = []
        self._snapshot: Any = None

    async def __aenter__(self) -> Self:
        self._pending, self._pending_inbox = [], set()
        self._snapshot = copy.deepcopy(self._state())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    def _state(self) -> Any:
        """The repositories' rows that a rollback restores (none by default)."""
        return None

    def _restore(self, state: Any) -> None:
        """Put back what ``_state`` returned."""

    def _collect_events(self) -> list[EventData]:
        """Events raised by the aggregates this unit of work saw, published on commit."""
        return []

    async def accept_once(self, consumer: str, event: CloudEvent) -> bool:
        key = (consumer, event.source, event.id)
        if key in self.inbox or key in self._pending_inbox:
            return False
        self._pending_inbox.add(key)
        return True

    def publish(
        self, data: EventData, *, subject: str | None = None, event_id: str | None = None
    ) -> EncodedMessage:
        message = encode_event(data, source=self.source, subject=subject, event_id=event_id)
        self._pending.append((data, message))
        return message

    async def commit(self) -> None:
        for data in self._collect_events():
            self.publish(data)
        self.published += [data for data, _ in self._pending]
        self.messages += [message for _, message in self._pending]
        self.inbox |= self._pending_inbox
        self._pending, self._pending_inbox = [], set()
        self._snapshot = copy.deepcopy(self._state())
        self.commits += 1

    async def rollback(self) -> None:
        self._pending, self._pending_inbox = [], set()
        if self._snapshot is not None:
            self._restore(copy.deepcopy(self._snapshot))

    def events(self, kind: type[E]) -> list[E]:
        """The committed events of one type."""
        return [e for e in self.published if isinstance(e, kind)]


def campaign_settings_changed(
    version: int, campaign_year: int = 2023, **changes: Any
) -> CampaignSettingsChangedV1:
    """Intake's announcement of a campaign's settings at ``version``, surveyed June to
    October as the plan has it; ``changes`` set the plan, the scoring rule, the windows."""
    fields: dict[str, Any] = {
        "campaign_year": campaign_year,
        "version": version,
        "title": f"Khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính năm {campaign_year}",
        "submission_opens_on": date(campaign_year, 1, 1),
        "submission_closes_on": date(campaign_year, 10, 31),
        "survey_starts_on": date(campaign_year, 6, 1),
        "survey_ends_on": date(campaign_year, 10, 31),
        "changed_at": datetime(campaign_year, 5, 1, 3, tzinfo=UTC) + timedelta(minutes=version),
        **changes,
    }
    return CampaignSettingsChangedV1(**fields)


class FakeCampaignSettings:
    """The kit's campaign settings repository in memory: a higher version replaces."""

    def __init__(self) -> None:
        self.rows: dict[int, CampaignSettings] = {}

    async def get(self, campaign_year: int) -> CampaignSettings | None:
        return self.rows.get(campaign_year)

    async def put(self, settings: CampaignSettings) -> bool:
        stored = self.rows.get(settings.campaign_year)
        if stored is not None and stored.version >= settings.version:
            return False
        self.rows[settings.campaign_year] = settings
        return True


class FakeAuditLog:
    """The audit log in memory: ``entries`` in the order recorded (a unit of work's state)."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        return [
            history_item(e) for e in self.entries if (e.entity, e.entity_id) == (entity, entity_id)
        ]


@dataclasses.dataclass
class ParkingRecorder:
    """Stands in for the AmqpPublisher that parks refused messages: it keeps what it was
    asked to publish (exchange, routing key, body, headers...)."""

    parked: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, **message: Any) -> None:
        self.parked.append(message)


def routed_consumers(
    service: str, routes: RoutingTable[S], services: S, *, trust: BusTrust | None = None
) -> tuple[Consumers, ParkingRecorder]:
    """The kit's consumers for a service's routing table, with a recording parking publisher:
    drive them through FastStream's ``TestRabbitBroker(consumers.broker)``. Without ``trust``
    they believe what the local run believes (one broker user, sources checked)."""
    parking = ParkingRecorder()
    consumers = Consumers(
        "amqp://guest:guest@localhost:5672/", publisher=parking, retry_delay=0.0, trust=trust
    )
    for route in bind(service, routes, services):
        consumers.subscribe(route)
    return consumers, parking


async def deliver(
    consumers: Consumers, *messages: EncodedMessage, body: bytes | None = None
) -> None:
    """Publish encoded events through FastStream's in-memory broker to the consumers, as the
    relay publishes them (``body`` replaces every message's body, e.g. with a broken one)."""
    async with TestRabbitBroker(consumers.broker) as broker:
        for message in messages:
            await broker.publish(
                message.body if body is None else body,
                exchange=message.exchange,
                routing_key=message.routing_key,
                message_id=message.event_id,
                content_type=message.content_type,
            )
