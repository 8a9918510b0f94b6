"""The HTTP request and response models. Field names are those of the event data."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from cchc_replication.domain.model import (
    AdoptionReport,
    Decision,
    EvidenceFile,
    Indicators,
    RecognisedModel,
    ReportContent,
    TargetSelection,
    evidence_path,
)
from cchc_replication.service_layer.handlers import ModelChoice, RecordDecision
from cchc_replication.service_layer.queries import Assignment, CandidateState
from cchc_shared.chassis.fields import CalendarDate, CampaignYearBody, Integer, Number
from cchc_shared.contracts.events import AgencyCode
from cchc_shared.contracts.text import OptionalLongText, ShortText
from cchc_shared.contracts.vocabulary import AdoptionStatus, ReplicationScope
from cchc_shared.reference import get_agency


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetsIn(_In):
    """Who must adopt the model; any combination, resolved from the reference data."""

    all_districts: bool = Field(False, description="Thủ Đức City and every district")
    wards_of: list[AgencyCode] = Field(
        default_factory=list,
        max_length=22,
        description="Every ward, commune and town of these districts",
    )
    agency_codes: list[AgencyCode] = Field(
        default_factory=list, max_length=400, description="Named agencies"
    )


class ModelChoiceIn(_In):
    initiative_id: UUID
    scope: ReplicationScope
    targets: TargetsIn
    deadline: CalendarDate


class DecisionIn(_In):
    decision_number: ShortText = Field(examples=["1234/QĐ-UBND"])
    signed_on: CalendarDate
    signer_name: ShortText
    signer_title: ShortText = Field(examples=["KT. CHỦ TỊCH — PHÓ CHỦ TỊCH"])
    campaign_year: CampaignYearBody
    models: list[ModelChoiceIn] = Field(min_length=1, max_length=200)

    def command(self) -> RecordDecision:
        return RecordDecision(
            decision_number=self.decision_number,
            signed_on=self.signed_on,
            signer_name=self.signer_name,
            signer_title=self.signer_title,
            campaign_year=self.campaign_year,
            models=tuple(
                ModelChoice(
                    m.initiative_id,
                    m.scope,
                    TargetSelection(
                        m.targets.all_districts,
                        tuple(m.targets.wards_of),
                        tuple(m.targets.agency_codes),
                    ),
                    m.deadline,
                )
                for m in self.models
            ),
        )


class TargetOut(BaseModel):
    agency_code: str
    name: str

    @classmethod
    def of(cls, code: str) -> TargetOut:
        agency = get_agency(code)
        return cls(agency_code=code, name=agency.name if agency else code)


class ModelOut(BaseModel):
    initiative_id: UUID
    decision_id: UUID
    campaign_year: int
    agency_code: str
    agency_name: str
    title: str
    kind: str
    par_area: str
    scope: str
    deadline: date
    targets: list[TargetOut]

    @classmethod
    def of(cls, m: RecognisedModel) -> ModelOut:
        origin = get_agency(m.agency_code)
        return cls(
            initiative_id=m.initiative_id,
            decision_id=m.decision_id,
            campaign_year=m.campaign_year,
            agency_code=m.agency_code,
            agency_name=origin.name if origin else m.agency_code,
            title=m.title,
            kind=m.kind,
            par_area=m.par_area,
            scope=m.scope,
            deadline=m.deadline,
            targets=[TargetOut.of(c) for c in m.targets],
        )


class DecisionOut(BaseModel):
    decision_id: UUID
    decision_number: str
    signed_on: date
    signer_name: str
    signer_title: str
    campaign_year: int
    models: list[ModelOut]
    recorded_at: datetime

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(
            decision_id=d.decision_id,
            decision_number=d.decision_number,
            signed_on=d.signed_on,
            signer_name=d.signer_name,
            signer_title=d.signer_title,
            campaign_year=d.campaign_year,
            models=[ModelOut.of(m) for m in d.models],
            recorded_at=d.recorded_at,
        )


class CandidateOut(BaseModel):
    initiative_id: UUID
    campaign_year: int
    agency_code: str
    title: str
    kind: str
    par_area: str
    scope: str
    final_score: float
    recommended_at: datetime
    recognised_by: UUID | None = Field(description="The decision that recognised it, if any")

    @classmethod
    def of(cls, s: CandidateState) -> CandidateOut:
        return cls(**vars(s.candidate), recognised_by=s.decision_id)


class IndicatorsIn(_In):
    """What the model changed, measured over a period; each indicator optional."""

    measured_from: CalendarDate | None = None
    measured_to: CalendarDate | None = None
    processing_days_before: Number | None = Field(None, description="Days to process, before")
    processing_days_after: Number | None = Field(None, description="Days to process, after")
    # The bounds (0-100) are the domain's, so a refusal names the rule in Vietnamese.
    satisfaction_percent: Number | None = Field(None, description="Satisfaction, 0-100 %")
    cases_handled: Integer | None = Field(None, description="Cases handled with the model")

    def value(self) -> Indicators:
        return Indicators(**self.model_dump())


class ReportIn(_In):
    initiative_id: UUID
    agency_code: AgencyCode
    quarter: str = Field(pattern=r"^\d{4}-Q\d$", examples=["2024-Q1"])
    status: AdoptionStatus
    reason: OptionalLongText = Field("", description="Why the model does not suit (required)")
    started_on: CalendarDate | None = None
    adaptation: OptionalLongText = Field("", description="How the agency adapted the model")
    indicators: IndicatorsIn = Field(default_factory=IndicatorsIn)
    received_on: CalendarDate | None = Field(
        None,
        description="The day a report sent on paper reached the Department (the PAR office "
        "entering it); decides whether the quarter was reported late",
    )
    evidence_ids: list[UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Evidence files to attach, uploaded before by the agency for this model "
        "(POST /models/{initiative_id}/agencies/{agency_code}/evidence)",
    )

    def content(self) -> ReportContent:
        return ReportContent(
            status=self.status,
            reason=self.reason,
            started_on=self.started_on,
            adaptation=self.adaptation,
            indicators=self.indicators.value(),
        )


class IndicatorsOut(BaseModel):
    measured_from: date | None
    measured_to: date | None
    processing_days_before: float | None
    processing_days_after: float | None
    satisfaction_percent: float | None
    cases_handled: int | None


class EvidenceOut(BaseModel):
    evidence_id: UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    download_path: str

    @classmethod
    def of(cls, file: EvidenceFile) -> EvidenceOut:
        return cls(
            evidence_id=file.evidence_id,
            filename=file.filename,
            media_type=file.media_type,
            size=file.size,
            sha256=file.sha256,
            download_path=file.download_path,
        )


class ReportOut(BaseModel):
    report_id: UUID
    decision_id: UUID
    initiative_id: UUID
    agency_code: str
    quarter: str
    revision: int
    status: str
    reason: str
    started_on: date | None
    adaptation: str
    indicators: IndicatorsOut
    evidence: list[EvidenceOut] = Field(description="The evidence files this revision attaches")
    late: bool
    reported_at: datetime

    @classmethod
    def of(cls, r: AdoptionReport) -> ReportOut:
        c = r.content
        return cls(
            report_id=r.report_id,
            decision_id=r.decision_id,
            initiative_id=r.initiative_id,
            agency_code=r.agency_code,
            quarter=str(r.quarter),
            revision=r.revision,
            status=c.status,
            reason=c.reason,
            started_on=c.started_on,
            adaptation=c.adaptation,
            indicators=IndicatorsOut(**vars(c.indicators)),
            evidence=[
                EvidenceOut(
                    **e.as_dict(),
                    download_path=evidence_path(r.initiative_id, r.agency_code, e.evidence_id),
                )
                for e in c.evidence
            ],
            late=r.late,
            reported_at=r.reported_at,
        )


class AssignmentOut(BaseModel):
    model: ModelOut
    decision_number: str
    status: str = Field(description="As the latest quarter's report says (not_started if none)")
    last_quarter: str | None
    reports: list[ReportOut] = Field(description="The latest revision of each quarter reported")

    @classmethod
    def of(cls, a: Assignment) -> AssignmentOut:
        current = a.current
        return cls(
            model=ModelOut.of(a.model),
            decision_number=a.decision_number,
            status=current.content.status if current else "not_started",
            last_quarter=str(current.quarter) if current else None,
            reports=[ReportOut.of(r) for r in a.reports],
        )
