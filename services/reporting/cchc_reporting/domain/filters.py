"""The filters of the list endpoints and exports."""

from __future__ import annotations

from dataclasses import dataclass

from cchc_reporting.domain.agencies import AgencyInfo
from cchc_reporting.domain.read_models import InitiativeLife, fold


@dataclass(frozen=True)
class InitiativeFilter:
    """Query filters; ``district_code`` matches a district and its wards; ``q`` searches
    titles and agency names ignoring case and Vietnamese diacritics."""

    status: str | None = None
    agency_code: str | None = None
    district_code: str | None = None
    level: str | None = None
    par_area: str | None = None
    kind: str | None = None
    scope: str | None = None
    q: str | None = None

    def matches_agency(self, agency: AgencyInfo) -> bool:
        if self.agency_code is not None and agency.code != self.agency_code:
            return False
        if self.district_code is not None and agency.district_code != self.district_code:
            return False
        return self.level is None or agency.level == self.level

    def matches(self, life: InitiativeLife) -> bool:
        if not self.matches_agency(life.agency):
            return False
        if self.status is not None and life.status.value != self.status:
            return False
        if self.par_area is not None and life.par_area != self.par_area:
            return False
        if self.kind is not None and life.kind != self.kind:
            return False
        if self.scope is not None and (
            life.recommendation is None or life.recommendation.scope != self.scope
        ):
            return False
        if self.q:
            needle = fold(self.q)
            return needle in fold(life.title) or needle in fold(life.agency.name)
        return True
