"""Request and response bodies of the HTTP API (field names as in the event contract)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cchc_scheduling.domain.model import Member, PoolInitiative, Round, Visit
from cchc_scheduling.domain.rules import Violation
from cchc_shared.chassis.fields import CalendarDate, CampaignYearBody, Integer, Number
from cchc_shared.contracts.events import AgencyCode, EmailAddress, MemberId, ParArea
from cchc_shared.contracts.text import OptionalLongText, ShortText
from cchc_shared.reference import get_agency


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _known_agency(code: str) -> str:
    if get_agency(code) is None:
        raise ValueError(f"unknown agency code {code} (mã cơ quan không có trong danh mục)")
    return code


class MemberFields(_In):
    name: ShortText
    honorific: Literal["Ông", "Bà"]
    position: ShortText
    agency_code: AgencyCode
    expertise: list[ParArea] = Field(min_length=1, max_length=6)
    may_head: bool = False
    may_be_secretary: bool = False
    unavailable: list[CalendarDate] = Field(default_factory=list, max_length=400)
    email: EmailAddress | Literal[""] = ""  # the address invitations are sent to
    active: bool = True

    _agency = field_validator("agency_code")(_known_agency)

    def to_member(self, member_id: str) -> Member:
        return Member.from_json({**self.model_dump(mode="json"), "member_id": member_id})


class MemberIn(MemberFields):
    member_id: MemberId


class UnavailableIn(_In):
    unavailable: list[CalendarDate] = Field(max_length=400)


class MemberOut(BaseModel):
    member_id: str
    name: str
    honorific: str
    position: str
    agency_code: str
    expertise: list[str]
    may_head: bool
    may_be_secretary: bool
    unavailable: list[date]
    email: str
    active: bool

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls.model_validate(member.as_json())


class PoolOut(BaseModel):
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    kind: str
    title: str
    par_area: str
    status: str
    updated_at: datetime

    @classmethod
    def of(cls, initiative: PoolInitiative) -> PoolOut:
        return cls(**{**initiative.__dict__, "status": initiative.status.value})


class SeatIn(_In):
    member_id: MemberId
    role: Literal["head", "member", "secretary"]


class VisitIn(_In):
    visit_id: UUID | None = None
    initiative_id: UUID
    agency_code: AgencyCode | None = None  # taken from the pool when absent
    date: CalendarDate
    starts_at: time
    place: str = Field("", max_length=300)


class RoundIn(_In):
    campaign_year: CampaignYearBody
    title: str = Field("", max_length=300)
    team: list[SeatIn] = Field(max_length=30)
    visits: list[VisitIn] = Field(max_length=200)


class RoundUpdate(_In):
    title: str | None = Field(None, max_length=300)
    team: list[SeatIn] = Field(max_length=30)
    visits: list[VisitIn] = Field(max_length=200)
    reason: OptionalLongText = ""


class CancelIn(_In):
    reason: OptionalLongText = ""


class ViolationOut(BaseModel):
    rule: str
    field: str
    message: str
    message_en: str

    @classmethod
    def of(cls, violation: Violation, prefix: str = "") -> ViolationOut:
        return cls(
            rule=violation.rule.value,
            field=f"{prefix}{violation.field}",
            message=violation.message_vi,
            message_en=violation.message_en,
        )


class SeatOut(BaseModel):
    member_id: str
    name: str
    role: str
    agency_code: str


class VisitOut(BaseModel):
    visit_id: UUID
    round_id: UUID
    initiative_id: UUID
    agency_code: str
    date: CalendarDate
    starts_at: time
    place: str

    @classmethod
    def of(cls, round_id: UUID, visit: Visit) -> VisitOut:
        return cls(
            visit_id=visit.visit_id,
            round_id=round_id,
            initiative_id=visit.initiative_id,
            agency_code=visit.agency_code,
            date=visit.date,
            starts_at=visit.starts_at,
            place=visit.place,
        )


class RoundOut(BaseModel):
    round_id: UUID
    campaign_year: int
    sequence: int | None
    status: str
    title: str
    starts_on: date | None
    ends_on: date | None
    version: int
    reason: str
    team: list[SeatOut]
    visits: list[VisitOut]
    violations: list[ViolationOut] | None = None

    @classmethod
    def of(
        cls,
        round_: Round,
        members: dict[str, Member],
        violations: list[Violation] | None = None,
    ) -> RoundOut:
        return cls(
            round_id=round_.round_id,
            campaign_year=round_.campaign_year,
            sequence=round_.sequence,
            status=round_.status.value,
            title=round_.title,
            starts_on=round_.starts_on,
            ends_on=round_.ends_on,
            version=round_.version,
            reason=round_.reason,
            team=[
                SeatOut(
                    member_id=s.member_id,
                    name=members[s.member_id].name if s.member_id in members else s.member_id,
                    role=s.role.value,
                    agency_code=members[s.member_id].agency_code if s.member_id in members else "",
                )
                for s in round_.team
            ],
            visits=[
                VisitOut.of(round_.round_id, v)
                for v in sorted(round_.visits, key=lambda v: (v.date, v.starts_at))
            ],
            violations=None if violations is None else [ViolationOut.of(v) for v in violations],
        )


class CheckOut(BaseModel):
    ok: bool
    violations: list[ViolationOut]


class PlanChangesIn(_In):
    """What changed since the rounds under repair were planned, besides the roster and the
    pool (which the service knows): days on which nobody surveys, and the reason told."""

    cancelled_days: list[CalendarDate] = Field(default_factory=list, max_length=200)
    reason: OptionalLongText = ""


class PlanIn(_In):
    campaign_year: CampaignYearBody
    initiative_ids: list[UUID] | None = Field(None, max_length=5000)
    first_day: CalendarDate | None = None
    last_day: CalendarDate | None = None
    seed: Integer = Field(0, ge=0, le=2**31 - 1)
    time_limit_seconds: Number | None = Field(None, gt=0, le=600)
    # A repair of these rounds (moving as little as it can) instead of a plan of the pool;
    # ``initiative_ids`` then names the late initiatives to add.
    repair_of: list[UUID] | None = Field(None, min_length=1, max_length=500)
    changes: PlanChangesIn | None = None


class NoticeOut(BaseModel):
    kind: str
    recipient: str
    docx: str
    pdf: str
    ics: str | None = None
