"""The platform's vocabularies, defined once: each is a ``Literal`` type (for pydantic models
and FastAPI parameters) with the tuple of its values in the contract's order, or a
``StrEnum`` where code names its members. The values are public (CONTRACT.md): never rename.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal, get_args

Kind = Literal["model", "solution", "initiative"]
KINDS: Final[tuple[str, ...]] = get_args(Kind)

# The six areas of the national public-administration-reform programme, in its order.
ParArea = Literal[
    "institutional",
    "procedures",
    "organisation",
    "civil_service",
    "public_finance",
    "digital_government",
]
PAR_AREAS: Final[tuple[str, ...]] = get_args(ParArea)

# An evaluator's recommendation and the Department's decision share these values.
Recommendation = Literal["replicate", "improve", "not_recommended"]
RECOMMENDATIONS: Final[tuple[str, ...]] = get_args(Recommendation)

Scope = Literal["city_wide", "district_level", "commune_level", "sector"]
SCOPES: Final[tuple[str, ...]] = get_args(Scope)

TeamRole = Literal["head", "member", "secretary"]
TEAM_ROLES: Final[tuple[str, ...]] = get_args(TeamRole)

# Where the People's Committee has a recognised model replicated (the Quyết định's scope).
ReplicationScope = Literal["city_wide", "district_level", "commune_level"]
REPLICATION_SCOPES: Final[tuple[str, ...]] = get_args(ReplicationScope)

# Where a target agency stands with a model it must adopt, as its quarterly report says.
AdoptionStatus = Literal["not_started", "in_progress", "adopted", "not_suitable"]
ADOPTION_STATUSES: Final[tuple[str, ...]] = get_args(AdoptionStatus)

# How a new initiative builds on an earlier campaign's one (the lineage across years): the
# same agency proposing it again, an improvement of it, or another agency adopting a
# recognised model.
BuildsOnRelation = Literal["resubmission", "improvement", "adoption"]
BUILDS_ON_RELATIONS: Final[tuple[str, ...]] = get_args(BuildsOnRelation)
BUILDS_ON_RELATION_NAMES_VI: Final[dict[str, str]] = {
    "resubmission": "Đề xuất lại",
    "improvement": "Cải tiến, hoàn thiện",
    "adoption": "Áp dụng mô hình đã được công nhận",
}

FinalScoreMethod = Literal["mean", "median"]
FINAL_SCORE_METHODS: Final[tuple[str, ...]] = get_args(FinalScoreMethod)


class AgencyLevel(StrEnum):
    """The tier of an agency: city department, vertical agency, district-level unit (Thủ Đức
    City, districts), ward/commune/town."""

    CITY_DEPARTMENT = "city_department"
    VERTICAL_AGENCY = "vertical_agency"
    DISTRICT = "district"
    COMMUNE = "commune"


AgencyLevelName = Literal["city_department", "vertical_agency", "district", "commune"]
AGENCY_LEVELS: Final[tuple[str, ...]] = tuple(level.value for level in AgencyLevel)


class Role(StrEnum):
    """The platform's roles; the values are the names used in tokens and documentation.

    The first five are people's roles (the contract's). ``platform`` is another city
    platform's machine client (client-credentials grant): it reads what is published, never
    acts for a person, and is held alone."""

    AGENCY_SUBMITTER = "agency_submitter"
    SECRETARIAT = "secretariat"
    SURVEYOR = "surveyor"
    COMMITTEE_VIEWER = "committee_viewer"
    ADMIN = "admin"
    PLATFORM = "platform"


ROLES: Final[tuple[str, ...]] = tuple(role.value for role in Role)
PERSON_ROLES: Final[tuple[str, ...]] = ROLES[:5]
MACHINE_ROLES: Final[tuple[str, ...]] = ROLES[5:]

# The Literal spelling exists for FastAPI and pydantic; it must name the enum's values.
if get_args(AgencyLevelName) != AGENCY_LEVELS:  # pragma: no cover - a definition error
    raise RuntimeError("AgencyLevelName and AgencyLevel disagree")
