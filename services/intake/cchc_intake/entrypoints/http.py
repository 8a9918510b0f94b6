"""The HTTP API (mounted under /api/v1): thin, it turns requests into commands and
domain objects into response bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Body, Depends, File, Query, Request, Response, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from cchc_intake.domain.commands import (
    Actor,
    AmendInitiative,
    ChangeCampaign,
    ChangeDraft,
    CreateCampaign,
    DiscardDraft,
    SaveDraft,
    SubmitDraft,
    SubmitInitiative,
    WithdrawInitiative,
)
from cchc_intake.domain.errors import InitiativeNotFound, NotAllowed
from cchc_intake.domain.model import Attachment, Draft, Initiative, local_date
from cchc_intake.entrypoints.schemas import (
    AgencyDetail,
    AgencyOut,
    AttachmentOut,
    BuildsOnOut,
    CampaignChanges,
    CampaignIn,
    CampaignOut,
    DraftIn,
    DraftOut,
    DraftPage,
    InitiativeChanges,
    InitiativeIn,
    InitiativeListItem,
    InitiativeOut,
    InitiativePage,
    Level,
    OriginOut,
    ParAreaCode,
    ParAreaOut,
    RejectionOut,
    StatusFilter,
    WithdrawalIn,
)
from cchc_intake.service_layer import queries
from cchc_intake.service_layer.handlers import (
    attachments,
    campaigns,
    drafts,
    inbound,
    submissions,
)
from cchc_intake.service_layer.services import Services
from cchc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from cchc_shared.chassis.audit import AuditEntryOut
from cchc_shared.chassis.http import CampaignYearFilter, CampaignYearPath
from cchc_shared.contracts.text import clean_text
from cchc_shared.contracts.vocabulary import Kind
from cchc_shared.errors import Fault, InvalidInput
from cchc_shared.reference import AgencyLevel, district_of, get_agency, par_areas

UPLOAD_CHUNK = 64 * 1024


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
Reader = Annotated[
    Principal,
    Depends(
        require_roles(Role.AGENCY_SUBMITTER, Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER)
    ),
]
Writer = Annotated[
    Principal, Depends(require_roles(Role.AGENCY_SUBMITTER, Role.SECRETARIAT, Role.ADMIN))
]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Staff = Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))]


def actor_of(principal: Principal) -> Actor:
    return Actor(
        subject=principal.subject,
        agency_code=principal.agency_code if principal.is_agency_submitter else None,
        name=principal.display_name,
        sees_drafts=principal.is_staff or principal.is_agency_submitter,
    )


def draft_out(draft: Draft) -> DraftOut:
    agency = get_agency(draft.agency_code)
    return DraftOut.of(draft, agency.name if agency else draft.agency_code)


def initiative_out(initiative: Initiative, attachments: list[Attachment]) -> InitiativeOut:
    agency = get_agency(initiative.agency_code)
    content = initiative.content
    return InitiativeOut(
        initiative_id=initiative.id,
        campaign_year=initiative.campaign_year,
        agency_code=initiative.agency_code,
        agency_name=agency.name if agency else initiative.agency_code,
        agency_level=agency.level.value if agency else AgencyLevel.CITY_DEPARTMENT.value,
        district_code=district_of(initiative.agency_code),
        kind=content.kind,
        title=content.title,
        summary=content.summary,
        par_area=content.par_area,
        applied_since=content.applied_since,
        results=content.results,
        limitations=content.limitations,
        builds_on=BuildsOnOut.of(content.builds_on),
        status=initiative.status.value,
        submitted_at=initiative.submitted_at,
        submitted_by=initiative.submitted_by,
        amended_at=initiative.amended_at,
        withdrawn_at=initiative.withdrawn_at,
        withdrawal_reason=initiative.withdrawal_reason,
        origin=(
            OriginOut(source=initiative.origin.source, id=initiative.origin.id)
            if initiative.origin
            else None
        ),
        version=initiative.version,
        attachments=[AttachmentOut.of(a) for a in attachments],
    )


async def _read(services: Services, actor: Actor, initiative_id: UUID) -> InitiativeOut:
    initiative, attachments = await queries.read_initiative(actor, initiative_id, services.uow())
    return initiative_out(initiative, attachments)


# --------------------------------------------------------------------------------------
# Initiatives

initiatives_router = APIRouter(prefix="/initiatives", tags=["initiatives"])


def _parse(model: type[InitiativeIn] | type[DraftIn], raw: dict[str, Any]) -> Any:
    """The body as ``model``; its faults are answered as FastAPI's own are (422, by field)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None


_SUBMISSION_BODY = {
    "content": {
        "application/json": {
            "schema": {
                # Inline: neither model is a parameter FastAPI would list in components.
                "oneOf": [
                    {"title": "InitiativeIn", **InitiativeIn.model_json_schema()},
                    {"title": "DraftIn", **DraftIn.model_json_schema()},
                ]
            }
        }
    },
    "required": True,
}


@initiatives_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InitiativeOut | DraftOut,
    summary='Gửi đề xuất, hoặc lưu nháp với "draft": true / Submit, or save a draft',
    openapi_extra={"requestBody": _SUBMISSION_BODY},
)
async def submit(
    raw: Annotated[dict[str, Any], Body(include_in_schema=False)],
    principal: Writer,
    services: ServicesDep,
    response: Response,
) -> InitiativeOut | DraftOut:
    is_draft = raw.get("draft") is True
    if raw.get("draft") is False:
        raw = {k: v for k, v in raw.items() if k != "draft"}
    body: InitiativeIn | DraftIn = _parse(DraftIn if is_draft else InitiativeIn, raw)
    actor = actor_of(principal)
    agency_code = actor.agency_code or body.agency_code
    if agency_code is None:
        raise InvalidInput(
            Fault(
                "agency_code",
                "Cần mã cơ quan, đơn vị khi gửi thay cho đơn vị",
                "agency_code is required when submitting on behalf of an agency",
            )
        )
    if body.agency_code is not None and body.agency_code != agency_code:
        raise NotAllowed(body.agency_code)
    if isinstance(body, DraftIn):
        fields = body.model_dump(
            exclude_unset=True, exclude={"draft", "agency_code", "campaign_year"}
        )
        _refuse_nulls(fields)
        draft = await drafts.save_draft(
            SaveDraft(actor, agency_code, fields, campaign_year=body.campaign_year),
            services.uow(),
            services.clock(),
        )
        response.headers["Location"] = f"/api/v1/initiatives/{draft.id}"
        return draft_out(draft)
    initiative = await submissions.submit_initiative(
        SubmitInitiative(
            actor=actor,
            agency_code=agency_code,
            campaign_year=body.campaign_year,
            kind=body.kind,
            title=body.title,
            summary=body.summary,
            par_area=body.par_area,
            applied_since=body.applied_since,
            results=body.results,
            limitations=body.limitations,
            builds_on=body.builds_on.model_dump() if body.builds_on else None,
        ),
        services.uow(),
        services.clock(),
    )
    response.headers["Location"] = f"/api/v1/initiatives/{initiative.id}"
    return initiative_out(initiative, [])


def _refuse_nulls(changes: dict[str, Any]) -> None:
    # ``builds_on: null`` says that it builds on no earlier initiative (any more).
    nulls = [name for name, value in changes.items() if value is None and name != "builds_on"]
    if nulls:
        raise InvalidInput(
            *(Fault(name, "Không được để trống", "must not be null") for name in nulls)
        )


def _search_text(q: str | None) -> str | None:
    if q is None:
        return None
    try:
        return clean_text(q, multiline=False)
    except ValueError:
        raise InvalidInput(
            Fault("q", "Chứa ký tự điều khiển không được phép", "contains a control character")
        ) from None


@initiatives_router.get(
    "",
    response_model=InitiativePage | DraftPage,
    summary="Danh sách (status=draft: bản nháp) / List initiatives (status=draft: drafts)",
)
async def list_initiatives(
    principal: Reader,
    services: ServicesDep,
    campaign_year: CampaignYearFilter = None,
    agency: Annotated[str | None, Query(max_length=16, description="agency code")] = None,
    district: Annotated[
        str | None, Query(pattern=r"^\d{3}$", description="a district and all its wards")
    ] = None,
    level: Level | None = None,
    par_area: ParAreaCode | None = None,
    kind: Kind | None = None,
    status: StatusFilter | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words in the title or texts, any accents")
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> InitiativePage | DraftPage:
    filters = queries.InitiativeFilter(
        campaign_year=campaign_year,
        agency_code=agency,
        district_code=district,
        level=level,
        par_area=par_area,
        kind=kind,
        status=status,
        text=_search_text(q),
    )
    if status == "draft":
        found, total = await queries.list_drafts(
            services.uow(), actor_of(principal), filters, page, page_size
        )
        return DraftPage(
            items=[draft_out(d) for d in found], total=total, page=page, page_size=page_size
        )
    rows, total = await queries.list_initiatives(
        services.uow(), actor_of(principal), filters, page, page_size
    )
    return InitiativePage(
        items=[InitiativeListItem.model_validate(row) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


@initiatives_router.get("/{initiative_id}", response_model=InitiativeOut | DraftOut)
async def read(
    initiative_id: UUID, principal: Reader, services: ServicesDep
) -> InitiativeOut | DraftOut:
    found = await queries.read_initiative_or_draft(
        actor_of(principal), initiative_id, services.uow()
    )
    if isinstance(found, Draft):
        return draft_out(found)
    return initiative_out(*found)


@initiatives_router.get(
    "/{initiative_id}/history",
    response_model=list[AuditEntryOut],
    summary="Lịch sử thay đổi (ai, khi nào, lý do) / Who changed it, when and why",
)
async def history(
    initiative_id: UUID, principal: Reader, services: ServicesDep
) -> list[AuditEntryOut]:
    found = await queries.initiative_history(actor_of(principal), initiative_id, services.uow())
    return [AuditEntryOut(**entry) for entry in found]


@initiatives_router.patch(
    "/{initiative_id}",
    response_model=InitiativeOut | DraftOut,
    summary="Chỉnh sửa khi đợt còn nhận đề xuất, hoặc sửa bản nháp / Amend, or change a draft",
)
async def amend(
    initiative_id: UUID, body: InitiativeChanges, principal: Writer, services: ServicesDep
) -> InitiativeOut | DraftOut:
    changes = body.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    actor = actor_of(principal)
    try:
        await submissions.amend_initiative(
            AmendInitiative(actor=actor, initiative_id=initiative_id, changes=changes),
            services.uow(),
            services.clock(),
        )
    except InitiativeNotFound:  # no such initiative: the actor's draft, or 404 as well
        draft = await drafts.change_draft(
            ChangeDraft(actor, initiative_id, changes), services.uow(), services.clock()
        )
        return draft_out(draft)
    return await _read(services, actor, initiative_id)


@initiatives_router.post(
    "/{initiative_id}/submit",
    response_model=InitiativeOut,
    summary="Gửi bản nháp / Submit a draft",
)
async def submit_draft(
    initiative_id: UUID, principal: Writer, services: ServicesDep
) -> InitiativeOut:
    initiative = await drafts.submit_draft(
        SubmitDraft(actor_of(principal), initiative_id), services.uow(), services.clock()
    )
    return initiative_out(initiative, [])


@initiatives_router.delete(
    "/{initiative_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xoá bản nháp / Discard a draft",
)
async def discard_draft(initiative_id: UUID, principal: Writer, services: ServicesDep) -> None:
    await drafts.discard_draft(
        DiscardDraft(actor_of(principal), initiative_id), services.uow(), services.clock()
    )


@initiatives_router.post(
    "/{initiative_id}/withdraw", response_model=InitiativeOut, summary="Rút đề xuất / Withdraw"
)
async def withdraw(
    initiative_id: UUID, principal: Writer, services: ServicesDep, body: WithdrawalIn | None = None
) -> InitiativeOut:
    actor = actor_of(principal)
    await submissions.withdraw_initiative(
        WithdrawInitiative(
            actor=actor, initiative_id=initiative_id, reason=body.reason if body else ""
        ),
        services.uow(),
        services.clock(),
    )
    return await _read(services, actor, initiative_id)


# --------------------------------------------------------------------------------------
# Attachments


@initiatives_router.post(
    "/{initiative_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentOut,
    summary="Tải lên báo cáo (PDF, DOCX, ảnh) / Upload a report file",
)
async def upload(
    initiative_id: UUID,
    file: Annotated[UploadFile, File(description="PDF, DOCX, PNG, JPEG or WebP")],
    principal: Writer,
    services: ServicesDep,
) -> AttachmentOut:
    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await file.read(UPLOAD_CHUNK):
            yield chunk

    attachment = await attachments.add_attachment(
        actor=actor_of(principal),
        initiative_id=initiative_id,
        filename=file.filename or "",
        chunks=chunks(),
        uow=services.uow(),
        storage=services.storage,
        max_bytes=services.attachment_max_bytes,
        now=services.clock(),
    )
    return AttachmentOut.of(attachment)


@initiatives_router.get("/{initiative_id}/attachments", response_model=list[AttachmentOut])
async def list_attachments(
    initiative_id: UUID, principal: Reader, services: ServicesDep
) -> list[AttachmentOut]:
    _, attachments = await queries.read_initiative(
        actor_of(principal), initiative_id, services.uow()
    )
    return [AttachmentOut.of(a) for a in attachments]


@initiatives_router.get(
    "/{initiative_id}/attachments/{attachment_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download(
    initiative_id: UUID, attachment_id: UUID, principal: Reader, services: ServicesDep
) -> StreamingResponse:
    attachment = await queries.find_attachment(
        actor_of(principal), initiative_id, attachment_id, services.uow()
    )
    return StreamingResponse(
        services.storage.open(attachment.storage_key),
        media_type=attachment.media_type,
        headers={
            "Content-Length": str(attachment.size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{attachment.sha256}"',
        },
    )


# --------------------------------------------------------------------------------------
# Campaigns

campaigns_router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@campaigns_router.get("", response_model=list[CampaignOut])
async def list_campaigns(principal: CurrentPrincipal, services: ServicesDep) -> list[CampaignOut]:
    found = await queries.list_campaigns(services.uow())
    today = local_date(services.clock())
    return [CampaignOut.of(c, today) for c in found]


@campaigns_router.get("/{year}", response_model=CampaignOut)
async def read_campaign(
    year: CampaignYearPath, principal: CurrentPrincipal, services: ServicesDep
) -> CampaignOut:
    campaign = await queries.read_campaign(services.uow(), year)
    return CampaignOut.of(campaign, local_date(services.clock()))


@campaigns_router.get(
    "/{year}/history",
    response_model=list[AuditEntryOut],
    summary="Lịch sử thay đổi đợt / Who opened and changed the campaign",
)
async def campaign_history(
    year: CampaignYearPath, principal: Staff, services: ServicesDep
) -> list[AuditEntryOut]:
    return [AuditEntryOut(**e) for e in await queries.campaign_history(services.uow(), year)]


@campaigns_router.post("", status_code=status.HTTP_201_CREATED, response_model=CampaignOut)
async def create_campaign(body: CampaignIn, principal: Admin, services: ServicesDep) -> CampaignOut:
    campaign = await campaigns.create_campaign(
        CreateCampaign(
            actor=actor_of(principal),
            year=body.year,
            title=body.title,
            submission_opens_on=body.submission_opens_on,
            submission_closes_on=body.submission_closes_on,
            survey_starts_on=body.survey_starts_on,
            survey_ends_on=body.survey_ends_on,
            plan_number=body.plan_number,
            plan_signed_on=body.plan_signed_on,
            secretary_scores=body.secretary_scores,
        ),
        services.uow(),
    )
    return CampaignOut.of(campaign, local_date(services.clock()))


@campaigns_router.patch(
    "/{year}",
    response_model=CampaignOut,
    summary="Đổi thời hạn, Kế hoạch, cách chấm / Change a campaign's settings",
)
async def change_campaign(
    year: CampaignYearPath, body: CampaignChanges, principal: Admin, services: ServicesDep
) -> CampaignOut:
    campaign = await campaigns.change_campaign(
        ChangeCampaign(actor=actor_of(principal), year=year, **body.model_dump(exclude_unset=True)),
        services.uow(),
    )
    return CampaignOut.of(campaign, local_date(services.clock()))


# --------------------------------------------------------------------------------------
# Reference data

reference_router = APIRouter(tags=["agencies"])


@reference_router.get("/agencies", response_model=list[AgencyOut])
async def list_agencies(
    principal: CurrentPrincipal,
    services: ServicesDep,
    level: Level | None = None,
    district: Annotated[str | None, Query(pattern=r"^\d{3}$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[AgencyOut]:
    rows = await queries.list_agencies(services.uow(), level, district, _search_text(q))
    return [AgencyOut.model_validate(row) for row in rows]


@reference_router.get("/agencies/{code}", response_model=AgencyDetail)
async def read_agency(
    code: str, principal: CurrentPrincipal, services: ServicesDep
) -> AgencyDetail:
    agency, wards = await queries.read_agency(services.uow(), code)
    return AgencyDetail(
        code=agency.code,
        name=agency.name,
        level=agency.level.value,
        parent_code=agency.parent_code,
        unit_type=agency.unit_type,
        ward_count=wards,
    )


@reference_router.get("/par-areas", response_model=list[ParAreaOut])
async def list_par_areas(principal: CurrentPrincipal) -> list[ParAreaOut]:
    return [ParAreaOut(code=a.code, name=a.name) for a in par_areas()]


# --------------------------------------------------------------------------------------
# Inbound messages refused at the edge, and their replay (domain/inbound.py)

inbound_router = APIRouter(prefix="/inbound", tags=["inbound"])


@inbound_router.get(
    "/rejections",
    response_model=list[RejectionOut],
    summary="Tin nhắn liên thông bị từ chối / Refused inbound messages kept for a replay",
)
async def list_rejections(
    principal: Staff,
    services: ServicesDep,
    campaign_year: CampaignYearFilter = None,
    status: Annotated[
        Literal["rejected", "accepted"] | None,
        Query(description="still refused, or since taken in"),
    ] = None,
) -> list[RejectionOut]:
    rows = await queries.list_rejections(services.uow(), campaign_year, status)
    return [RejectionOut.model_validate(row) for row in rows]


@inbound_router.post(
    "/rejections/{rejection_id}/replay",
    response_model=RejectionOut,
    summary="Xử lý lại tin nhắn bị từ chối / Process a refused inbound message again",
    description=(
        "Runs the copy kept when the message was refused through the inbound consumer "
        "again: the same trust check (with the publishing platform the broker verified on "
        "receipt), handler and inbox. Taken in at most once however often it is replayed; "
        "refused again, the answer carries the new reasons."
    ),
)
async def replay_rejection(
    rejection_id: UUID, principal: Staff, services: ServicesDep
) -> RejectionOut:
    if services.reprocess_inbound is None:
        raise RuntimeError("the inbound consumer is not wired")
    await inbound.replay_rejected(
        rejection_id,
        actor_of(principal),
        services.reprocess_inbound,
        services.uow,
        services.clock(),
    )
    return RejectionOut.model_validate(await queries.read_rejection(services.uow(), rejection_id))


ROUTERS = (initiatives_router, campaigns_router, reference_router, inbound_router)
