"""The PAR office's workspace (secretariat and admin): the triage list, campaign settings,
progress of the evaluations, decisions with override, the documents."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from cchc_portal.adapters.api import Refused
from cchc_portal.entrypoints.dependencies import FormDep, OfficeDep, ServicesDep
from cchc_portal.entrypoints.pages import render, streamed
from cchc_portal.service_layer import campaign
from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import Session
from cchc_shared.contracts.vocabulary import PAR_AREAS, Role
from cchc_shared.messaging.topology import INBOUND_QUEUE
from cchc_shared.reference import districts

router = APIRouter()

Year = Annotated[int | None, Query(ge=2000, le=2100)]
DISTRICTS = [(d.code, d.name) for d in districts()]


def _page(
    request: Request,
    session: Session,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        f"office/{template}",
        context,
        status_code=status_code,
        session=session,
    )


@router.get("/office")
async def triage(
    request: Request,
    services: ServicesDep,
    session: OfficeDep,
    campaign_year: Year = None,
    par_area: Annotated[str | None, Query(max_length=40)] = None,
    level: Annotated[str | None, Query(max_length=40)] = None,
    district_code: Annotated[str | None, Query(max_length=3)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The campaign's initiatives under the filters (area, tier, district, status, words)."""
    year, available = await campaign.year_choice(services.apis, session, campaign_year)
    filters = {
        "par_area": par_area or "",
        "level": level or "",
        "district_code": district_code or "",
        "status": status or "",
        "q": (q or "").strip(),
    }
    found = None
    errors: dict[str, str] = {}
    if year is not None:
        try:
            found = await campaign.triage(services.apis, session, year, filters, page)
        except Refused as exc:
            if exc.status != 422:
                raise
            errors = exc.by_field()
    return _page(
        request,
        session,
        "triage.html",
        {
            "year": year,
            "years": available,
            "filters": filters,
            "found": found,
            "errors": errors,
            "par_areas": PAR_AREAS,
            "levels": campaign.LEVELS,
            "statuses": campaign.LIFE_STATUSES,
            "districts": DISTRICTS,
            "page_number": page,
        },
        status_code=422 if errors else 200,
    )


@router.get("/office/campaigns")
async def campaigns_page(request: Request, services: ServicesDep, session: OfficeDep) -> Response:
    found = await campaign.campaigns(services.apis, session)
    return _campaigns(request, session, found)


def _campaigns(
    request: Request,
    session: Session,
    found: list[dict[str, Any]],
    *,
    editing: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        session,
        "campaigns.html",
        {
            "campaigns": found,
            "can_change": Role.ADMIN.value in session.roles,
            "editing": editing,
            "values": values or {},
            "errors": errors or {},
        },
        status_code,
    )


@router.post("/office/campaigns/{year}")
async def change_campaign(
    request: Request,
    year: Annotated[int, Path(ge=2000, le=2100)],
    services: ServicesDep,
    session: OfficeDep,
    form: FormDep,
) -> Response:
    """The campaign's title and windows (admin: intake refuses anyone else)."""
    try:
        await campaign.change_campaign(services.apis, session, year, form)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        found = await campaign.campaigns(services.apis, session)
        values = {k: form.get(k, "") for k in campaign.CAMPAIGN_FIELDS}
        errors = exc.by_field() or {"": "Không lưu được thay đổi."}
        return _campaigns(
            request,
            session,
            found,
            editing=year,
            values=values,
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(f"/office/campaigns?changed={year}", status_code=303)


@router.get("/office/progress")
async def progress_page(
    request: Request, services: ServicesDep, session: OfficeDep, campaign_year: Year = None
) -> Response:
    year, available = await campaign.year_choice(services.apis, session, campaign_year)
    rounds = await campaign.progress(services.apis, session, year) if year else []
    return _page(
        request, session, "progress.html", {"year": year, "years": available, "rounds": rounds}
    )


@router.get("/office/decisions")
async def decisions_page(
    request: Request, services: ServicesDep, session: OfficeDep, campaign_year: Year = None
) -> Response:
    year, available = await campaign.year_choice(services.apis, session, campaign_year)
    ranking = await campaign.ranking(services.apis, session, year) if year else None
    return _page(
        request,
        session,
        "decisions.html",
        {"year": year, "years": available, "ranking": ranking, "decisions": campaign.DECISIONS},
    )


async def _decision_page(
    request: Request,
    services: PortalServices,
    session: Session,
    initiative_id: UUID,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await campaign.result(services.apis, session, initiative_id)
    return _page(
        request,
        session,
        "decision.html",
        {
            "result": found,
            "values": values or {},
            "errors": errors or {},
            "decisions": campaign.DECISIONS,
            "scopes": campaign.SCOPES,
        },
        status_code,
    )


@router.get("/office/decisions/{initiative_id}")
async def decision_form(
    request: Request, initiative_id: UUID, services: ServicesDep, session: OfficeDep
) -> Response:
    return await _decision_page(request, services, session, initiative_id)


DECISION_FIELDS = ("decision", "scope", "rationale", "override_reason")


@router.post("/office/decisions/{initiative_id}")
async def decide(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: OfficeDep,
    form: FormDep,
) -> Response:
    values = {k: form.get(k, "") for k in DECISION_FIELDS}
    try:
        await campaign.decide(services.apis, session, initiative_id, values)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        errors = exc.by_field() or {"": "Quyết định chưa được ghi nhận."}
        return await _decision_page(
            request, services, session, initiative_id, values, errors, exc.status
        )
    return RedirectResponse(f"/office/decisions/{initiative_id}?done=1", status_code=303)


@router.get("/office/rejections")
async def rejections_page(
    request: Request,
    services: ServicesDep,
    session: OfficeDep,
    campaign_year: Year = None,
    replayed: UUID | None = None,
) -> Response:
    """The inbound messages refused, each with its reasons and, when intake kept a copy, a
    replay button and the outcome of the replays. The replay is intake's
    (``POST /inbound/rejections/{id}/replay``): it runs the copy kept as received through
    the inbound consumer again, with the publishing platform the broker verified then, so
    the portal never vouches for a publisher. A message without a kept copy is left to the
    operator's ``cchc dlq replay``."""
    (year, available), waiting = await asyncio.gather(
        campaign.year_choice(services.apis, session, campaign_year),
        campaign.years_with_refusals(services.apis, session),
    )
    if year is None and waiting:
        year = max(waiting)
    available = sorted(set(available) | waiting, reverse=True)
    found = await campaign.rejections(services.apis, session, year) if year else []
    outcome = next(
        (r["kept"] for r in found if r["kept"] and r["kept"]["rejection_id"] == str(replayed)),
        None,
    )
    return _page(
        request,
        session,
        "rejections.html",
        {
            "year": year,
            "years": available,
            "rejections": found,
            "inbound_queue": INBOUND_QUEUE,
            "outcome": outcome,
            "waiting": sorted(waiting - {year}, reverse=True),
        },
    )


@router.post("/office/rejections/{rejection_id}/replay")
async def replay_rejection(
    rejection_id: UUID,
    services: ServicesDep,
    session: OfficeDep,
    form: FormDep,
    campaign_year: Year = None,
) -> Response:
    """Have intake process the kept message again, then show the page with the outcome
    (post/redirect/get: a reload does not replay again, and a second click changes nothing,
    intake's inbox takes the message in once)."""
    answer = await campaign.replay_rejection(services.apis, session, rejection_id)
    year = campaign_year or answer.get("campaign_year")
    query = f"campaign_year={year}&" if year else ""
    return RedirectResponse(
        f"/office/rejections?{query}replayed={rejection_id}#rejection-{rejection_id}",
        status_code=303,
    )


@router.get("/office/documents")
async def documents_page(
    request: Request, services: ServicesDep, session: OfficeDep, campaign_year: Year = None
) -> Response:
    year, available = await campaign.year_choice(services.apis, session, campaign_year)
    rounds = await campaign.rounds(services.apis, session, year) if year else []
    context = {"year": year, "years": available, "rounds": rounds}
    context["documents"] = campaign.CAMPAIGN_DOCUMENTS
    return render(request, "documents.html", context, session=session)


Format = Annotated[str, Path(pattern="^(docx|pdf)$")]


@router.get("/office/rounds/{round_id}/notices")
async def notices_page(
    request: Request, round_id: UUID, services: ServicesDep, session: OfficeDep
) -> Response:
    """The round's invitations (GIẤY MỜI) and notices (THÔNG BÁO), from scheduling."""
    found = await services.apis.call(
        "scheduling", "GET", f"/rounds/{round_id}/notices", session.access_token
    )
    return _page(request, session, "notices.html", {"notices": found, "round_id": round_id})


@router.get("/office/rounds/{round_id}/notices/{who}/{code}.{file_format}")
async def notice_document(
    round_id: UUID,
    who: Annotated[str, Path(pattern="^(members|agencies)$")],
    code: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")],
    file_format: Format,
    services: ServicesDep,
    session: OfficeDep,
) -> StreamingResponse:
    path = f"/rounds/{round_id}/notices/{who}/{code}.{file_format}"
    return await streamed(services.apis, "scheduling", path, session)
