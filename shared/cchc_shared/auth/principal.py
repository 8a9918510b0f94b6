"""Roles and bindings: the authenticated caller (:class:`Principal`) and its checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cchc_shared.contracts.events import AGENCY_CODE_PATTERN
from cchc_shared.contracts.text import normalise
from cchc_shared.contracts.vocabulary import MACHINE_ROLES, PERSON_ROLES, Role

STAFF_ROLES: Final[frozenset[Role]] = frozenset({Role.SECRETARIAT, Role.ADMIN})
PERSON_ROLE_SET: Final[frozenset[Role]] = frozenset(Role(r) for r in PERSON_ROLES)
"""People's roles: every operation a person may call names these (or some of them), never
``platform``."""
MACHINE_ROLE_SET: Final[frozenset[Role]] = frozenset(Role(r) for r in MACHINE_ROLES)

# Most privileged first: a person holding several roles has the first of them as ``role``.
ROLE_PRECEDENCE: Final[tuple[Role, ...]] = (
    Role.ADMIN,
    Role.SECRETARIAT,
    Role.COMMITTEE_VIEWER,
    Role.SURVEYOR,
    Role.AGENCY_SUBMITTER,
    Role.PLATFORM,
)

_AGENCY_CODE_RE: Final = re.compile(AGENCY_CODE_PATTERN)
# Same rule as ``MemberId`` in cchc_shared.contracts.events.
_MEMBER_ID_RE: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SUBJECT_RE: Final = re.compile(r"^[^\x00-\x20\x7f-\x9f]{1,200}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller. Bindings are checked on construction:
    ``agency_submitter`` has exactly an ``agency_code``, ``surveyor`` exactly a ``member_id``,
    the other roles neither.

    ``roles`` is every role the caller holds (a person signed in through the identity provider
    may hold several: they get the union); ``role`` is the most privileged of them
    (:data:`ROLE_PRECEDENCE`). Left empty, ``roles`` is ``{role}``.

    ``subject`` (the token's ``sub``) is who the caller is; ``display_name`` (its ``name``, else
    ``preferred_username``) is how they were called when they acted, kept beside the subject in
    audit trails; it identifies no one (see :func:`display_name_from`)."""

    subject: str
    role: Role
    agency_code: str | None = None
    member_id: str | None = None
    roles: frozenset[Role] = frozenset()
    display_name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            try:
                object.__setattr__(self, "role", Role(self.role))
            except ValueError:
                raise ValueError(f"unknown role {self.role!r}") from None
        try:
            roles = frozenset(Role(r) for r in self.roles) | {self.role}
        except ValueError:
            raise ValueError(f"unknown role in {sorted(self.roles)!r}") from None
        object.__setattr__(self, "roles", roles)
        if self.role is not next(r for r in ROLE_PRECEDENCE if r in roles):
            raise ValueError("role must be the most privileged of roles")
        _check_machine(roles)
        _check_binding(roles, self.role, self.agency_code, self.member_id)
        if not isinstance(self.subject, str) or not _SUBJECT_RE.fullmatch(self.subject):
            raise ValueError("subject must be 1-200 visible characters without spaces")
        if (
            self.display_name is not None
            and display_name_from({"name": self.display_name}) != self.display_name
        ):
            raise ValueError("display_name must be clean single-line text of 1-200 characters")

    @property
    def is_machine(self) -> bool:
        """Another city platform's client (``platform``), not a person."""
        return not self.roles.isdisjoint(MACHINE_ROLE_SET)

    @property
    def is_staff(self) -> bool:
        """Secretariat (Phòng CCHC, Sở Nội vụ) or admin: may see and manage everything."""
        return not self.roles.isdisjoint(STAFF_ROLES)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_agency_submitter(self) -> bool:
        return Role.AGENCY_SUBMITTER in self.roles

    @property
    def is_surveyor(self) -> bool:
        return Role.SURVEYOR in self.roles

    @property
    def is_committee_viewer(self) -> bool:
        return Role.COMMITTEE_VIEWER in self.roles

    @property
    def can_read_all(self) -> bool:
        """Staff and the People's Committee may read every agency's data."""
        return self.is_staff or Role.COMMITTEE_VIEWER in self.roles

    def has_role(self, *roles: Role | str) -> bool:
        return not self.roles.isdisjoint({Role(r) for r in roles})

    def owns_agency(self, agency_code: str) -> bool:
        """True for an ``agency_submitter`` bound to exactly this agency."""
        return Role.AGENCY_SUBMITTER in self.roles and self.agency_code == agency_code

    def is_member(self, member_id: str) -> bool:
        """True for a ``surveyor`` bound to exactly this member id."""
        return Role.SURVEYOR in self.roles and self.member_id == member_id


DISPLAY_NAME_MAX: Final = 200
_DISPLAY_NAME_CLAIMS: Final = ("name", "preferred_username")
_CONTROL_OR_SPACE_RUN: Final = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]+")


def display_name_from(claims: Mapping[str, Any]) -> str | None:
    """The caller's display name from a token's claims: ``name``, else ``preferred_username``.

    What a provider puts there is a label for people, not an identifier, so it is made safe
    rather than refused: format characters removed, compatibility forms replaced (the kit's
    :func:`~cchc_shared.contracts.text.normalise`, NFC), control characters and runs of space
    made one space, cut at :data:`DISPLAY_NAME_MAX` characters. ``None`` if neither claim is a
    non-blank string."""
    for claim in _DISPLAY_NAME_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str):
            cleaned = _CONTROL_OR_SPACE_RUN.sub(" ", normalise(value)).strip()
            if cleaned:
                return cleaned[:DISPLAY_NAME_MAX].rstrip()
    return None


def _check_machine(roles: frozenset[Role]) -> None:
    # A machine client never acts as a person: one identity would otherwise sign as both,
    # and what a person did could not be told from what a platform read.
    if not roles.isdisjoint(MACHINE_ROLE_SET) and not roles.isdisjoint(PERSON_ROLE_SET):
        people = ", ".join(sorted(r.value for r in roles & PERSON_ROLE_SET))
        raise ValueError(
            f"role platform is held alone, not with a person's role ({people}) "
            f"(vai trò platform không đi cùng vai trò của người dùng: {people})"
        )


def _check_binding(
    roles: frozenset[Role], role: Role, agency_code: str | None, member_id: str | None
) -> None:
    if Role.AGENCY_SUBMITTER in roles:
        if not agency_code:
            raise ValueError(
                "role agency_submitter needs an agency code "
                "(vai trò agency_submitter cần mã cơ quan)"
            )
        if not _AGENCY_CODE_RE.fullmatch(agency_code):
            raise ValueError(
                f"invalid agency code {agency_code!r}: expected a short code such as SNV, "
                "a 3-digit district or a 5-digit ward statistics code "
                "(mã cơ quan không hợp lệ)"
            )
    elif agency_code is not None:
        raise ValueError(
            f"role {role.value} is not bound to an agency "
            f"(vai trò {role.value} không gắn với cơ quan)"
        )
    if Role.SURVEYOR in roles:
        if not member_id:
            raise ValueError("role surveyor needs a member id (vai trò surveyor cần mã thành viên)")
        if not _MEMBER_ID_RE.fullmatch(member_id):
            raise ValueError(
                f"invalid member id {member_id!r}: 1-64 characters of A-Z a-z 0-9 . _ - "
                "(mã thành viên không hợp lệ)"
            )
    elif member_id is not None:
        raise ValueError(
            f"role {role.value} is not bound to a member "
            f"(vai trò {role.value} không gắn với thành viên tổ khảo sát)"
        )
