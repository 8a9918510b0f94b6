"""The committee's workspace: the campaign dashboard with its charts, the recommended
initiatives with their reasons, the PAR-Index table and the documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cchc_portal.entrypoints.dependencies import CommitteeDep, ServicesDep
from cchc_portal.entrypoints.pages import render
from cchc_portal.service_layer import campaign
from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import Session

router = APIRouter()

Year = Annotated[int | None, Query(ge=2000, le=2100)]


async def _context(services: PortalServices, session: Session, asked: int | None) -> dict[str, Any]:
    year, available = await campaign.year_choice(services.apis, session, asked)
    return {"year": year, "years": available}


def _page(request: Request, session: Session, template: str, context: dict[str, Any]) -> Response:
    return render(request, f"committee/{template}", context, session=session)


@router.get("/committee")
async def committee_home(
    request: Request, services: ServicesDep, session: CommitteeDep, campaign_year: Year = None
) -> Response:
    context = await _context(services, session, campaign_year)
    year = context["year"]
    if year is not None:
        board = await campaign.dashboard(services.apis, session, year)
        ranked = await campaign.ranking(services.apis, session, year)
        scores = [
            float(i["aggregate"]["final_score"])
            for i in ranked["items"]
            if i.get("aggregate") and i["aggregate"].get("final_score") is not None
        ]
        context |= {
            "board": board,
            "by_area": campaign.bars_by_area(board),
            "by_level": campaign.bars_by_level(board),
            "histogram": campaign.score_histogram(scores),
            "scored": len(scores),
        }
    return _page(request, session, "home.html", context)


@router.get("/committee/recommended")
async def recommended_page(
    request: Request, services: ServicesDep, session: CommitteeDep, campaign_year: Year = None
) -> Response:
    context = await _context(services, session, campaign_year)
    if context["year"] is not None:
        context["found"] = await campaign.recommended(services.apis, session, context["year"])
    return _page(request, session, "recommended.html", context)


@router.get("/committee/par-index")
async def par_index_page(
    request: Request, services: ServicesDep, session: CommitteeDep, campaign_year: Year = None
) -> Response:
    context = await _context(services, session, campaign_year)
    if context["year"] is not None:
        context["rows"] = await campaign.par_index(services.apis, session, context["year"])
    return _page(request, session, "par_index.html", context)


@router.get("/committee/documents")
async def documents_page(
    request: Request, services: ServicesDep, session: CommitteeDep, campaign_year: Year = None
) -> Response:
    context = await _context(services, session, campaign_year)
    if context["year"] is not None:
        context["rounds"] = await campaign.rounds(services.apis, session, context["year"])
    context["documents"] = campaign.CAMPAIGN_DOCUMENTS
    return render(request, "documents.html", context, session=session)
