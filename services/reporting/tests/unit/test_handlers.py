"""The use cases with fake adapters (no database, no broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from cchc_reporting.domain.facts import CampaignFacts, Fact, FactSet, ParContributionFact
from cchc_reporting.domain.log import LoggedEvent, LogPosition
from cchc_reporting.domain.views import build_campaign_view
from cchc_reporting.service_layer import handlers
from cchc_shared.contracts import (
    CloudEvent,
    EncodedMessage,
    ParIndexContributionUpdatedV1,
    decode_message,
    parse_data,
)
from cchc_shared.contracts.events import event_for_type
from cchc_testkit.fakes import FakeUnitOfWork as BaseFakeUnitOfWork

from ..campaign import at, campaign_messages, contribution, message
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

    async def initiative_counts(self) -> dict[int, int]:
        return {2023: len(campaign_facts(self.facts, 2023).initiatives)}

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
    for m in campaign_messages():
        event = decode_message(m.body)
        model = event_for_type(event.type)
        assert model is not None
        results.append(await handlers.record_event(uow, event, parse_data(event, model)))
    return results


async def test_each_event_is_logged_once_and_duplicates_change_nothing() -> None:
    uow = FakeUnitOfWork()
    accepted = await feed(uow)
    assert accepted.count(False) == 5  # the fixture's five duplicates
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


async def record(uow: FakeUnitOfWork, m: EncodedMessage) -> bool:
    event = decode_message(m.body)
    return await handlers.record_event(uow, event, parse_data(event, ParIndexContributionUpdatedV1))


async def par_row(uow: FakeUnitOfWork, code: str) -> tuple[object, ...]:
    view = build_campaign_view(await uow.facts.load_campaign(2023))
    row = next(r for r in view.par_index if r.unit_code == code)
    return (row.submitted, row.surveyed, row.recommended, row.mean_score, row.points)


async def test_a_contribution_is_stored_and_shown_as_received_newest_version_wins() -> None:
    uow = FakeUnitOfWork()
    v3 = message("q1-v3", contribution("760", 3, (3, 2, 1), 81.25, 3.0), at(10, 20))
    v2 = message("q1-v2", contribution("760", 2, (3, 1, 0), 77.5, 2.0), at(9, 1))
    v4 = message("q1-v4", contribution("760", 4, (2, 2, 1), 82.5, 3.0), at(10, 25))
    assert await record(uow, v3)
    assert await par_row(uow, "760") == (3, 2, 1, 81.25, 3.0)
    assert await record(uow, v2)  # logged, but an older state changes nothing shown
    assert await par_row(uow, "760") == (3, 2, 1, 81.25, 3.0)
    assert not await record(uow, v3)  # a redelivery: not even logged again
    assert len(uow.log.events) == 2
    assert await record(uow, v4)
    assert await par_row(uow, "760") == (2, 2, 1, 82.5, 3.0)
    [stored] = uow.facts.facts.of_kind(ParContributionFact)
    assert isinstance(stored, ParContributionFact) and stored.version.stamp == 4
    # A rebuild from the log keeps the newest too, whatever the order of the log.
    uow.facts.facts = FactSet()
    await handlers.rebuild(uow)
    assert await par_row(uow, "760") == (2, 2, 1, 82.5, 3.0)
