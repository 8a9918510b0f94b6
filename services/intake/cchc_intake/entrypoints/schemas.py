"""Request and response bodies of the HTTP API. Field names are the event contract's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from cchc_intake.domain.model import (
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Attachment,
    BuildsOn,
    Campaign,
    Draft,
)
from cchc_shared.chassis.fields import CalendarDate, CampaignYearBody
from cchc_shared.contracts.events import AGENCY_CODE_PATTERN
from cchc_shared.contracts.vocabulary import AgencyLevelName, BuildsOnRelation, Kind, ParArea

ParAreaCode = ParArea
Level = AgencyLevelName
StatusName = Literal["submitted", "withdrawn"]
# A list filter: "draft" lists drafts, which are never initiatives' status.
StatusFilter = Literal["draft", "submitted", "withdrawn"]

# Lengths are checked after NFC normalisation by the domain; these only document them.
_TITLE: dict[str, Any] = {"maxLength": TITLE_MAX}
_TEXT: dict[str, Any] = {"maxLength": TEXT_MAX}


class _Request(BaseModel):
    # Unknown fields are refused: a client cannot set ids, status or timestamps.
    model_config = ConfigDict(extra="forbid")


class BuildsOnIn(_Request):
    """The earlier campaign's initiative this one builds on, and how."""

    initiative_id: UUID = Field(description="the earlier initiative's id (of an earlier year)")
    relation: BuildsOnRelation = Field(
        description="resubmission (the agency's own, again), improvement, or adoption (of "
        "another agency's recognised model)"
    )


class BuildsOnOut(BaseModel):
    initiative_id: UUID
    relation: BuildsOnRelation

    @classmethod
    def of(cls, builds_on: BuildsOn | None) -> BuildsOnOut | None:
        if builds_on is None:
            return None
        return cls(initiative_id=builds_on.initiative_id, relation=builds_on.relation)


class InitiativeIn(_Request):
    agency_code: str | None = Field(
        None,
        pattern=AGENCY_CODE_PATTERN,
        description="Secretariat and admin only, submitting for an agency; an agency's staff "
        "submit for their own agency (from the token).",
    )
    campaign_year: CampaignYearBody | None = Field(
        None, description="Default: the campaign taking submissions today."
    )
    kind: Kind
    title: str = Field(json_schema_extra=_TITLE)
    summary: str = Field(json_schema_extra=_TEXT)
    par_area: ParAreaCode
    applied_since: CalendarDate
    results: str = Field(json_schema_extra=_TEXT)
    limitations: str = Field("", json_schema_extra=_TEXT)
    builds_on: BuildsOnIn | None = Field(
        None, description="The lineage across years: the earlier initiative it builds on."
    )


class InitiativeChanges(_Request):
    """Only the fields sent are changed."""

    kind: Kind | None = None
    title: str | None = Field(None, json_schema_extra=_TITLE)
    summary: str | None = Field(None, json_schema_extra=_TEXT)
    par_area: ParAreaCode | None = None
    applied_since: CalendarDate | None = None
    results: str | None = Field(None, json_schema_extra=_TEXT)
    limitations: str | None = Field(None, json_schema_extra=_TEXT)
    builds_on: BuildsOnIn | None = Field(None, description="null: it builds on none (any more)")


class DraftIn(InitiativeChanges):
    """``POST /initiatives`` with ``"draft": true``: any content field may be missing; the
    ones given are checked for format only."""

    draft: Literal[True]
    agency_code: str | None = Field(None, pattern=AGENCY_CODE_PATTERN)
    campaign_year: CampaignYearBody | None = Field(
        None, description="Default: the campaign taking submissions on the day it is submitted."
    )


class DraftOut(BaseModel):
    initiative_id: UUID = Field(description="The id the initiative keeps once submitted.")
    status: Literal["draft"] = "draft"
    agency_code: str
    agency_name: str
    campaign_year: int | None
    kind: Kind | None = None
    title: str | None = None
    summary: str | None = None
    par_area: ParAreaCode | None = None
    applied_since: date | None = None
    results: str | None = None
    limitations: str | None = None
    builds_on: BuildsOnOut | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime | None
    version: int

    @classmethod
    def of(cls, draft: Draft, agency_name: str) -> DraftOut:
        return cls(
            initiative_id=draft.id,
            agency_code=draft.agency_code,
            agency_name=agency_name,
            campaign_year=draft.campaign_year,
            created_at=draft.created_at,
            created_by=draft.created_by,
            updated_at=draft.updated_at,
            version=draft.version,
            **{k: v for k, v in draft.fields.items() if k != "builds_on"},
            builds_on=BuildsOnOut.of(draft.fields.get("builds_on")),
        )


class DraftPage(BaseModel):
    items: list[DraftOut]
    total: int
    page: int
    page_size: int


class WithdrawalIn(_Request):
    reason: str = Field("", json_schema_extra=dict[str, Any](maxLength=REASON_MAX))


class AttachmentOut(BaseModel):
    attachment_id: UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentOut:
        return cls(
            attachment_id=attachment.id,
            filename=attachment.filename,
            media_type=attachment.media_type,
            size=attachment.size,
            sha256=attachment.sha256,
            uploaded_at=attachment.uploaded_at,
            uploaded_by=attachment.uploaded_by,
        )


class OriginOut(BaseModel):
    source: str
    id: str


class InitiativeListItem(BaseModel):
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    agency_name: str
    agency_level: Level
    district_code: str | None
    kind: Kind
    title: str
    par_area: ParAreaCode
    applied_since: date
    status: StatusName
    submitted_at: datetime
    amended_at: datetime | None
    withdrawn_at: datetime | None


class InitiativeOut(InitiativeListItem):
    summary: str
    results: str
    limitations: str
    builds_on: BuildsOnOut | None = Field(
        None, description="the earlier campaign's initiative it builds on, and how"
    )
    withdrawal_reason: str
    submitted_by: str
    origin: OriginOut | None
    version: int
    attachments: list[AttachmentOut]


class InitiativePage(BaseModel):
    items: list[InitiativeListItem]
    total: int
    page: int
    page_size: int


class AgencyOut(BaseModel):
    code: str
    name: str
    level: Level
    parent_code: str | None = Field(description="The district of a ward or commune.")
    unit_type: str | None


class AgencyDetail(AgencyOut):
    ward_count: int


class ParAreaOut(BaseModel):
    code: ParAreaCode
    name: str


class CampaignWindows(_Request):
    submission_opens_on: CalendarDate
    submission_closes_on: CalendarDate
    survey_starts_on: CalendarDate
    survey_ends_on: CalendarDate


_PLAN_NUMBER = Field(
    None,
    description="Số Kế hoạch khảo sát / the survey plan's number and symbol",
    examples=["1582/KH-SNV"],
    json_schema_extra={"maxLength": 40},
)
_PLAN_SIGNED_ON = Field(
    None,
    description="Ngày ban hành Kế hoạch / the day the plan was signed (on or before the survey "
    "starts; given with plan_number)",
)
_SECRETARY_SCORES_DESCRIPTION = (
    "Thư ký đoàn khảo sát có chấm điểm không / whether the team's secretary scores"
)


class CampaignIn(CampaignWindows):
    year: CampaignYearBody
    title: str | None = Field(None, json_schema_extra=_TITLE)
    plan_number: str | None = _PLAN_NUMBER
    plan_signed_on: CalendarDate | None = _PLAN_SIGNED_ON
    secretary_scores: bool = Field(False, description=_SECRETARY_SCORES_DESCRIPTION)


class CampaignChanges(_Request):
    title: str | None = Field(None, json_schema_extra=_TITLE)
    submission_opens_on: CalendarDate | None = None
    submission_closes_on: CalendarDate | None = None
    survey_starts_on: CalendarDate | None = None
    survey_ends_on: CalendarDate | None = None
    plan_number: str | None = _PLAN_NUMBER
    plan_signed_on: CalendarDate | None = _PLAN_SIGNED_ON
    secretary_scores: bool | None = Field(None, description=_SECRETARY_SCORES_DESCRIPTION)


class CampaignOut(BaseModel):
    year: int
    title: str
    submission_opens_on: date
    submission_closes_on: date
    survey_starts_on: date
    survey_ends_on: date
    plan_number: str | None
    plan_signed_on: date | None
    secretary_scores: bool
    version: int
    accepting_submissions: bool

    @classmethod
    def of(cls, campaign: Campaign, today: date) -> CampaignOut:
        return cls(**vars(campaign), accepting_submissions=campaign.accepts_submissions_on(today))


class FieldErrorOut(BaseModel):
    field: str = Field(description="JSON path into the inbound event; empty for the envelope")
    message: str


class RejectionOut(BaseModel):
    """An inbound message refused at the edge and kept as received, with its replays."""

    rejection_id: UUID = Field(description="the id of the InitiativeRejected that answered it")
    origin_source: str
    origin_id: str
    campaign_year: int | None
    published_by: str | None = Field(
        description="the platform's broker user, as the broker verified it on receipt"
    )
    errors: list[FieldErrorOut] = Field(description="the latest refusal's reasons")
    received_at: datetime
    rejected_at: datetime
    replays: int
    replayed_at: datetime | None
    replayed_by: str | None
    status: Literal["rejected", "accepted"] = Field(
        description="accepted once an initiative was taken in from this message"
    )
    initiative_id: UUID | None
