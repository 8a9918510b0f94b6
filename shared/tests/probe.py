"""A minimal service used to test the kit: one effects table, the kit's tables, a
consumer that records one effect per event (through the inbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_shared.contracts import CloudEvent, EventData, InitiativeWithdrawnV1
from cchc_shared.contracts.envelope import FieldError
from cchc_shared.messaging.broker import AmqpPublisher
from cchc_shared.messaging.consumer import Consumers, EventRoute, PermanentError
from cchc_shared.messaging.outbox import OutboxRelay, RelaySettings, broker_publisher
from cchc_shared.messaging.topology import QueueSpec, declare_topology, queue_for
from cchc_shared.persistence import (
    SqlAlchemyUnitOfWork,
    create_engine,
    define_kit_tables,
)

metadata = MetaData()
kit = define_kit_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    # deliberately not unique: a double effect must be countable
    Column("event_id", String(64), nullable=False),
)

PROBE_QUEUE: QueueSpec = queue_for("scheduling", "initiative.withdrawn.v1")
PROBE_DELIVERY_LIMIT = 3
CONSUMER = "probe"


def withdrawal(agency_code: str = "SNV") -> InitiativeWithdrawnV1:
    return InitiativeWithdrawnV1(
        initiative_id=uuid.uuid4(),
        campaign_year=2023,
        agency_code=agency_code,
        reason="Đơn vị rút đề xuất",
        withdrawn_at=datetime.now(UTC),
    )


@dataclass
class Probe:
    engine: AsyncEngine
    amqp_url: str
    refused_agencies: set[str] = field(default_factory=set)
    handled_calls: int = 0

    @classmethod
    async def create(cls, database_url: str, amqp_url: str) -> Probe:
        engine = create_engine(database_url)
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        await declare_topology(amqp_url, [PROBE_QUEUE], delivery_limit=PROBE_DELIVERY_LIMIT)
        return cls(engine, amqp_url)

    def uow(self, on_commit: object = None) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            self.engine,
            kit,
            source="/cchc/intake",  # the withdrawals it writes are intake's events
            on_commit=on_commit,  # type: ignore[arg-type]
        )

    async def write_events(self, count: int, batch: int = 50) -> list[str]:
        ids: list[str] = []
        for start in range(0, count, batch):
            async with self.uow() as uow:
                for _ in range(min(batch, count - start)):
                    ids.append(uow.publish(withdrawal()).event_id)
                await uow.commit()
        return ids

    def relay(self, broker: AmqpPublisher, **settings: float) -> OutboxRelay:
        return OutboxRelay(
            self.engine,
            kit,
            broker_publisher(broker, timeout=5.0),
            RelaySettings(poll_interval=0.1, backoff_base=0.2, backoff_max=1.0, **settings),  # type: ignore[arg-type]
        )

    async def handle(self, event: CloudEvent, data: EventData) -> None:
        self.handled_calls += 1
        assert isinstance(data, InitiativeWithdrawnV1)
        if data.agency_code in self.refused_agencies:
            raise PermanentError(
                [FieldError("$.data.agency_code", f"unknown agency {data.agency_code}")]
            )
        async with self.uow() as uow:
            if await uow.accept_once(CONSUMER, event):
                await uow.connection.execute(insert(effects).values(event_id=event.id))
            await uow.commit()

    def consumer_broker(self) -> Consumers:
        """The kit's consumers on the probe queue (``start()`` / ``stop()``)."""
        route = EventRoute(
            queue=PROBE_QUEUE,
            models={InitiativeWithdrawnV1.event_type(): InitiativeWithdrawnV1},
            handler=lambda event, data: self.handle(event, data),
        )
        return Consumers(
            self.amqp_url,
            [route],
            retry_delay=0.05,
            delivery_limit=PROBE_DELIVERY_LIMIT,
            name="probe",
        )

    async def effect_counts(self) -> tuple[int, int]:
        async with self.engine.connect() as connection:
            total, distinct = (
                await connection.execute(
                    select(func.count(), func.count(effects.c.event_id.distinct()))
                )
            ).one()
        return int(total), int(distinct)

    async def effect_ids(self) -> set[str]:
        async with self.engine.connect() as connection:
            return set((await connection.execute(select(effects.c.event_id))).scalars())

    async def pending(self) -> int:
        async with self.engine.connect() as connection:
            return int(
                (
                    await connection.execute(
                        select(func.count())
                        .select_from(kit.outbox)
                        .where(kit.outbox.c.sent_at.is_(None))
                    )
                ).scalar_one()
            )
