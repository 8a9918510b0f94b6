"""Reference data of Ho Chi Minh City in 2023, shipped with the package.

* ``data/hcmc-admin-units-2023.json`` — the 22 district-level units (16 quận, 5 huyện and
  Thành phố Thủ Đức, code ``769``) and their 312 wards, communes and towns, with the official
  statistics codes (3 digits for a district, 5 for a ward/commune);
* ``data/hcmc-agencies-2023.json`` — city departments and equivalent bodies (sở, ban, ngành),
  vertical agencies (cơ quan ngành dọc), with short project codes (``SNV``, ``CTHUE`` ...), and
  the six PAR areas.

Every name is NFC-normalised on load. The data are loaded once and cached; the returned
objects are immutable.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from cchc_shared.contracts.vocabulary import PAR_AREAS
from cchc_shared.contracts.vocabulary import AgencyLevel as AgencyLevel  # defined once there

__all__ = [
    "ADMIN_UNITS_FILE",
    "AGENCIES_FILE",
    "PAR_AREA_CODES",
    "PROVINCE_CODE",
    "Agency",
    "AgencyLevel",
    "ParArea",
    "district_of",
    "districts",
    "get_agency",
    "load_agencies",
    "par_area",
    "par_areas",
    "unit_name",
    "wards_of",
]

ADMIN_UNITS_FILE: Final = "hcmc-admin-units-2023.json"
AGENCIES_FILE: Final = "hcmc-agencies-2023.json"
PROVINCE_CODE: Final = "79"

# The PAR areas in the order of the national PAR programme; the codes are the public
# contract's (CONTRACT.md). Keys the data file might use for them are mapped here.
PAR_AREA_CODES: Final[tuple[str, ...]] = PAR_AREAS
_PAR_AREA_ALIASES: Final[dict[str, str]] = {
    "institution": "institutional",
    "administrative_procedures": "procedures",
    "organization": "organisation",
    "apparatus": "organisation",
    "public_service": "civil_service",
    "finance": "public_finance",
    "e_government": "digital_government",
    "digital": "digital_government",
}


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency that may propose initiatives.

    ``unit_type`` is the data's ``type`` of an administrative unit (``Quận``, ``Huyện``,
    ``Thành phố`` for district-level units; ``Phường``, ``Xã``, ``Thị trấn`` for communes);
    ``None`` for city-level agencies. ``parent_code`` is the district of a commune-level unit,
    otherwise ``None``.
    """

    code: str
    name: str
    level: AgencyLevel
    parent_code: str | None = None
    unit_type: str | None = None

    @property
    def is_city_level(self) -> bool:
        return self.level in (AgencyLevel.CITY_DEPARTMENT, AgencyLevel.VERTICAL_AGENCY)

    @property
    def is_district_level(self) -> bool:
        return self.level is AgencyLevel.DISTRICT

    @property
    def is_commune_level(self) -> bool:
        return self.level is AgencyLevel.COMMUNE

    @property
    def name_in_text(self) -> str:
        """The name inside a sentence, as Nghị định 30/2020/NĐ-CP, Phụ lục II writes it: the
        kind of an administrative unit is lower case before a proper name ("phường Bến
        Nghé", "quận Bình Thạnh", "thành phố Thủ Đức") and capitalised before a number
        ("Phường 8", "Quận 3"); an agency's own name keeps its capitals ("Sở Tư pháp")."""
        if self.unit_type is None or not self.name.startswith(self.unit_type + " "):
            return self.name
        rest = self.name[len(self.unit_type) + 1 :]
        if rest[:1].isdigit():
            return self.name
        return f"{self.unit_type.lower()} {rest}"

    @property
    def full_name(self) -> str:
        """The name a document gives at the start of a sentence or a table cell: a ward,
        commune or town with its district ("Phường 8, Quận 3"; "Phường Bến Nghé, Quận 1";
        "Xã Phú Mỹ Hưng, huyện Củ Chi")."""
        district = get_agency(self.parent_code) if self.parent_code else None
        return f"{self.name}, {district.name_in_text}" if district else self.name

    @property
    def addressee(self) -> str:
        """How a letter or notice addresses the agency ("Kính gửi: …"): a district, ward or
        commune through its People's Committee ("Ủy ban nhân dân phường Bến Nghé, Quận 1"),
        any other agency by its name ("Sở Tư pháp")."""
        if self.is_district_level or self.is_commune_level:
            return f"Ủy ban nhân dân {self.full_name_in_text}"
        return self.name

    @property
    def full_name_in_text(self) -> str:
        """:attr:`full_name` inside a sentence ("tại phường Bến Nghé, Quận 1")."""
        district = get_agency(self.parent_code) if self.parent_code else None
        return f"{self.name_in_text}, {district.name_in_text}" if district else self.name_in_text


@dataclass(frozen=True, slots=True)
class ParArea:
    """One of the six PAR areas (lĩnh vực cải cách hành chính)."""

    code: str
    name: str


def _nfc(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"reference data: {what} must be a non-empty string, got {value!r}")
    return unicodedata.normalize("NFC", value.strip())


_LEADING_ZEROS: Final = re.compile(r"(?<=\s)0+(?=\d)")


def _unit_name(value: Any, what: str) -> str:
    """A unit's name without the leading zeros of a number ("Phường 04" is "Phường 4")."""
    return _LEADING_ZEROS.sub("", _nfc(value, what))


def unit_name(code: str, *, in_text: bool = False) -> str:
    """The full name of an agency by code (:attr:`Agency.full_name`, or
    :attr:`Agency.full_name_in_text` inside a sentence); the code itself when unknown."""
    agency = get_agency(code)
    if agency is None:
        return code
    return agency.full_name_in_text if in_text else agency.full_name


def _read(name: str) -> Any:
    text = resources.files(__name__).joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _agencies() -> dict[str, Agency]:
    result: dict[str, Agency] = {}

    def add(agency: Agency) -> None:
        if agency.code in result:
            raise ValueError(f"reference data: duplicate agency code {agency.code!r}")
        result[agency.code] = agency

    catalogue = _read(AGENCIES_FILE)
    for key, level in (
        ("departments", AgencyLevel.CITY_DEPARTMENT),
        ("vertical_agencies", AgencyLevel.VERTICAL_AGENCY),
    ):
        for item in catalogue[key]:
            add(
                Agency(
                    code=_nfc(item["code"], "code"), name=_nfc(item["name"], "name"), level=level
                )
            )

    units = _read(ADMIN_UNITS_FILE)
    for district in units["districts"]:
        district_code = _nfc(district["code"], "district code")
        add(
            Agency(
                code=district_code,
                name=_unit_name(district["name"], "district name"),
                level=AgencyLevel.DISTRICT,
                unit_type=_nfc(district["type"], "district type"),
            )
        )
        for ward in district["wards"]:
            add(
                Agency(
                    code=_nfc(ward["code"], "ward code"),
                    name=_unit_name(ward["name"], "ward name"),
                    level=AgencyLevel.COMMUNE,
                    parent_code=district_code,
                    unit_type=_nfc(ward["type"], "ward type"),
                )
            )
    return result


def load_agencies() -> dict[str, Agency]:
    """Every agency by code: city departments, vertical agencies, the 22 district-level units
    and the 312 commune-level units. A fresh dict over the cached, immutable agencies."""
    return dict(_agencies())


def get_agency(code: str) -> Agency | None:
    """The agency with this code, or ``None``."""
    return _agencies().get(code)


def district_of(code: str) -> str | None:
    """The district-level code an agency belongs to: a ward's parent district, a district
    itself; ``None`` for city-level agencies and unknown codes."""
    agency = _agencies().get(code)
    if agency is None:
        return None
    if agency.level is AgencyLevel.DISTRICT:
        return agency.code
    if agency.level is AgencyLevel.COMMUNE:
        return agency.parent_code
    return None


@cache
def districts() -> tuple[Agency, ...]:
    """The 22 district-level units, in the data's order (statistics code order)."""
    return tuple(a for a in _agencies().values() if a.level is AgencyLevel.DISTRICT)


def wards_of(district_code: str) -> tuple[Agency, ...]:
    """The wards, communes and towns of a district (empty for an unknown code)."""
    return tuple(a for a in _agencies().values() if a.parent_code == district_code)


@cache
def par_areas() -> tuple[ParArea, ...]:
    """The six PAR areas with their Vietnamese names, in :data:`PAR_AREA_CODES` order."""
    found: dict[str, ParArea] = {}
    for item in _read(AGENCIES_FILE)["par_areas"]:
        raw = _nfc(item["code"], "PAR area code")
        code = _PAR_AREA_ALIASES.get(raw, raw)
        if code not in PAR_AREA_CODES:
            raise ValueError(f"reference data: unknown PAR area code {raw!r}")
        if code in found:
            raise ValueError(f"reference data: duplicate PAR area {code!r}")
        found[code] = ParArea(code=code, name=_nfc(item["name"], "PAR area name"))
    missing = [c for c in PAR_AREA_CODES if c not in found]
    if missing:
        raise ValueError(f"reference data: PAR areas missing: {', '.join(missing)}")
    return tuple(found[c] for c in PAR_AREA_CODES)


def par_area(code: str) -> ParArea | None:
    """The PAR area with this code, or ``None``."""
    return next((a for a in par_areas() if a.code == code), None)


# Where each district-level unit lies on a tile map of the city (column, row from the
# north-west, six columns by six rows): Củ Chi at the top left, Cần Giờ at the bottom right.
# The pictures of how far a model spread (reporting, the portal) draw one square per unit.
DISTRICT_TILES: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "783": (0, 0),  # Củ Chi
        "784": (1, 0),  # Hóc Môn
        "761": (2, 0),  # Quận 12
        "764": (3, 0),  # Gò Vấp
        "769": (5, 0),  # Thủ Đức
        "785": (0, 1),  # Bình Chánh
        "777": (1, 1),  # Bình Tân
        "767": (2, 1),  # Tân Phú
        "766": (3, 1),  # Tân Bình
        "768": (4, 1),  # Phú Nhuận
        "765": (5, 1),  # Bình Thạnh
        "775": (1, 2),  # Quận 6
        "772": (2, 2),  # Quận 11
        "771": (3, 2),  # Quận 10
        "770": (4, 2),  # Quận 3
        "760": (5, 2),  # Quận 1
        "776": (1, 3),  # Quận 8
        "774": (2, 3),  # Quận 5
        "773": (4, 3),  # Quận 4
        "778": (4, 4),  # Quận 7
        "786": (3, 5),  # Nhà Bè
        "787": (5, 5),  # Cần Giờ
    }
)


def short_district_name(name: str) -> str:
    """A district-level unit's name as a map labels it: "Q.1", "Bình Thạnh", "Thủ Đức"."""
    for prefix in ("Thành phố ", "Quận ", "Huyện "):
        if name.startswith(prefix):
            rest = name.removeprefix(prefix)
            return f"Q.{rest}" if prefix == "Quận " and rest.isdigit() else rest
    return name
