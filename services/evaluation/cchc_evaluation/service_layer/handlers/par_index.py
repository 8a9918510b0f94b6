"""The PAR-Index contribution is computed here only, and announced: each change that moves
a unit's figures publishes ParIndexContributionUpdated, with the unit's next version, in the
transaction of the change (reporting shows what it receives)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
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
        rule=ParIndexRuleData(
            **dataclasses.asdict(c.rule), final_score_method=c.final_score_method
        ),
        computed_at=c.computed_at,
    )


async def announce_par_contributions(
    uow: UnitOfWork, services: Services, changed: Iterable[tuple[int, str]]
) -> list[ParContribution]:
    """Recompute the PAR-Index contribution of the units that (campaign, agency) pairs count
    in, inside the caller's transaction, and publish each one that changed with its next
    version. The caller has stored its change; units are locked in a fixed order."""
    units, rule, policy = services.units, services.par_rule, services.policy
    targets = sorted(
        {
            (year, unit_code)
            for year, agency_code in changed
            if (unit_code := par_unit_of(agency_code, units, rule, district_of)) is not None
        }
    )
    announced = []
    for year, code in targets:
        await uow.lock(_par_lock_key(year, code))
        unit = units[code]
        infos = [
            i
            for i in await uow.initiatives.of_agencies(year, _agencies_counting_for(unit, rule))
            if not i.is_withdrawn
        ]
        ids = [i.id for i in infos]
        evaluations: dict[UUID, list[Evaluation]] = {i: [] for i in ids}
        for e in await uow.evaluations.of_initiatives(ids):
            evaluations[e.initiative_id].append(e)
        decisions = await uow.decisions.many(ids)
        outcomes = [
            InitiativeOutcome(
                agency_code=i.agency_code,
                final_score=final_score(evaluations[i.id], policy),
                recommended=i.id in decisions and decisions[i.id].decision == "replicate",
            )
            for i in infos
        ]
        [row] = par_index([unit], outcomes, rule, district_of)
        contribution = next_contribution(
            await uow.par_contributions.get(year, unit),
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


async def announce_for_initiative(uow: UnitOfWork, services: Services, initiative_id: UUID) -> None:
    """After an evaluation changed: the initiative counts once intake's content is known."""
    info = await uow.initiatives.get(initiative_id)
    if info is not None:
        await announce_par_contributions(uow, services, [(info.campaign_year, info.agency_code)])
