"""The PAR-Index contribution is computed here only, and announced: each change that moves
a unit's figures publishes ParIndexContributionUpdated, with the unit's next version
(reporting shows what it receives).

A change does not recompute: in its own transaction it marks the units it counts in as stale
(``mark_par_stale``). The recomputer (``recompute_stale``, run by ``ParIndexRecomputer``) takes
the marks a little later, so that a burst of changes to one unit costs one computation, and
in one transaction computes each marked unit again, saves and publishes the contributions
that changed, and deletes the marks. A mark lives until that transaction commits: a crash
loses nothing, it is computed on the next pass."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from uuid import UUID

from cchc_evaluation.domain.evaluations import Evaluation
from cchc_evaluation.domain.par_index import (
    IndexUnit,
    InitiativeOutcome,
    ParContribution,
    ParIndexRule,
    next_contribution,
    par_index,
    par_unit_of,
)
from cchc_evaluation.domain.selection import final_score
from cchc_evaluation.ports import UnitOfWork
from cchc_evaluation.service_layer.services import Services
from cchc_shared.contracts import ParIndexContributionUpdatedV1
from cchc_shared.contracts.events import ParIndexRuleData
from cchc_shared.reference import AgencyLevel, district_of, wards_of


def _agencies_counting_for(unit: IndexUnit, rule: ParIndexRule) -> set[str]:
    """The agencies whose initiatives count in ``unit``'s PAR Index (the inverse of
    ``par_unit_of``): the unit itself and, for a district, its wards when the rule says so."""
    codes = {unit.code}
    if rule.district_counts_wards and unit.level == AgencyLevel.DISTRICT.value:
        codes |= {w.code for w in wards_of(unit.code)}
    return codes


def _par_lock_key(year: int, unit_code: str) -> UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"cchc:evaluation:par-index:{year}:{unit_code}")


def _contribution_event(c: ParContribution) -> ParIndexContributionUpdatedV1:
    return ParIndexContributionUpdatedV1(
        campaign_year=c.campaign_year,
        agency_code=c.row.agency_code,
        version=c.version,
        submitted=c.row.submitted,
        surveyed=c.row.surveyed,
        recommended=c.row.recommended,
        mean_score=c.row.mean_score,
        points=c.row.points,
        adopted=c.row.adopted,
        rule=ParIndexRuleData(
            **dataclasses.asdict(c.rule), final_score_method=c.final_score_method
        ),
        computed_at=c.computed_at,
    )


log = logging.getLogger("cchc.evaluation.par_index")


def _units_of(services: Services, changed: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """The (campaign, unit) pairs whose PAR Index the (campaign, agency) pairs count in."""
    units, rule = services.units, services.par_rule
    return sorted(
        {
            (year, unit_code)
            for year, agency_code in changed
            if (unit_code := par_unit_of(agency_code, units, rule, district_of)) is not None
        }
    )


async def mark_par_stale(
    uow: UnitOfWork, services: Services, changed: Iterable[tuple[int, str]]
) -> None:
    """In the caller's transaction, mark the units that (campaign, agency) pairs count in for
    the recomputer: their contribution is computed and announced once the caller committed."""
    targets = _units_of(services, changed)
    if targets:
        await uow.par_stale.mark(targets, services.clock())


async def mark_for_initiative(uow: UnitOfWork, services: Services, initiative_id: UUID) -> None:
    """After an evaluation changed: the initiative counts once intake's content is known."""
    info = await uow.initiatives.get(initiative_id)
    if info is not None:
        await mark_par_stale(uow, services, [(info.campaign_year, info.agency_code)])


async def announce_par_contributions(
    uow: UnitOfWork, services: Services, targets: Iterable[tuple[int, str]]
) -> list[ParContribution]:
    """Recompute the PAR-Index contribution of the (campaign, unit) pairs inside the caller's
    transaction, and publish each one that changed with its next version. Units are locked
    in a fixed order; each campaign's initiatives, evaluations and decisions are read once."""
    units, rule, policy = services.units, services.par_rule, services.policy
    ordered = sorted({(year, code) for year, code in targets if code in units})
    for year, code in ordered:
        await uow.lock(_par_lock_key(year, code))
    by_year: dict[int, list[IndexUnit]] = defaultdict(list)
    for year, code in ordered:
        by_year[year].append(units[code])
    announced = []
    for year, year_units in by_year.items():
        stored = await uow.par_contributions.many(year, year_units)
        counting = {u.code: _agencies_counting_for(u, rule) for u in year_units}
        infos = [
            i
            for i in await uow.initiatives.of_agencies(year, set().union(*counting.values()))
            if not i.is_withdrawn
        ]
        ids = [i.id for i in infos]
        evaluations: dict[UUID, list[Evaluation]] = {i: [] for i in ids}
        for e in await uow.evaluations.of_initiatives(ids):
            evaluations[e.initiative_id].append(e)
        decisions = await uow.decisions.many(ids)
        outcomes: dict[str, list[InitiativeOutcome]] = defaultdict(list)
        for i in infos:
            outcomes[i.agency_code].append(
                InitiativeOutcome(
                    agency_code=i.agency_code,
                    final_score=final_score(evaluations[i.id], policy),
                    recommended=i.id in decisions and decisions[i.id].decision == "replicate",
                )
            )
        # Replication fed back: the previous campaign's models each agency adopted.
        adopters = await uow.adoptions.adopters(year - 1, set().union(*counting.values()))
        for unit in year_units:
            mine = [o for code in sorted(counting[unit.code]) for o in outcomes.get(code, [])]
            theirs = [a for a in adopters if a in counting[unit.code]]
            [row] = par_index([unit], mine, rule, district_of, theirs)
            contribution = next_contribution(
                stored.get(unit.code),
                campaign_year=year,
                row=row,
                rule=rule,
                final_score_method=policy.final_score_method,
                at=services.clock(),
            )
            if contribution is not None:
                await uow.par_contributions.save(contribution)
                uow.publish(_contribution_event(contribution))
                announced.append(contribution)
    return announced


async def recompute_stale(
    uow: UnitOfWork, services: Services, limit: int = 1000
) -> tuple[int, list[ParContribution]]:
    """Take (delete) up to ``limit`` stale marks (on PostgreSQL, none another recomputer
    holds), recompute their units and publish what changed, all in ``uow``'s transaction,
    which the caller commits: until it does, the marks stay. Returns how many marks were
    taken and the contributions announced."""
    marks = await uow.par_stale.take(limit)
    if not marks:
        return 0, []
    return len(marks), await announce_par_contributions(uow, services, marks)


async def recompute_all_stale(services: Services, limit: int = 1000) -> list[ParContribution]:
    """Recompute until no mark is left, one transaction per ``limit`` marks."""
    announced: list[ParContribution] = []
    while True:
        async with services.uow() as uow:
            taken, done = await recompute_stale(uow, services, limit)
            await uow.commit()
        announced += done
        if taken < limit:
            return announced


@dataclasses.dataclass
class ParIndexRecomputer:
    """Runs ``recompute_stale`` in the background: woken by a commit that marked a unit (and
    every ``poll_interval`` for marks left by another process or a crash), it lingers so a
    burst collects, and leaves at least ``min_interval`` between the starts of two passes so
    a unit under a stream of changes is computed about once per interval, not per change."""

    services: Services
    batch_size: int = 1000
    linger: float = 0.2
    min_interval: float = 1.0
    poll_interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    _last_pass: float = float("-inf")

    def wake(self) -> None:
        """Called after a commit that marked a unit stale."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            woken = await self._wait(stop, self.poll_interval)
            if stop.is_set():
                return
            if woken:  # a burst collects; under a stream, one pass per min_interval
                delay = max(self.linger, self._last_pass + self.min_interval - self.clock())
                await self._wait(stop, delay, wake=False)
                if stop.is_set():
                    return
            self._wake.clear()
            self._last_pass = self.clock()
            try:
                await recompute_all_stale(self.services, self.batch_size)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("PAR-Index recomputation failed; the marks stay for the next pass")

    async def _wait(self, stop: asyncio.Event, timeout: float, *, wake: bool = True) -> bool:
        """Wait up to ``timeout`` for ``stop`` (or, with ``wake``, a wake-up); True if woken."""
        waiters = {asyncio.ensure_future(stop.wait())}
        if wake:
            waiters.add(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waiters, timeout=max(0.0, timeout), return_when="FIRST_COMPLETED")
        finally:
            for task in waiters:
                task.cancel()
        return wake and self._wake.is_set()
