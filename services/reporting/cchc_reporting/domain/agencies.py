"""The agencies as the read models show them: name, tier, and the district a ward's
initiatives count for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cchc_shared.reference import AgencyLevel, districts, get_agency, load_agencies, unit_name

UNKNOWN_LEVEL: Final = "unknown"


@dataclass(frozen=True)
class AgencyInfo:
    code: str
    name: str
    level: str
    district_code: str | None
    district_name: str | None

    @property
    def full_name(self) -> str:
        """As a document names it at the start of a cell or sentence: a ward with its
        district ("Phường 8, Quận 3")."""
        return self.name if self.level == UNKNOWN_LEVEL else unit_name(self.code)

    @property
    def full_name_in_text(self) -> str:
        """As a document names it inside a sentence ("phường Bến Nghé, Quận 1")."""
        return self.name if self.level == UNKNOWN_LEVEL else unit_name(self.code, in_text=True)

    @property
    def par_unit_code(self) -> str:
        """The unit whose PAR Index this agency's initiatives count for."""
        return self.district_code or self.code


def agency_info(code: str) -> AgencyInfo:
    agency = get_agency(code)
    if agency is None:
        return AgencyInfo(code, code, UNKNOWN_LEVEL, None, None)
    district_code: str | None = None
    if agency.level is AgencyLevel.DISTRICT:
        district_code = agency.code
    elif agency.level is AgencyLevel.COMMUNE:
        district_code = agency.parent_code
    district = get_agency(district_code) if district_code else None
    return AgencyInfo(
        code=agency.code,
        name=agency.name,
        level=agency.level.value,
        district_code=district_code,
        district_name=district.name if district else None,
    )


def par_index_units() -> list[AgencyInfo]:
    """Every unit the PAR Index ranks: departments, vertical agencies, Thủ Đức City and the
    districts, in the reference data's order."""
    city = [
        agency_info(a.code)
        for a in load_agencies().values()
        if a.level in (AgencyLevel.CITY_DEPARTMENT, AgencyLevel.VERTICAL_AGENCY)
    ]
    return [*city, *(agency_info(d.code) for d in districts())]
