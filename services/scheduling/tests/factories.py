"""Test data builders (Vietnamese names, real agency codes)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from cchc_scheduling.domain.model import (
    Member,
    PoolInitiative,
    PoolStatus,
    Round,
    Seat,
    TeamRole,
    Visit,
)


def member(
    member_id: str,
    agency: str = "STP",
    expertise: tuple[str, ...] = ("procedures",),
    *,
    head: bool = False,
    secretary: bool = False,
    unavailable: tuple[date, ...] = (),
    name: str | None = None,
) -> Member:
    return Member(
        member_id=member_id,
        name=name or f"Nguyễn Văn {member_id}",
        honorific="Ông",
        position="Thành viên Tổ công tác",
        agency_code=agency,
        expertise=frozenset(expertise),
        may_head=head,
        may_be_secretary=secretary,
        unavailable=frozenset(unavailable),
    )


def initiative(
    agency: str = "760", area: str = "procedures", title: str = "Một cửa điện tử"
) -> PoolInitiative:
    return PoolInitiative(
        initiative_id=uuid.uuid4(),
        campaign_year=2023,
        agency_code=agency,
        kind="initiative",
        title=title,
        par_area=area,
        status=PoolStatus.IN_POOL,
        updated_at=datetime(2023, 5, 1, tzinfo=UTC),
    )


def visit(item: PoolInitiative, day: date, at: time = time(8, 0)) -> Visit:
    return Visit(uuid.uuid4(), item.initiative_id, item.agency_code, day, at, "Trụ sở")


def round_of(team: list[tuple[str, str]], visits: list[Visit]) -> Round:
    return Round(uuid.uuid4(), 2023, [Seat(m, TeamRole(role)) for m, role in team], visits)
