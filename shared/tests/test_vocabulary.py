"""The vocabularies are defined once (cchc_shared.contracts.vocabulary) and every other name
for them is that definition, with the contract's values in the contract's order."""

from __future__ import annotations

from typing import get_args

from cchc_shared import auth, reference
from cchc_shared.contracts import events, vocabulary


def test_the_values_are_the_contracts() -> None:
    assert vocabulary.PAR_AREAS == (
        "institutional",
        "procedures",
        "organisation",
        "civil_service",
        "public_finance",
        "digital_government",
    )
    assert vocabulary.ROLES == (
        "agency_submitter",
        "secretariat",
        "surveyor",
        "committee_viewer",
        "admin",
        "platform",
    )
    assert vocabulary.PERSON_ROLES == (
        "agency_submitter",
        "secretariat",
        "surveyor",
        "committee_viewer",
        "admin",
    )
    assert vocabulary.MACHINE_ROLES == ("platform",)
    assert vocabulary.KINDS == ("model", "solution", "initiative")
    assert vocabulary.RECOMMENDATIONS == ("replicate", "improve", "not_recommended")
    assert vocabulary.SCOPES == ("city_wide", "district_level", "commune_level", "sector")
    assert vocabulary.AGENCY_LEVELS == ("city_department", "vertical_agency", "district", "commune")
    assert get_args(vocabulary.AgencyLevelName) == vocabulary.AGENCY_LEVELS


def test_other_modules_use_the_one_definition() -> None:
    assert auth.Role is vocabulary.Role
    assert reference.AgencyLevel is vocabulary.AgencyLevel
    assert reference.PAR_AREA_CODES is vocabulary.PAR_AREAS
    assert events.PAR_AREAS is vocabulary.PAR_AREAS and events.KINDS is vocabulary.KINDS
    assert events.ParArea is vocabulary.ParArea
    assert tuple(a.code for a in reference.par_areas()) == vocabulary.PAR_AREAS
