"""The kit's PostgreSQL engine: its pool keeps the connections it opened, so a stream of
events whose handlers number about the pool's size does not open and close connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, text

from cchc_shared.persistence import create_engine
from cchc_testkit.infra import fresh_postgres_database

pytestmark = pytest.mark.integration


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


async def test_the_pool_keeps_every_connection_it_opens(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=2)
    opened = 0

    @event.listens_for(engine.sync_engine, "connect")
    def _count(*_: object) -> None:
        nonlocal opened
        opened += 1

    in_hand = 0
    most = 0

    async def handler(release: asyncio.Event) -> None:
        nonlocal in_hand, most
        async with engine.connect() as connection:
            in_hand += 1
            most = max(most, in_hand)
            await connection.execute(text("SELECT 1"))
            await release.wait()
            in_hand -= 1

    try:
        for _ in range(5):  # bursts above and below the kept size, as a stream does
            release = asyncio.Event()
            tasks = [asyncio.create_task(handler(release)) for _ in range(6)]
            await asyncio.sleep(0.3)
            release.set()
            await asyncio.gather(*tasks)
        # As many at once as before (2 kept + 2 overflow), the others waited for one ...
        assert most == 4
        # ... and the four were opened once, not once per burst.
        assert opened == 4
        assert engine.pool.checkedin() == 4  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
