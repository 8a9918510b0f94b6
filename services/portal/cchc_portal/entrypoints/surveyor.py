"""The surveyor's workspace, phone first: their visits, the on-site evaluation form (which
works offline once opened: the service worker keeps the page and its assets, the page keeps a
draft and a queue of submissions on the device), and the team's scores afterwards."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from cchc_portal.adapters.api import Refused
from cchc_portal.entrypoints.dependencies import FormDep, ServicesDep, SurveyorDep, agency_name
from cchc_portal.entrypoints.pages import TEMPLATES, render
from cchc_portal.service_layer import surveyor
from cchc_portal.service_layer.sessions import Session


def _points(value: Any) -> str:
    """A score as Vietnamese writes it: 12,5 and 20 (no trailing zeros)."""
    if value is None or value == "":
        return "—"
    return f"{round(float(value), 2):g}".replace(".", ",")


router = APIRouter()
TEMPLATES.env.filters["points"] = _points
SERVICE_WORKER = Path(__file__).resolve().parents[1] / "static" / "surveyor" / "service-worker.js"
RECOMMENDATION_LABELS = {
    "replicate": "Đề nghị nhân rộng",
    "improve": "Cần hoàn thiện thêm",
    "not_recommended": "Không đề nghị nhân rộng",
}


def _wants_json(request: Request) -> bool:
    """The page's script sends the queued sheet with fetch and reads the answer as JSON; a
    browser without JavaScript posts the form and gets a page."""
    return request.headers.get("accept", "").startswith("application/json")


def _scores_url(visit: surveyor.MyVisit) -> str:
    return f"/surveyor/visits/{visit.visit_id}/scores"


@router.get("/surveyor")
async def surveyor_home(request: Request, services: ServicesDep, session: SurveyorDep) -> Response:
    today = surveyor.vietnam_today()
    visits = await surveyor.my_visits(services.apis, session)
    return render(
        request,
        "surveyor/home.html",
        {"lists": surveyor.by_day(visits, today), "today": today, "agency_name": agency_name},
        session=session,
    )


@router.get("/surveyor/service-worker.js", include_in_schema=False)
async def service_worker() -> Response:
    """Served under /surveyor so that its scope is the surveyor's pages (``/surveyor`` itself
    included: Service-Worker-Allowed); never cached by the browser's HTTP cache, so a new
    version is installed at the next visit."""
    return FileResponse(
        SERVICE_WORKER,
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": "/surveyor",
            # The worker's own policy governs what it fetches: the portal's pages and assets
            # (the kit's default for a non-page response, default-src 'none', would stop them).
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
        },
    )


def _form_page(
    request: Request,
    session: Session,
    visit: surveyor.MyVisit,
    rubric: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    criteria = rubric["criteria"]
    fields = {f"{surveyor.SCORE_PREFIX}{c['code']}" for c in criteria} | set(surveyor.SHEET_FIELDS)
    return render(
        request,
        "surveyor/visit.html",
        {
            "visit": visit,
            "rubric": rubric,
            "values": values,
            "errors": {k: v for k, v in errors.items() if k in fields},
            "other_errors": [v for k, v in errors.items() if k not in fields],
            "total": surveyor.sheet_total(criteria, values),
            "today": surveyor.vietnam_today(),
            "agency_name": agency_name,
            "recommendations": RECOMMENDATION_LABELS,
            "score_prefix": surveyor.SCORE_PREFIX,
            # The key of this sheet for a browser without JavaScript; the page's script makes
            # its own on the device when the form opens (a page from the offline cache would
            # otherwise carry the same key for every sheet).
            "idempotency_key": values.get("idempotency_key") or str(uuid.uuid4()),
        },
        status_code=status_code,
        session=session,
    )


@router.get("/surveyor/visits/{visit_id}")
async def evaluation_form(
    request: Request, visit_id: UUID, services: ServicesDep, session: SurveyorDep
) -> Response:
    visit = await surveyor.my_visit(services.apis, session, visit_id)
    if visit.evaluation_id is not None:
        return RedirectResponse(_scores_url(visit), status_code=303)
    rubric = await surveyor.rubric(services.apis, session, visit.campaign_year)
    return _form_page(request, session, visit, rubric, {}, {})


@router.post("/surveyor/visits/{visit_id}/evaluation")
async def record_evaluation(
    request: Request,
    visit_id: UUID,
    services: ServicesDep,
    session: SurveyorDep,
    form: FormDep,
) -> Response:
    visit = await surveyor.my_visit(services.apis, session, visit_id)
    rubric = await surveyor.rubric(services.apis, session, visit.campaign_year)
    body = surveyor.sheet_body(visit, rubric["criteria"], form)
    key = form.get("idempotency_key", "").strip() or None
    try:
        recorded = await surveyor.record(services.apis, session, body, key)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        errors = surveyor.sheet_errors(exc, rubric["criteria"], form, body) or {
            "": "Phiếu đánh giá chưa được ghi nhận; vui lòng kiểm tra lại."
        }
        if _wants_json(request):
            return JSONResponse({"status": "refused", "errors": errors}, status_code=exc.status)
        return _form_page(request, session, visit, rubric, form, errors, status_code=exc.status)
    target = f"{_scores_url(visit)}?recorded=1"
    if _wants_json(request):
        return JSONResponse(
            {"status": "recorded", "evaluation_id": recorded["evaluation_id"], "next": target}
        )
    return RedirectResponse(target, status_code=303)


@router.get("/surveyor/visits/{visit_id}/scores")
async def team_scores(
    request: Request,
    visit_id: UUID,
    services: ServicesDep,
    session: SurveyorDep,
    recorded: bool = False,
) -> Response:
    visit = await surveyor.my_visit(services.apis, session, visit_id)
    results = await surveyor.team_results(services.apis, session, visit.initiative_id)
    team = await services.apis.call(
        "evaluation", "GET", f"/rounds/{visit.round_id}", session.access_token
    )
    names = {m["member_id"]: m for m in team.get("team", [])}
    return render(
        request,
        "surveyor/scores.html",
        {
            "visit": visit,
            "results": results,
            "members": names,
            "recorded": recorded,
            "agency_name": agency_name,
            "recommendations": RECOMMENDATION_LABELS,
        },
        session=session,
    )
