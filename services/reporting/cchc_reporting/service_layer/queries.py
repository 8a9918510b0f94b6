"""The read side: the views of a campaign, built from its facts once per log position, and
what each reader may see of them. A refusal is a ``DomainError`` (``domain.errors``)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from cchc_reporting.domain import disclosure
from cchc_reporting.domain.errors import (
    AgencyNotInCampaign,
    CampaignNotFound,
    InitiativeNotFound,
    ReadForbidden,
    RoundNotFound,
)
from cchc_reporting.domain.filters import InitiativeFilter
from cchc_reporting.domain.log import LogPosition
from cchc_reporting.domain.read_models import (
    AgencyScorecard,
    CampaignView,
    InitiativeLife,
    RoundResult,
)
from cchc_reporting.domain.views import build_campaign_view
from cchc_reporting.ports import UnitOfWork
from cchc_shared.auth import Principal
from cchc_shared.contracts.visibility import Visibility

if TYPE_CHECKING:
    from cchc_reporting.service_layer.services import Services


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

    async def initiative_counts(self) -> dict[int, int]:
        async with self._uow_factory() as uow:
            return await uow.facts.initiative_counts()

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


async def campaign(services: Services, year: int) -> CampaignView:
    if year not in await services.views.years():
        raise CampaignNotFound(year)
    return await services.views.view(year)


def readable_filters(principal: Principal, filters: InitiativeFilter) -> InitiativeFilter:
    """An agency reads only its own initiatives; the readers' roles read everything."""
    if principal.can_read_all:
        return filters
    if principal.is_agency_submitter and principal.agency_code:
        if filters.agency_code not in (None, principal.agency_code):
            raise ReadForbidden(
                "Cơ quan chỉ xem được sáng kiến của mình",
                "an agency may read only its own initiatives",
            )
        return InitiativeFilter(**{**vars(filters), "agency_code": principal.agency_code})
    raise ReadForbidden(
        f"Vai trò {principal.role.value} không xem được báo cáo",
        f"role {principal.role.value} may not read reports",
    )


async def initiative(
    services: Services, year: int, initiative_id: UUID, principal: Principal
) -> InitiativeLife:
    view = await campaign(services, year)
    life = view.lives.get(initiative_id)
    if life is None or seen_by(principal, life).hidden:
        raise InitiativeNotFound()
    return life


def seen_by(principal: Principal, life: InitiativeLife) -> Visibility:
    """What the principal may see of the initiative's evaluations (the platform's policy)."""
    return disclosure.visibility(principal.role.value, principal.agency_code, life)


def round_of(view: CampaignView, round_id: UUID) -> RoundResult:
    found = next((r for r in view.rounds if r.round_id == round_id), None)
    if found is None:
        raise RoundNotFound()
    return found


async def scorecard(
    services: Services, year: int, agency_code: str, principal: Principal
) -> AgencyScorecard:
    # Refused before the campaign is looked up: an agency learns nothing of another's year.
    if not (principal.can_read_all or principal.owns_agency(agency_code)):
        raise ReadForbidden(
            "Cơ quan chỉ xem được kết quả của mình",
            "an agency may read only its own scorecard",
        )
    view = await campaign(services, year)
    card = next((c for c in view.scorecards if c.agency.code == agency_code), None)
    if card is None:
        raise AgencyNotInCampaign()
    return disclosure.scorecard_seen(card, principal.role.value, principal.agency_code)


async def log_status(services: Services) -> tuple[LogPosition, dict[str, int]]:
    async with services.uow() as uow:
        return await uow.log.position(), await uow.log.counts_by_type()
