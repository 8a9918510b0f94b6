"""The agency workspace: their initiatives, the form, the timeline."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from cchc_portal.adapters.api import Refused
from cchc_portal.entrypoints.dependencies import AgencyDep, FormDep, ServicesDep, agency_name
from cchc_portal.entrypoints.pages import render
from cchc_portal.service_layer import agency
from cchc_portal.service_layer.sessions import Session
from cchc_shared.contracts.vocabulary import PAR_AREAS

router = APIRouter()


@router.get("/agency")
async def agency_home(
    request: Request,
    services: ServicesDep,
    session: AgencyDep,
    status: Annotated[str | None, Query(pattern="^(submitted|withdrawn)?$")] = None,
) -> Response:
    page = await agency.list_initiatives(services.apis, session, status or None)
    return render(
        request,
        "agency/home.html",
        {"page": page, "status": status or "", "agency_name": agency_name(session.agency_code)},
        session=session,
    )


def _form_page(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    known = set(agency.INITIATIVE_FIELDS)
    return render(
        request,
        "agency/new.html",
        {
            "values": values,
            "errors": {k: v for k, v in errors.items() if k in known},
            # A fault the form has no field for (e.g. the campaign is closed) is shown on top.
            "other_errors": [v for k, v in errors.items() if k not in known],
            "par_areas": PAR_AREAS,
        },
        status_code=status_code,
        session=session,
    )


@router.get("/agency/initiatives/new")
async def new_initiative(request: Request, session: AgencyDep) -> Response:
    return _form_page(request, session, {}, {})


@router.post("/agency/initiatives")
async def create_initiative(
    request: Request, services: ServicesDep, session: AgencyDep, form: FormDep
) -> Response:
    values = {name: form.get(name, "") for name in agency.INITIATIVE_FIELDS}
    try:
        created = await agency.submit_initiative(services.apis, session, values)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        # Refused fields (422) or a refused submission (e.g. 409, the campaign is closed):
        # the form comes back with what was typed, the reasons beside the fields or on top.
        errors = exc.by_field() or {"": "Đề xuất không được tiếp nhận; vui lòng kiểm tra lại."}
        return _form_page(request, session, values, errors, status_code=exc.status)
    return RedirectResponse(
        f"/agency/initiatives/{created['initiative_id']}?created=1", status_code=303
    )


@router.get("/agency/initiatives/{initiative_id}")
async def initiative_page(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    created: bool = False,
) -> Response:
    initiative = await agency.read_initiative(services.apis, session, initiative_id)
    return render(
        request,
        "agency/initiative.html",
        {"initiative": initiative, "steps": agency.timeline(initiative), "created": created},
        session=session,
    )
