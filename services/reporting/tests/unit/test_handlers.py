"""The use cases with fake adapters (no database, no broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from cchc_reporting.adapters.repository import LoggedEvent, LogPosition
from cchc_reporting.domain.facts import Fact, FactSet
from cchc_reporting.domain.views import CampaignFacts
from cchc_reporting.service_layer import handlers
from cchc_shared.contracts import CloudEvent, decode_message, parse_data
from cchc_shared.contracts.events import event_for_type
from cchc_testkit.fakes import FakeUnitOfWork as BaseFakeUnitOfWork

from ..campaign import campaign_messages
from .test_views import campaign_facts


class FakeLog:
    def __init__(self) -> None:
        self.events: list[LoggedEvent] = []
        self.locked = False

    async def append(self, event: CloudEvent, received_at: datetime | None = None) -> None:
        self.events.append(
            LoggedEvent(
                seq=len(self.events) + 1,
                event_source=event.source,
                event_id=event.id,
                event_type=event.type,
                subject=event.subject,
                occurred_at=event.time,
                data=event.data,
                received_at=received_at or datetime.now(UTC),
            )
        )

    async def lock_for_rebuild(self) -> None:
        self.locked = True

    async def stream(self, batch: int = 2_000) -> AsyncIterator[LoggedEvent]:
        for event in list(self.events):
            yield event

    async def position(self) -> LogPosition:
        return LogPosition(len(self.events), len(self.events), 0)

    async def counts_by_type(self) -> dict[str, int]:
        return {}


class FakeFacts:
    def __init__(self) -> None:
        self.facts = FactSet()
        self.generation = 0

    async def apply(self, fact: Fact) -> bool:
        return self.facts.apply(fact)

    async def replace_all(self, facts: FactSet) -> dict[str, int]:
        self.facts = facts
        return {kind.__name__: len(found) for kind, found in facts.by_kind.items()}

    async def bump_generation(self) -> int:
        self.generation += 1
        return self.generation

    async def campaign_years(self) -> list[int]:
        return [2023]

    async def load_campaign(self, year: int) -> CampaignFacts:
        return campaign_facts(self.facts, year)

    async def load_all(self) -> FactSet:
        return self.facts


class FakeUnitOfWork(BaseFakeUnitOfWork):
    source = "/cchc/reporting"

    def __init__(self) -> None:
        super().__init__()
        self.log = FakeLog()
        self.facts = FakeFacts()


async def feed(uow: FakeUnitOfWork) -> list[bool]:
    results = []
    for message in campaign_messages():
        event = decode_message(message.body)
        model = event_for_type(event.type)
        assert model is not None
        results.append(await handlers.record_event(uow, event, parse_data(event, model)))
    return results


async def test_each_event_is_logged_once_and_duplicates_change_nothing() -> None:
    uow = FakeUnitOfWork()
    accepted = await feed(uow)
    assert accepted.count(False) == 4  # the fixture's four duplicates
    assert len(uow.log.events) == len({m.event_id for m in campaign_messages()})
    assert uow.commits == accepted.count(True)


async def test_rebuild_from_the_log_gives_the_live_facts() -> None:
    uow = FakeUnitOfWork()
    await feed(uow)
    live = uow.facts.facts.by_kind
    uow.facts.facts = FactSet()  # lose every read model
    report = await handlers.rebuild(uow)
    assert uow.log.locked
    assert report.events == report.projected == len(uow.log.events)
    assert report.unknown_types == {} and report.invalid == 0
    assert uow.facts.facts.by_kind == live
    assert report.generation == 1


async def test_rebuild_keeps_but_skips_events_it_cannot_project() -> None:
    uow = FakeUnitOfWork()
    await feed(uow)
    future = CloudEvent(
        specversion="1.0",
        id="future-1",
        source="/cchc/evaluation",
        type="vn.hcmc.cchc.selection.decided.v9",
        data={"anything": 1},
    )
    await uow.log.append(future)
    report = await handlers.rebuild(uow)
    assert report.unknown_types == {"vn.hcmc.cchc.selection.decided.v9": 1}
    assert report.events == report.projected + 1
