"""``Services``: what every handler and query receives. The composition root builds one from
the settings; the tests build one over a fake unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cchc_evaluation.domain.evaluations import scoring_roles
from cchc_evaluation.domain.par_index import IndexUnit, ParIndexRule
from cchc_evaluation.domain.selection import SelectionPolicy
from cchc_evaluation.ports import UnitOfWork
from cchc_shared.clock import now as clock_now
from cchc_shared.reference import AgencyLevel, load_agencies


def index_units() -> dict[str, IndexUnit]:
    """Whose PAR Index the survey feeds, by code: every city department and vertical agency,
    Thủ Đức City and every district (the 2023 plan, section I.1)."""
    return {
        a.code: IndexUnit(a.code, a.name, a.level.value)
        for a in load_agencies().values()
        if a.level is not AgencyLevel.COMMUNE
    }


async def scoring_roles_by_year(
    uow: UnitOfWork, years: Iterable[int]
) -> dict[int, tuple[str, ...]]:
    """The team roles that score in each campaign of ``years``, as its settings say (inside
    ``uow``); a campaign not announced yet scores as by default (no secretary)."""
    roles = {}
    for year in set(years):
        settings = await uow.campaign_settings.get(year)
        roles[year] = scoring_roles(settings is not None and settings.secretary_scores)
    return roles


@dataclass(frozen=True)
class Services:
    """A new unit of work per use, and the configured rules of selection and of the PAR Index."""

    uow: Callable[[], UnitOfWork]
    policy: SelectionPolicy = field(default_factory=SelectionPolicy)
    par_rule: ParIndexRule = field(default_factory=ParIndexRule)
    rubric_step: float = 0.5
    clock: Callable[[], datetime] = clock_now  # the kit's business time
    # Read once: the reference data does not change while the service runs.
    units: Mapping[str, IndexUnit] = field(default_factory=index_units)
