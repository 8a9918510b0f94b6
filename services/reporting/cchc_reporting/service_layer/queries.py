"""The read side: the views of a campaign, built from its facts once per log position, and
what each reader may see of them. A refusal is a ``DomainError`` (``domain.errors``)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
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
from cchc_reporting.domain.facts import InitiativeFact
from cchc_reporting.domain.filters import InitiativeFilter
from cchc_reporting.domain.lineage import MAX_GENERATIONS, Lineage, ancestors
from cchc_reporting.domain.lineage import lineage as build_lineage
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


async def lineage(services: Services, initiative_id: UUID, principal: Principal) -> Lineage:
    """The initiative's history across years (``domain.lineage``), for a reader who may see
    the initiative itself; of the others, what that reader may see of each."""
    async with services.uow() as uow:
        found = await uow.facts.initiatives_by_id([initiative_id])
        if not found:
            raise InitiativeNotFound()
        current = found[0]
        known: dict[UUID, InitiativeFact] = {current.initiative_id: current}
        # Followed back one generation at a time (a chain is as long as the campaigns).
        while True:
            earlier = ancestors(current, known.get)
            tip = earlier[-1] if earlier else current
            if tip.builds_on_id is None or tip.builds_on_id in known:
                break
            more = await uow.facts.initiatives_by_id([tip.builds_on_id])
            if not more or len(earlier) >= MAX_GENERATIONS:
                break
            known[more[0].initiative_id] = more[0]
        later: dict[UUID, InitiativeFact] = {}
        frontier = {current.initiative_id}
        for _ in range(MAX_GENERATIONS):
            found = [
                f
                for f in await uow.facts.initiatives_building_on(frontier)
                if f.initiative_id not in later and f.initiative_id not in known
            ]
            if not found:
                break
            later.update((f.initiative_id, f) for f in found)
            frontier = {f.initiative_id for f in found}
        follow_up = await uow.facts.load_follow_up()
    lives: dict[UUID, InitiativeLife] = {}
    for year in sorted({f.campaign_year for f in (*earlier, current, *later.values())}):
        view = await services.views.view(year)
        lives.update(view.lives)
    life = lives.get(current.initiative_id)
    if life is None or seen_by(principal, life).hidden:
        raise InitiativeNotFound()
    return build_lineage(
        current,
        earlier,
        later.values(),
        lives=lives,
        seen=lambda other: seen_by(principal, other),
        follow_up=follow_up,
        as_of=datetime.now(UTC).date(),
    )
