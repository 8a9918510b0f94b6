"""Read side: the views of a campaign, built from its facts once per log position."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable

from cchc_reporting.adapters.repository import LogPosition
from cchc_reporting.domain.views import CampaignView, build_campaign_view
from cchc_reporting.service_layer.unit_of_work import UnitOfWork


class CampaignViews:
    """Builds a campaign's views from the database and keeps the last few: a view is reused
    while the log has not moved (no event appended, no rebuild), so a burst of dashboard,
    export and document requests costs one build."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        capacity: int = 4,
    ) -> None:
        self._uow_factory = uow_factory
        self._capacity = capacity
        self._cache: OrderedDict[int, tuple[LogPosition, CampaignView]] = OrderedDict()
        self._locks: dict[int, asyncio.Lock] = {}

    async def years(self) -> list[int]:
        async with self._uow_factory() as uow:
            return await uow.facts.campaign_years()

    async def view(self, year: int) -> CampaignView:
        lock = self._locks.setdefault(year, asyncio.Lock())
        async with lock:
            async with self._uow_factory() as uow:
                position = await uow.log.position()
                cached = self._cache.get(year)
                if cached is not None and cached[0] == position:
                    self._cache.move_to_end(year)
                    return cached[1]
                facts = await uow.facts.load_campaign(year)
            # CPU-bound: a thread keeps the event loop (consumers, health checks) responsive.
            view = await asyncio.to_thread(build_campaign_view, facts)
            self._cache[year] = (position, view)
            self._cache.move_to_end(year)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
            return view

    def clear(self) -> None:
        self._cache.clear()
