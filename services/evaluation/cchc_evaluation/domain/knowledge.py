"""What the service knows of other services' records, learnt from their events: the
initiatives intake announced and the survey rounds scheduling planned. Events come in any order
and more than once, so each object keeps the newest state it has seen. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from uuid import UUID


class InitiativeStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


@dataclass
class InitiativeInfo:
    """An initiative as intake announced it. Content may arrive after a withdrawal (events
    are not ordered), so the content fields are optional."""

    id: UUID
    campaign_year: int
    agency_code: str
    status: InitiativeStatus
    kind: str | None = None
    title: str | None = None
    summary: str | None = None
    par_area: str | None = None
    content_as_of: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def has_content(self) -> bool:
        return self.title is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.status is InitiativeStatus.WITHDRAWN

    def apply_content(
        self, *, kind: str, title: str, summary: str, par_area: str, as_of: datetime
    ) -> bool:
        """Take the content if it is newer than what is known; a late, older version is
        ignored. True if anything changed."""
        if self.content_as_of is not None and as_of <= self.content_as_of:
            return False
        self.kind, self.title, self.summary, self.par_area = kind, title, summary, par_area
        self.content_as_of = as_of
        return True

    def withdraw(self, at: datetime) -> None:
        self.status = InitiativeStatus.WITHDRAWN
        self.withdrawn_at = at if self.withdrawn_at is None else min(self.withdrawn_at, at)


class RoundStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TeamMember:
    member_id: str
    name: str
    role: str
    agency_code: str


@dataclass(frozen=True)
class Visit:
    visit_id: UUID
    round_id: UUID
    initiative_id: UUID
    agency_code: str
    date: date
    starts_at: time


# Of two states of a round published at the same instant, a reschedule is the later one.
SCHEDULED_RANK = 0
RESCHEDULED_RANK = 1


@dataclass
class Round:
    id: UUID
    campaign_year: int
    sequence: int
    status: RoundStatus
    starts_on: date | None = None
    ends_on: date | None = None
    team: tuple[TeamMember, ...] = ()
    visits: tuple[Visit, ...] = ()
    as_of: datetime | None = None
    as_of_rank: int = -1
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status is RoundStatus.CANCELLED

    def apply_state(
        self,
        *,
        sequence: int,
        starts_on: date,
        ends_on: date,
        team: Sequence[TeamMember],
        visits: Sequence[Visit],
        as_of: datetime,
        rank: int,
    ) -> bool:
        """Take a published state of the round (scheduled or rescheduled) unless a later
        one is already known. A cancellation is final and is kept whatever arrives later."""
        if self.as_of is not None and (as_of, rank) <= (self.as_of, self.as_of_rank):
            return False
        self.sequence, self.starts_on, self.ends_on = sequence, starts_on, ends_on
        self.team, self.visits = tuple(team), tuple(visits)
        self.as_of, self.as_of_rank = as_of, rank
        return True

    def cancel(self, at: datetime, reason: str) -> None:
        self.status = RoundStatus.CANCELLED
        if self.cancelled_at is None:
            self.cancelled_at, self.cancel_reason = at, reason

    def member(self, member_id: str) -> TeamMember | None:
        return next((m for m in self.team if m.member_id == member_id), None)

    def visit(self, visit_id: UUID) -> Visit | None:
        return next((v for v in self.visits if v.visit_id == visit_id), None)
