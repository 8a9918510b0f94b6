"""Who may do what: the rules on the acting person that the write and the read side share.
Something a person may not see answers as absent (404), so its existence is not revealed."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from cchc_evaluation.domain.commands import Actor
from cchc_evaluation.domain.knowledge import Round
from cchc_shared.contracts.visibility import Visibility, evaluation_visibility
from cchc_shared.contracts.vocabulary import Role
from cchc_shared.errors import Fault, Forbidden, NotFound

STAFF_ROLES = (Role.SECRETARIAT, Role.ADMIN)
READ_ALL_ROLES = (Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER)


def surveyor_id(actor: Actor) -> str:
    """The acting survey member's id; only they record evaluations."""
    if actor.role != Role.SURVEYOR or not actor.member_id:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ thành viên đoàn khảo sát được ghi nhận đánh giá",
                "only survey-team members (role surveyor) record evaluations",
            )
        )
    return actor.member_id


def require_staff(actor: Actor) -> None:
    if actor.role not in STAFF_ROLES:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ Phòng Cải cách hành chính (Sở Nội vụ) được thực hiện thao tác này",
                "only the secretariat (PAR office of the Department of Home Affairs) may do this",
            )
        )


def on_visiting_team(actor: Actor, rounds: Sequence[Round]) -> bool:
    """The actor is a survey member on one of these rounds."""
    return bool(
        actor.role == Role.SURVEYOR
        and actor.member_id
        and any(r.member(actor.member_id) is not None for r in rounds)
    )


def may_see_team_scores(actor: Actor, rounds: Sequence[Round]) -> bool:
    """The staff and the People's Committee see every score; a member, their rounds' ones."""
    return actor.role in READ_ALL_ROLES or on_visiting_team(actor, rounds)


def visibility_of(
    actor: Actor,
    rounds: Sequence[Round],
    initiative_agency: str | None,
    decided: bool,
) -> Visibility:
    """What the actor may see of an initiative's evaluation: the platform's one policy
    (``cchc_shared.contracts.visibility``), given what this service knows of the teams."""
    return evaluation_visibility(
        actor.role,
        initiative_agency=initiative_agency,
        decided=decided,
        agency_code=actor.agency_code,
        on_visiting_team=on_visiting_team(actor, rounds),
    )


def hidden(what: str, ident: UUID) -> NotFound:
    return NotFound(Fault("", f"Không tìm thấy {what} {ident}", f"{what} {ident} not found"))
