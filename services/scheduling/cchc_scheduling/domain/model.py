"""The scheduling domain: the pool of initiatives to survey, the roster of survey members,
and survey rounds (đợt khảo sát) with their team and visits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from uuid import UUID

from cchc_scheduling.domain.errors import InvalidTransition
from cchc_shared.contracts.events import (
    EventData,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
    TeamMember,
)
from cchc_shared.contracts.events import Visit as VisitData
from cchc_shared.contracts.vocabulary import PAR_AREAS as _PAR_AREAS

PAR_AREAS: tuple[str, ...] = _PAR_AREAS  # the contract's, re-exported for this service


@dataclass(frozen=True)
class SurveyWindow:
    """The period in which a campaign surveys on site (2023: 1 June to 31 October)."""

    campaign_year: int
    starts_on: date
    ends_on: date

    @classmethod
    def default_for(cls, year: int) -> SurveyWindow:
        return cls(year, date(year, 6, 1), date(year, 10, 31))

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Member:
    """A survey-team member from the PAR Steering Committee's working group (or SNV)."""

    member_id: str
    name: str
    honorific: str  # "Ông" / "Bà", as invitations address people
    position: str  # chức vụ, e.g. "Phó Giám đốc Sở Nội vụ"
    agency_code: str
    expertise: frozenset[str]
    may_head: bool = False
    may_be_secretary: bool = False
    unavailable: frozenset[date] = frozenset()
    email: str = ""
    active: bool = True

    def knows(self, par_area: str) -> bool:
        return par_area in self.expertise

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Member:
        """A member from its JSON form (the seeded roster, a row, a request): lists for sets,
        ISO dates; absent flags take their defaults."""
        return cls(
            member_id=data["member_id"],
            name=data["name"],
            honorific=data["honorific"],
            position=data["position"],
            agency_code=data["agency_code"],
            expertise=frozenset(data["expertise"]),
            may_head=bool(data.get("may_head", False)),
            may_be_secretary=bool(data.get("may_be_secretary", False)),
            unavailable=frozenset(date.fromisoformat(d) for d in data.get("unavailable", ())),
            email=data.get("email", ""),
            active=bool(data.get("active", True)),
        )

    def as_json(self) -> dict[str, Any]:
        """What ``from_json`` reads: sorted lists, ISO dates."""
        return {
            "member_id": self.member_id,
            "name": self.name,
            "honorific": self.honorific,
            "position": self.position,
            "agency_code": self.agency_code,
            "expertise": sorted(self.expertise),
            "may_head": self.may_head,
            "may_be_secretary": self.may_be_secretary,
            "unavailable": sorted(d.isoformat() for d in self.unavailable),
            "email": self.email,
            "active": self.active,
        }


class PoolStatus(StrEnum):
    IN_POOL = "in_pool"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class PoolInitiative:
    """What scheduling keeps of an initiative, from intake's events."""

    initiative_id: UUID
    campaign_year: int
    agency_code: str
    kind: str
    title: str
    par_area: str
    status: PoolStatus
    updated_at: datetime  # the time of the event that last changed it (ordering guard)

    @property
    def in_pool(self) -> bool:
        return self.status is PoolStatus.IN_POOL


class TeamRole(StrEnum):
    HEAD = "head"
    MEMBER = "member"
    SECRETARY = "secretary"


@dataclass(frozen=True)
class Seat:
    member_id: str
    role: TeamRole


@dataclass(frozen=True)
class Visit:
    visit_id: UUID
    initiative_id: UUID
    agency_code: str
    date: date
    starts_at: time
    place: str = ""


class RoundStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass
class Round:
    """A survey round: its team and visits. Drafts are free to change; confirming fixes it,
    numbers it and notifies it; a confirmed round changes only by rescheduling or cancelling,
    each announced by its own event."""

    round_id: UUID
    campaign_year: int
    team: list[Seat]
    visits: list[Visit]
    status: RoundStatus = RoundStatus.DRAFT
    sequence: int | None = None
    title: str = ""
    reason: str = ""
    version: int = 1
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    events: list[EventData] = field(default_factory=list, compare=False, repr=False)

    @property
    def starts_on(self) -> date | None:
        return min((v.date for v in self.visits), default=None)

    @property
    def ends_on(self) -> date | None:
        return max((v.date for v in self.visits), default=None)

    @property
    def is_active(self) -> bool:
        return self.status is not RoundStatus.CANCELLED

    def member_ids(self) -> list[str]:
        return [seat.member_id for seat in self.team]

    def snapshot(self) -> dict[str, Any]:
        """The round as plain values, as its audit trail keeps it."""
        return {
            "status": self.status.value,
            "sequence": self.sequence,
            "title": self.title,
            "version": self.version,
            "reason": self.reason,
            "team": [{"member_id": s.member_id, "role": s.role.value} for s in self.team],
            "visits": [
                {
                    "visit_id": str(v.visit_id),
                    "initiative_id": str(v.initiative_id),
                    "agency_code": v.agency_code,
                    "date": v.date.isoformat(),
                    "starts_at": v.starts_at.isoformat(),
                    "place": v.place,
                }
                for v in self.visits
            ],
        }

    def head(self) -> str | None:
        return next((s.member_id for s in self.team if s.role is TeamRole.HEAD), None)

    def replace_plan(self, team: list[Seat], visits: list[Visit]) -> None:
        if self.status is not RoundStatus.DRAFT:
            raise InvalidTransition(self.status.value, "edit")
        self.team, self.visits = list(team), list(visits)
        self.version += 1

    def confirm(self, sequence: int, members: dict[str, Member], now: datetime) -> None:
        if self.status is not RoundStatus.DRAFT:
            raise InvalidTransition(self.status.value, "confirm")
        self.status, self.sequence, self.confirmed_at = RoundStatus.CONFIRMED, sequence, now
        self.version += 1
        self.events.append(RoundScheduledV1(**self._contract_fields(members)))

    def reschedule(
        self, team: list[Seat], visits: list[Visit], reason: str, members: dict[str, Member]
    ) -> None:
        if self.status is not RoundStatus.CONFIRMED:
            raise InvalidTransition(self.status.value, "reschedule")
        self.team, self.visits, self.reason = list(team), list(visits), reason
        self.version += 1
        self.events.append(RoundRescheduledV1(**self._contract_fields(members), reason=reason))

    def cancel(self, reason: str, now: datetime) -> None:
        if self.status is RoundStatus.CANCELLED:
            raise InvalidTransition(self.status.value, "cancel")
        was_confirmed = self.status is RoundStatus.CONFIRMED
        self.status, self.reason, self.cancelled_at = RoundStatus.CANCELLED, reason, now
        self.version += 1
        if was_confirmed and self.sequence is not None:
            self.events.append(
                RoundCancelledV1(
                    round_id=self.round_id,
                    campaign_year=self.campaign_year,
                    sequence=self.sequence,
                    reason=reason,
                    cancelled_at=now,
                    version=self.version,
                )
            )

    def drop_visits_of(
        self, initiative_id: UUID, not_before: datetime, members: dict[str, Member], reason: str
    ) -> list[Visit]:
        """Remove the initiative's visits that have not taken place yet (a withdrawal)."""
        dropped = [
            v
            for v in self.visits
            if v.initiative_id == initiative_id and visit_start(v) >= not_before
        ]
        if not dropped or self.status is RoundStatus.CANCELLED:
            return []
        remaining = [v for v in self.visits if v not in dropped]
        if self.status is RoundStatus.DRAFT:
            self.replace_plan(self.team, remaining)
        else:
            self.reschedule(self.team, remaining, reason, members)
        return dropped

    def _contract_fields(self, members: dict[str, Member]) -> dict[str, object]:
        assert self.sequence is not None
        first, last = self.starts_on, self.ends_on
        if first is None or last is None:
            first = last = (self.confirmed_at or datetime.now(UTC)).date()
        return {
            "round_id": self.round_id,
            "campaign_year": self.campaign_year,
            "sequence": self.sequence,
            "starts_on": first,
            "ends_on": last,
            "version": self.version,
            "team": [
                TeamMember(
                    member_id=seat.member_id,
                    name=members[seat.member_id].name,
                    role=seat.role.value,
                    agency_code=members[seat.member_id].agency_code,
                    email=members[seat.member_id].email or None,
                    honorific=members[seat.member_id].honorific,
                    position=members[seat.member_id].position,
                )
                for seat in self.team
            ],
            "visits": [
                VisitData(
                    visit_id=v.visit_id,
                    initiative_id=v.initiative_id,
                    agency_code=v.agency_code,
                    date=v.date,
                    starts_at=v.starts_at,
                    place=v.place or None,
                )
                for v in sorted(self.visits, key=lambda v: (v.date, v.starts_at))
            ],
        }


# Visits happen in Ho Chi Minh City (UTC+7, no daylight saving).
VIETNAM_OFFSET_HOURS = 7


def visit_start(visit: Visit) -> datetime:
    from datetime import timedelta, timezone

    zone = timezone(timedelta(hours=VIETNAM_OFFSET_HOURS))
    return datetime.combine(visit.date, visit.starts_at, tzinfo=zone)
