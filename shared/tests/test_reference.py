"""The shipped 2023 reference data: administrative units, agencies and PAR areas."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter

import pytest

from cchc_shared.contracts.events import AGENCY_CODE_PATTERN, PAR_AREAS
from cchc_shared.reference import (
    PAR_AREA_CODES,
    Agency,
    AgencyLevel,
    district_of,
    districts,
    get_agency,
    load_agencies,
    par_area,
    par_areas,
    wards_of,
)


def _by_level(level: AgencyLevel) -> list[Agency]:
    return [a for a in load_agencies().values() if a.level is level]


def test_counts() -> None:
    assert len(_by_level(AgencyLevel.DISTRICT)) == 22
    assert len(_by_level(AgencyLevel.COMMUNE)) == 312
    assert len(districts()) == 22
    assert sum(len(wards_of(d.code)) for d in districts()) == 312
    assert len(_by_level(AgencyLevel.CITY_DEPARTMENT)) >= 20
    assert len(_by_level(AgencyLevel.VERTICAL_AGENCY)) >= 5


def test_district_and_ward_types() -> None:
    assert Counter(d.unit_type for d in districts()) == {"Quận": 16, "Huyện": 5, "Thành phố": 1}
    assert Counter(a.unit_type for a in _by_level(AgencyLevel.COMMUNE)) == {
        "Phường": 249,
        "Xã": 58,
        "Thị trấn": 5,
    }
    assert all(a.unit_type is None for a in load_agencies().values() if a.is_city_level)


def test_every_ward_has_an_existing_district_parent() -> None:
    agencies = load_agencies()
    for ward in _by_level(AgencyLevel.COMMUNE):
        assert ward.parent_code is not None
        assert agencies[ward.parent_code].level is AgencyLevel.DISTRICT
        assert district_of(ward.code) == ward.parent_code
    for agency in agencies.values():
        if agency.level is not AgencyLevel.COMMUNE:
            assert agency.parent_code is None


def test_codes_unique_across_levels_and_well_formed() -> None:
    agencies = load_agencies()
    assert all(code == agency.code for code, agency in agencies.items())
    assert len(agencies) == 22 + 312 + len(_by_level(AgencyLevel.CITY_DEPARTMENT)) + len(
        _by_level(AgencyLevel.VERTICAL_AGENCY)
    )
    pattern = re.compile(AGENCY_CODE_PATTERN)
    for agency in agencies.values():
        assert pattern.fullmatch(agency.code), agency
    assert all(re.fullmatch(r"\d{3}", d.code) for d in districts())
    assert all(re.fullmatch(r"\d{5}", w.code) for w in _by_level(AgencyLevel.COMMUNE))


def test_known_units() -> None:
    ben_nghe = get_agency("26740")
    assert ben_nghe == Agency(
        code="26740",
        name="Phường Bến Nghé",
        level=AgencyLevel.COMMUNE,
        parent_code="760",
        unit_type="Phường",
    )
    assert get_agency("760") == Agency(
        code="760", name="Quận 1", level=AgencyLevel.DISTRICT, unit_type="Quận"
    )
    thu_duc = get_agency("769")
    assert thu_duc is not None
    assert thu_duc.name == "Thành phố Thủ Đức"
    assert thu_duc.level is AgencyLevel.DISTRICT and thu_duc.is_district_level
    assert thu_duc.unit_type == "Thành phố"
    snv = get_agency("SNV")
    assert snv is not None and snv.name == "Sở Nội vụ"
    assert snv.level is AgencyLevel.CITY_DEPARTMENT and snv.is_city_level
    cthue = get_agency("CTHUE")
    assert cthue is not None and cthue.level is AgencyLevel.VERTICAL_AGENCY
    assert get_agency("nope") is None


def test_district_of() -> None:
    assert district_of("26740") == "760"
    assert district_of("760") == "760"
    assert district_of("769") == "769"
    assert district_of("SNV") is None
    assert district_of("00000") is None
    assert {w.code for w in wards_of("760")} >= {"26740", "26734"}
    assert all(district_of(w.code) == "769" for w in wards_of("769"))
    assert wards_of("SNV") == ()


def test_names_nfc_and_clean() -> None:
    names = [a.name for a in load_agencies().values()] + [p.name for p in par_areas()]
    for name in names:
        assert name == unicodedata.normalize("NFC", name)
        assert name == name.strip() and name
    # Precomposed characters, not base letter + combining mark.
    ben_nghe = get_agency("26740")
    assert ben_nghe is not None and "\u1ebf" in ben_nghe.name  # ế


def test_par_areas() -> None:
    areas = par_areas()
    assert tuple(a.code for a in areas) == PAR_AREA_CODES == PAR_AREAS
    names = {a.code: a.name for a in areas}
    assert names["institutional"] == "Cải cách thể chế"
    assert names["procedures"] == "Cải cách thủ tục hành chính"
    assert names["digital_government"].startswith("Xây dựng và phát triển Chính phủ điện tử")
    assert all(n.startswith(("Cải cách", "Xây dựng")) for n in names.values())
    assert par_area("civil_service") == areas[3]
    assert par_area("unknown") is None


def test_agencies_are_immutable_and_cached() -> None:
    first = load_agencies()
    first.pop("SNV")
    assert "SNV" in load_agencies()  # a copy per call; the cache is untouched
    agency = get_agency("760")
    assert agency is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        agency.name = "x"  # type: ignore[misc]
    assert get_agency("760") is agency


def test_data_files_ship_in_the_package() -> None:
    from importlib import resources

    data = resources.files("cchc_shared.reference").joinpath("data")
    assert data.joinpath("hcmc-admin-units-2023.json").is_file()
    assert data.joinpath("hcmc-agencies-2023.json").is_file()


def test_every_district_has_its_own_tile_on_the_city_map() -> None:
    from cchc_shared.reference import DISTRICT_TILES, districts

    assert set(DISTRICT_TILES) == {d.code for d in districts()}
    assert len(set(DISTRICT_TILES.values())) == len(DISTRICT_TILES)
    assert all(0 <= c < 6 and 0 <= r < 6 for c, r in DISTRICT_TILES.values())


def test_a_letter_addresses_a_district_or_ward_through_its_peoples_committee() -> None:
    addressees = {
        code: agency.addressee
        for code in ("26740", "760", "769", "SNV")
        if (agency := get_agency(code)) is not None
    }
    assert addressees == {
        "26740": "Ủy ban nhân dân phường Bến Nghé, Quận 1",
        "760": "Ủy ban nhân dân Quận 1",
        "769": "Ủy ban nhân dân thành phố Thủ Đức",
        "SNV": "Sở Nội vụ",
    }
