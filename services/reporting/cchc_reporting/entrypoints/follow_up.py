"""HTTP API of the follow-up of replication (``/api/v1/follow-up``), built from the
replication service's events: per recognised model (targets against adopters, timeline, the
districts' picture), per agency, overdue, the XLSX export and the yearly report.

Who reads what: the recognised models and how far they spread are public, read without
signing in (``/follow-up/models...``); an agency reads its own assignments; the PAR office,
admin and the City People's Committee read everything."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from cchc_reporting.adapters import exports
from cchc_reporting.adapters.district_map import district_map_svg
from cchc_reporting.adapters.follow_up_export import follow_up_sheet
from cchc_reporting.domain.follow_up import (
    STANDING_VI,
    Assignment,
    ModelFollowUp,
    OverdueItem,
    TargetState,
    agency_name,
)
from cchc_reporting.entrypoints.http import DocumentIssue
from cchc_reporting.service_layer import follow_up as queries
from cchc_reporting.service_layer.services import Services
from cchc_shared.auth import Principal, Role, require_roles
from cchc_shared.auth.principal import PERSON_ROLE_SET
from cchc_shared.chassis.fields import CalendarDate
from cchc_shared.chassis.http import CampaignYearFilter, CampaignYearPath
from cchc_shared.contracts.events import AGENCY_CODE_PATTERN

router = APIRouter(prefix="/follow-up", tags=["follow-up"])

Reader = Annotated[
    Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER))
]
Person = Annotated[Principal, Depends(require_roles(*PERSON_ROLE_SET))]
AsOf = Annotated[CalendarDate | None, Query(description="figures as of this day (default: today)")]
AgencyPath = Annotated[str, Path(pattern=AGENCY_CODE_PATTERN)]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


App = Annotated[Services, Depends(_services)]


class TargetOut(BaseModel):
    agency_code: str
    agency_name: str
    standing: str = Field(description="adopted, in_progress, not_started, not_suitable, no_report")
    standing_vi: str
    last_quarter: str | None
    revision: int | None
    late_reports: int
    satisfaction_percent: float | None
    cases_handled: int | None
    reason: str

    @classmethod
    def of(cls, t: TargetState) -> TargetOut:
        report = t.report
        return cls(
            agency_code=t.agency_code,
            agency_name=agency_name(t.agency_code),
            standing=t.standing,
            standing_vi=STANDING_VI[t.standing],
            last_quarter=t.last_quarter,
            revision=report.revision if report else None,
            late_reports=t.late_reports,
            satisfaction_percent=report.satisfaction_percent if report else None,
            cases_handled=report.cases_handled if report else None,
            reason=report.reason if report else "",
        )


class QuarterOut(BaseModel):
    quarter: str
    counts: dict[str, int]
    reports: int
    late: int


class DistrictOut(BaseModel):
    district_code: str
    name: str
    targets: int
    adopted: int
    percent: float | None


class ResultsOut(BaseModel):
    processing_days_before: float | None
    processing_days_after: float | None
    satisfaction_percent: float | None
    cases_handled: int


class ModelSummaryOut(BaseModel):
    initiative_id: UUID
    title: str
    agency_code: str
    agency_name: str
    par_area: str
    campaign_year: int
    decision_number: str
    signed_on: date
    scope: str
    deadline: date
    targets: int
    adopted: int
    adoption_percent: float
    counts: dict[str, int]
    results: ResultsOut

    @classmethod
    def of(cls, f: ModelFollowUp) -> ModelSummaryOut:
        m = f.model
        return cls(
            initiative_id=m.initiative_id,
            title=m.title,
            agency_code=m.agency_code,
            agency_name=agency_name(m.agency_code),
            par_area=m.par_area,
            campaign_year=m.campaign_year,
            decision_number=m.decision_number,
            signed_on=m.signed_on,
            scope=m.scope,
            deadline=m.deadline,
            targets=len(f.targets),
            adopted=f.adopted,
            adoption_percent=f.adoption_percent,
            counts={s: f.count(s) for s in STANDING_VI},
            results=ResultsOut(**vars(f.results)),
        )


class ModelOut(ModelSummaryOut):
    target_agencies: list[TargetOut]
    timeline: list[QuarterOut]
    districts: list[DistrictOut]

    @classmethod
    def detail(cls, f: ModelFollowUp) -> ModelOut:
        return cls(
            **ModelSummaryOut.of(f).model_dump(),
            target_agencies=[TargetOut.of(t) for t in f.targets],
            timeline=[QuarterOut(**vars(p)) for p in f.timeline],
            districts=[DistrictOut(**vars(d), percent=d.percent) for d in f.districts],
        )


class AssignmentOut(BaseModel):
    initiative_id: UUID
    title: str
    decision_number: str
    deadline: date
    overdue: bool
    target: TargetOut

    @classmethod
    def of(cls, a: Assignment) -> AssignmentOut:
        return cls(
            initiative_id=a.model.initiative_id,
            title=a.model.title,
            decision_number=a.model.decision_number,
            deadline=a.model.deadline,
            overdue=a.overdue,
            target=TargetOut.of(a.state),
        )


class OverdueOut(BaseModel):
    initiative_id: UUID
    title: str
    agency_code: str
    agency_name: str
    deadline: date
    standing: str
    reason: Literal["past_deadline", "missing_report"]
    quarter: str | None
    days: int

    @classmethod
    def of(cls, o: OverdueItem) -> OverdueOut:
        return cls(**vars(o))


@router.get("/models", response_model=list[ModelSummaryOut])
async def list_models(
    services: App, as_of: AsOf = None, campaign_year: CampaignYearFilter = None
) -> list[ModelSummaryOut]:
    """Public: the recognised models and how far each has spread (no sign-in)."""
    found = await queries.models(services, as_of, campaign_year)
    return [ModelSummaryOut.of(f) for f in found]


@router.get("/models/{initiative_id}", response_model=ModelOut)
async def get_model(initiative_id: UUID, services: App, as_of: AsOf = None) -> ModelOut:
    """Public: one model's targets and where each stands, its timeline by quarter and its
    reach in each of the 22 districts."""
    return ModelOut.detail(await queries.model(services, initiative_id, as_of))


@router.get(
    "/models/{initiative_id}/map.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def model_map(initiative_id: UUID, services: App, as_of: AsOf = None) -> Response:
    """Public: the 22 districts as tiles, coloured by the share of targets that adopted."""
    found = await queries.model(services, initiative_id, as_of)
    svg = district_map_svg(found.model.title, found.districts)
    return Response(svg, media_type="image/svg+xml")


@router.get("/agencies/{agency_code}", response_model=list[AssignmentOut])
async def agency_follow_up(
    agency_code: AgencyPath, principal: Person, services: App, as_of: AsOf = None
) -> list[AssignmentOut]:
    """What an agency must adopt and where it stands (its own; the PAR office any)."""
    found = await queries.agency(services, principal, agency_code, as_of)
    return [AssignmentOut.of(a) for a in found]


@router.get("/overdue", response_model=list[OverdueOut])
async def overdue(_: Reader, services: App, as_of: AsOf = None) -> list[OverdueOut]:
    """For the PAR office: targets past a deadline without adopting (or showing the model
    does not suit them), and targets that did not report on the last quarter due."""
    return [OverdueOut.of(o) for o in await queries.overdue_items(services, as_of)]


@router.get(
    "/export.xlsx",
    response_class=Response,
    responses={200: {"content": {exports.XLSX_TYPE: {}}}},
)
async def export(
    _: Reader, services: App, as_of: AsOf = None, campaign_year: CampaignYearFilter = None
) -> Response:
    """Every model and target agency, where it stands and what it reported."""
    found = await queries.models(services, as_of, campaign_year)
    return Response(
        exports.to_xlsx(follow_up_sheet(found)),
        media_type=exports.XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="theo-doi-nhan-rong.xlsx"'},
    )


@router.get(
    "/reports/{year}.{fmt}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
async def yearly_report(
    year: CampaignYearPath,
    fmt: Literal["docx", "pdf"],
    _: Reader,
    services: App,
    issue: DocumentIssue,
) -> Response:
    """Báo cáo kết quả triển khai nhân rộng of a year (Nghị định 30/2020/NĐ-CP layout),
    figures as of the year's last day (today while it runs)."""
    as_of = queries.year_end(year)
    found = await queries.models(services, as_of)
    late = await queries.overdue_items(services, as_of)
    content = await services.documents.follow_up_document(year, found, late, as_of, fmt, issue)
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="nhan-rong-{year}.{fmt}"'},
    )


@router.get(
    "/decisions/{decision_id}/record.{fmt}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
async def decision_record(
    decision_id: UUID,
    fmt: Literal["docx", "pdf"],
    _: Reader,
    services: App,
    issue: DocumentIssue,
) -> Response:
    """The Quyết định as recorded: each recognised model, its scope, the agencies that must
    adopt it and the deadline (Phụ lục, Nghị định 30/2020/NĐ-CP layout)."""
    models = await queries.decision_models(services, decision_id)
    content = await services.documents.decision_record_document(models, fmt, issue)
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="quyet-dinh-{decision_id}.{fmt}"'},
    )
