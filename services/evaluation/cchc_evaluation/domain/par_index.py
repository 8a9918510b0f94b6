"""The PAR-Index contribution: the points a unit's initiatives earn in its PAR Index, and
the contribution evaluation announces for each unit. Pure: no I/O."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cchc_shared.contracts.vocabulary import FinalScoreMethod


@dataclass(frozen=True)
class ParIndexRule:
    """Points of a unit's initiatives in the PAR Index (documented in the service README):
    ``min(cap, per_submitted * submitted + per_surveyed * surveyed + per_recommended *
    recommended)``; a district counts its wards' initiatives when ``district_counts_wards``."""

    per_submitted: float = 0.5
    per_surveyed: float = 0.5
    per_recommended: float = 1.0
    cap: float = 3.0
    district_counts_wards: bool = True


@dataclass(frozen=True)
class IndexUnit:
    code: str
    name: str
    level: str  # city_department, vertical_agency, district


@dataclass(frozen=True)
class InitiativeOutcome:
    agency_code: str
    final_score: float | None  # None until evaluated
    recommended: bool


@dataclass(frozen=True)
class IndexRow:
    code: str
    name: str
    level: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None
    points: float


def par_unit_of(
    agency_code: str,
    unit_codes: Container[str],
    rule: ParIndexRule,
    district_of: Callable[[str], str | None],
) -> str | None:
    """The unit whose PAR Index an agency's initiatives count in, or None (not counted)."""
    if agency_code in unit_codes:
        return agency_code
    if rule.district_counts_wards:
        district = district_of(agency_code)
        if district is not None and district in unit_codes:
            return district
    return None


def par_index(
    units: Sequence[IndexUnit],
    outcomes: Iterable[InitiativeOutcome],
    rule: ParIndexRule,
    district_of: Callable[[str], str | None],
) -> list[IndexRow]:
    """One row per unit: its own live initiatives and, for a district, its wards' ones."""
    unit_codes = {u.code for u in units}
    by_unit: dict[str, list[InitiativeOutcome]] = {u.code: [] for u in units}
    for outcome in outcomes:
        code = par_unit_of(outcome.agency_code, unit_codes, rule, district_of)
        if code is not None:
            by_unit[code].append(outcome)
    rows = []
    for unit in units:
        items = by_unit[unit.code]
        scores = [o.final_score for o in items if o.final_score is not None]
        surveyed, recommended = len(scores), sum(1 for o in items if o.recommended)
        points = min(
            rule.cap,
            rule.per_submitted * len(items)
            + rule.per_surveyed * surveyed
            + rule.per_recommended * recommended,
        )
        rows.append(
            IndexRow(
                code=unit.code,
                name=unit.name,
                level=unit.level,
                submitted=len(items),
                surveyed=surveyed,
                recommended=recommended,
                mean_score=round(statistics.fmean(scores), 2) if scores else None,
                points=round(points, 2),
            )
        )
    return rows


@dataclass(frozen=True)
class ParContribution:
    """One unit's PAR-Index contribution to one campaign as last announced, with the rule it
    was computed under; ``version`` grows by one at each announced change."""

    campaign_year: int
    row: IndexRow
    rule: ParIndexRule
    final_score_method: FinalScoreMethod
    version: int
    computed_at: datetime


def next_contribution(
    previous: ParContribution | None,
    *,
    campaign_year: int,
    row: IndexRow,
    rule: ParIndexRule,
    final_score_method: FinalScoreMethod,
    at: datetime,
) -> ParContribution | None:
    """The contribution to announce after a change, or None if nothing announced changes
    (a unit never announced and still without initiatives stays silent)."""
    if previous is None:
        if row.submitted == 0:
            return None
    elif (previous.row, previous.rule, previous.final_score_method) == (
        row,
        rule,
        final_score_method,
    ):
        return None
    return ParContribution(
        campaign_year=campaign_year,
        row=row,
        rule=rule,
        final_score_method=final_score_method,
        version=1 if previous is None else previous.version + 1,
        computed_at=at,
    )
