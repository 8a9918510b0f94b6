"""The PAR-Index contribution: the points a unit's initiatives earn in its PAR Index, and
the contribution evaluation announces for each unit. Pure: no I/O."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cchc_shared.contracts.vocabulary import FinalScoreMethod


@dataclass(frozen=True)
class ParIndexRule:
    """Points of a unit's initiatives in the PAR Index (documented in the service README):
    ``min(cap, per_submitted * submitted + per_surveyed * surveyed + per_recommended *
    recommended + per_adopted * adopted)``; a district counts its wards' initiatives (and
    adoptions) when ``district_counts_wards``. ``adopted`` feeds replication back: the models
    the People's Committee recognised after the previous campaign that the unit reported as
    adopted (its latest quarterly report says so)."""

    per_submitted: float = 0.5
    per_surveyed: float = 0.5
    per_recommended: float = 1.0
    cap: float = 3.0
    district_counts_wards: bool = True
    per_adopted: float = 0.5


@dataclass(frozen=True)
class AdoptionState:
    """A target agency's latest report on a recognised model: the latest quarter, its highest
    revision, wins (reports arrive in any order)."""

    initiative_id: UUID
    agency_code: str
    quarter: str
    revision: int
    status: str

    def supersedes(self, other: AdoptionState | None) -> bool:
        return other is None or (self.quarter, self.revision) > (other.quarter, other.revision)


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
    agency_code: str
    name: str
    level: str
    submitted: int
    surveyed: int
    recommended: int
    mean_score: float | None
    points: float
    adopted: int = 0


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
    adopters: Iterable[str] = (),
) -> list[IndexRow]:
    """One row per unit: its own live initiatives and, for a district, its wards' ones.
    ``adopters`` names, once per model, each agency that adopted a model recognised after the
    previous campaign; they count where their initiatives would."""
    unit_codes = {u.code for u in units}
    by_unit: dict[str, list[InitiativeOutcome]] = {u.code: [] for u in units}
    for outcome in outcomes:
        code = par_unit_of(outcome.agency_code, unit_codes, rule, district_of)
        if code is not None:
            by_unit[code].append(outcome)
    adopted: dict[str, int] = dict.fromkeys(unit_codes, 0)
    for agency in adopters:
        code = par_unit_of(agency, unit_codes, rule, district_of)
        if code is not None:
            adopted[code] += 1
    rows = []
    for unit in units:
        items = by_unit[unit.code]
        scores = [o.final_score for o in items if o.final_score is not None]
        surveyed, recommended = len(scores), sum(1 for o in items if o.recommended)
        points = min(
            rule.cap,
            rule.per_submitted * len(items)
            + rule.per_surveyed * surveyed
            + rule.per_recommended * recommended
            + rule.per_adopted * adopted[unit.code],
        )
        rows.append(
            IndexRow(
                agency_code=unit.code,
                name=unit.name,
                level=unit.level,
                submitted=len(items),
                surveyed=surveyed,
                recommended=recommended,
                mean_score=round(statistics.fmean(scores), 2) if scores else None,
                points=round(points, 2),
                adopted=adopted[unit.code],
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
        if row.submitted == 0 and row.adopted == 0:
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
