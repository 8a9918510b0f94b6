"""HTTP API of the reporting service (``/api/v1``): dashboard, rounds, agency scorecards,
ranking, recommended list, PAR-Index table, CSV/XLSX exports, documents, rebuild.

Who reads what: the Department's PAR office (``secretariat``), ``admin`` and the City People's
Committee (``committee_viewer``) read everything; an ``agency_submitter`` reads its own
agency's scorecard and initiatives, of their evaluations only what the platform's visibility
policy lets it (docs/visibility.md); survey members see their scores in the evaluation service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.types import DecoratedCallable

from cchc_reporting.adapters import exports
from cchc_reporting.domain.documents import Issue
from cchc_reporting.domain.filters import InitiativeFilter
from cchc_reporting.entrypoints import schemas
from cchc_reporting.service_layer import handlers, queries
from cchc_reporting.service_layer.services import Services
from cchc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from cchc_shared.auth.principal import PERSON_ROLE_SET
from cchc_shared.chassis.fields import CalendarDate
from cchc_shared.chassis.http import CampaignYearPath
from cchc_shared.contracts.vocabulary import AgencyLevelName, Kind, ParArea, Scope

T = TypeVar("T")
OutT = TypeVar("OutT")

READERS = (Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
# What is published anyway (the recommendations, the PAR-Index contributions): the readers and
# other city platforms' clients.
Published = Annotated[Principal, Depends(require_roles(*READERS, Role.PLATFORM))]
# Every role but ``platform``: what only a person does or sees (their visits, notices,
# evaluations); another platform's client is refused at the door.
Person = Annotated[Principal, Depends(require_roles(*PERSON_ROLE_SET))]


def _services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


App = Annotated[Services, Depends(_services)]

Year = CampaignYearPath
PageNumber = Annotated[int, Query(ge=1, description="page, from 1")]
PageSize = Annotated[int, Query(ge=1, le=500, description="items per page (at most 500)")]
StatusFilter = Literal["submitted", "scheduled", "visited", "evaluated", "recommended", "withdrawn"]
LevelFilter = Literal[AgencyLevelName, "unknown"]
ParAreaFilter = ParArea
KindFilter = Kind
ScopeFilter = Scope
AgencyCode = Annotated[str | None, Query(pattern=r"^(?:[A-Z][A-Z0-9]{1,15}|\d{3}|\d{5})$")]
DistrictCode = Annotated[
    str | None, Query(pattern=r"^\d{3}$", description="a district: it and its wards")
]


def _attachment(content: bytes, media: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@dataclass(frozen=True)
class Paging:
    """The page a list endpoint is asked for."""

    page: int
    page_size: int

    def of(self, items: Sequence[T], out: Callable[[T], OutT]) -> schemas.Page[OutT]:
        """That page of ``items`` (the matching ones, over all pages), each encoded by ``out``."""
        start = (self.page - 1) * self.page_size
        return schemas.Page(
            items=[out(x) for x in items[start : start + self.page_size]],
            total=len(items),
            page=self.page,
            page_size=self.page_size,
        )


def _paging(page: PageNumber = 1, page_size: PageSize = 50) -> Paging:
    return Paging(page, page_size)


Pages = Annotated[Paging, Depends(_paging)]


def _filters(
    status: StatusFilter | None = None,
    agency_code: AgencyCode = None,
    district_code: DistrictCode = None,
    level: LevelFilter | None = None,
    par_area: ParAreaFilter | None = None,
    kind: KindFilter | None = None,
    scope: ScopeFilter | None = None,
    q: Annotated[str | None, Query(max_length=200, description="text, diacritics ignored")] = None,
) -> InitiativeFilter:
    return InitiativeFilter(
        status=status,
        agency_code=agency_code,
        district_code=district_code,
        level=level,
        par_area=par_area,
        kind=kind,
        scope=scope,
        q=q,
    )


Filters = Annotated[InitiativeFilter, Depends(_filters)]


router = APIRouter(tags=["reporting"])


@router.get("/campaigns", response_model=list[schemas.CampaignOut])
async def campaigns(services: App, _: CurrentPrincipal) -> list[schemas.CampaignOut]:
    received = await services.views.initiative_counts()
    return [
        schemas.CampaignOut(campaign_year=y, initiatives_received=received.get(y, 0))
        for y in await services.views.years()
    ]


@router.get("/campaigns/{year}/dashboard", response_model=schemas.DashboardOut)
async def dashboard(year: Year, services: App, _: Reader) -> schemas.DashboardOut:
    return schemas.DashboardOut.of((await queries.campaign(services, year)).dashboard)


@router.get("/campaigns/{year}/initiatives", response_model=schemas.Page[schemas.InitiativeOut])
async def initiatives(
    year: Year,
    services: App,
    principal: Person,
    pages: Pages,
    filters: Filters,
) -> schemas.Page[schemas.InitiativeOut]:
    filters = queries.readable_filters(principal, filters)
    view = await queries.campaign(services, year)
    return pages.of(
        [x for x in view.initiatives if filters.matches(x)],
        lambda x: schemas.InitiativeOut.of(x, queries.seen_by(principal, x)),
    )


@router.get(
    "/campaigns/{year}/initiatives/{initiative_id}", response_model=schemas.InitiativeDetailOut
)
async def initiative(
    year: Year, initiative_id: UUID, services: App, principal: Person
) -> schemas.InitiativeDetailOut:
    """An initiative and its evaluations, as much as the reader may see: the agency whose
    initiative it is sees its status and, once decided, the outcome with the team's pooled
    findings, without evaluators (docs/visibility.md)."""
    life = await queries.initiative(services, year, initiative_id, principal)
    return schemas.InitiativeDetailOut.detail(life, queries.seen_by(principal, life))


@router.get("/initiatives/{initiative_id}/lineage", response_model=schemas.LineageOut)
async def lineage(initiative_id: UUID, services: App, principal: Person) -> schemas.LineageOut:
    """The initiative's history across years: the earlier initiatives it builds on, with each
    year's outcome, and the later ones building on it. Readable by whoever may read the
    initiative; of the others, what that reader may see of each (a recognition is public)."""
    return schemas.LineageOut.of(await queries.lineage(services, initiative_id, principal))


@router.get("/campaigns/{year}/rounds", response_model=list[schemas.RoundOut])
async def rounds(year: Year, services: App, _: Reader) -> list[schemas.RoundOut]:
    return [schemas.RoundOut.of(r) for r in (await queries.campaign(services, year)).rounds]


@router.get("/campaigns/{year}/rounds/{round_id}", response_model=schemas.RoundDetailOut)
async def round_result(
    year: Year, round_id: UUID, services: App, _: Reader
) -> schemas.RoundDetailOut:
    view = await queries.campaign(services, year)
    return schemas.RoundDetailOut.detail(queries.round_of(view, round_id))


@router.get("/campaigns/{year}/agencies", response_model=schemas.Page[schemas.ScorecardOut])
async def scorecards(
    year: Year,
    services: App,
    _: Reader,
    pages: Pages,
    filters: Filters,
) -> schemas.Page[schemas.ScorecardOut]:
    view = await queries.campaign(services, year)
    found = [c for c in view.scorecards if filters.matches_agency(c.agency)]
    return pages.of(found, schemas.ScorecardOut.of)


@router.get("/campaigns/{year}/agencies/{agency_code}", response_model=schemas.ScorecardDetailOut)
async def scorecard(
    year: Year,
    agency_code: Annotated[str, Path(pattern=r"^(?:[A-Z][A-Z0-9]{1,15}|\d{3}|\d{5})$")],
    services: App,
    principal: Person,
) -> schemas.ScorecardDetailOut:
    card = await queries.scorecard(services, year, agency_code, principal)
    return schemas.ScorecardDetailOut.detail(card, lambda life: queries.seen_by(principal, life))


@router.get("/campaigns/{year}/ranking", response_model=schemas.Page[schemas.RankedOut])
async def ranking(
    year: Year,
    services: App,
    _: Reader,
    pages: Pages,
    filters: Filters,
) -> schemas.Page[schemas.RankedOut]:
    """Surveyed initiatives by score; the rank is over the whole campaign, filters only
    select which ranked initiatives are listed."""
    view = await queries.campaign(services, year)
    return pages.of([r for r in view.ranking if filters.matches(r.life)], schemas.RankedOut.ranked)


@router.get("/campaigns/{year}/recommended", response_model=schemas.Page[schemas.RecommendedOut])
async def recommended(
    year: Year,
    services: App,
    _: Published,
    pages: Pages,
    filters: Filters,
) -> schemas.Page[schemas.RecommendedOut]:
    view = await queries.campaign(services, year)
    return pages.of([x for x in view.recommended if filters.matches(x)], schemas.RecommendedOut.of)


@router.get("/campaigns/{year}/par-index", response_model=list[schemas.ParIndexOut])
async def par_index(
    year: Year,
    services: App,
    _: Published,
    level: LevelFilter | None = None,
) -> list[schemas.ParIndexOut]:
    view = await queries.campaign(services, year)
    return [
        schemas.ParIndexOut.of(row)
        for row in view.par_index
        if level is None or row.unit_level == level
    ]


@router.get("/campaigns/{year}/rejections", response_model=list[schemas.RejectionOut])
async def rejections(
    year: Year,
    services: App,
    _: Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.SECRETARIAT))],
) -> list[schemas.RejectionOut]:
    """The inbound messages intake refused in the campaign (a message naming none: in the
    year it was refused), newest first, each with its reasons (the PAR office's list)."""
    view = await queries.campaign(services, year)
    return [schemas.RejectionOut.of(r) for r in view.rejections]


ExportTable = Literal["initiatives", "ranking", "agencies", "recommended", "par-index", "rounds"]


@router.get(
    "/campaigns/{year}/exports/{table}.{fmt}",
    responses={200: {"content": {exports.CSV_TYPE: {}, exports.XLSX_TYPE: {}}}},
    response_class=Response,
)
async def export(
    year: Year,
    table: ExportTable,
    fmt: Literal["csv", "xlsx"],
    services: App,
    _: Reader,
    filters: Filters,
) -> Response:
    """One table as CSV (UTF-8 with BOM, so spreadsheet programs read the diacritics) or
    XLSX (typed cells: numbers, dates); headers in Vietnamese; the list endpoints' filters."""
    view = await queries.campaign(services, year)
    sheet = exports.table(view, table, filters)
    if fmt == "csv":
        body, media = exports.to_csv(sheet), exports.CSV_TYPE
    else:
        body, media = exports.to_xlsx(sheet), exports.XLSX_TYPE
    return _attachment(body, media, f"{table}-{year}.{fmt}")


DocumentKind = Literal["survey-report", "proposal", "par-index-annex"]
DocumentFormat = Literal["docx", "pdf"]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in MEDIA.values()}}
}


Number = Annotated[
    str | None,
    Query(
        max_length=20,
        pattern=r"^[0-9]*$",
        description="the number given by the clerk (văn thư); left blank when omitted",
    ),
]
IssuedOn = Annotated[
    CalendarDate | None,
    Query(description="date of issue; left blank for the clerk when omitted"),
]


def _issue(number: Number = None, issued_on: IssuedOn = None) -> Issue:
    return Issue(number, issued_on)


DocumentIssue = Annotated[Issue, Depends(_issue)]


def _document_route(path: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    return router.get(path, response_class=Response, responses=DOCUMENT_RESPONSES)


def _document(content: bytes, fmt: DocumentFormat, name: str) -> Response:
    return _attachment(content, MEDIA[fmt], f"{name}.{fmt}")


@_document_route("/campaigns/{year}/documents/{kind}.{fmt}")
async def campaign_document(
    year: Year,
    kind: DocumentKind,
    fmt: DocumentFormat,
    services: App,
    _: Reader,
    issue: DocumentIssue,
) -> Response:
    """The campaign's survey report (Báo cáo kết quả khảo sát), the proposal to the Chairman
    of the City People's Committee (Tờ trình đề xuất công nhận và nhân rộng) or the PAR-Index
    annex, in the Nghị định 30/2020/NĐ-CP layout."""
    view = await queries.campaign(services, year)
    content = await services.documents.campaign_document(view, kind, fmt, issue)
    return _document(content, fmt, f"{kind}-{year}")


@_document_route("/campaigns/{year}/rounds/{round_id}/documents/survey-report.{fmt}")
async def round_document(
    year: Year,
    round_id: UUID,
    fmt: DocumentFormat,
    services: App,
    _: Reader,
    issue: DocumentIssue,
) -> Response:
    view = await queries.campaign(services, year)
    found = queries.round_of(view, round_id)
    content = await services.documents.round_report_bytes(view, found, fmt, issue)
    return _document(content, fmt, f"survey-report-{year}-round-{found.sequence}")


@router.post("/admin/rebuild", response_model=schemas.RebuildOut, tags=["operations"])
async def rebuild(services: App, _: Admin) -> schemas.RebuildOut:
    """Empty every read model and rebuild it from the event log (admin only)."""
    report = await handlers.rebuild(services.uow())
    services.views.clear()
    return schemas.RebuildOut(**vars(report))


@router.get("/admin/log", response_model=schemas.LogOut, tags=["operations"])
async def event_log(
    services: App,
    _: Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.SECRETARIAT))],
) -> schemas.LogOut:
    position, by_type = await queries.log_status(services)
    return schemas.LogOut(
        events=position.count,
        last_seq=position.last_seq,
        generation=position.generation,
        by_type=by_type,
    )
