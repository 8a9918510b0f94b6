"""The PAR office's planner page: start the automatic planner as a background job, follow its
progress (htmx polling, or a plain refresh without JavaScript), see the best proposal's rounds
on a calendar with the rule warnings, accept it into draft rounds, adjust and confirm them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from cchc_portal.adapters.api import Refused
from cchc_portal.entrypoints.dependencies import FormDep, OfficeDep, ServicesDep, agency_name
from cchc_portal.entrypoints.pages import render
from cchc_portal.service_layer import campaign, planner
from cchc_portal.service_layer.sessions import Session
from cchc_portal.service_layer.surveyor import vietnam_today

router = APIRouter()
# Seconds between two looks at a running job.
POLL_SECONDS = 2


def _context(**values: Any) -> dict[str, Any]:
    return {
        "job_labels": planner.JOB_STATUS_LABELS,
        "round_labels": planner.ROUND_STATUS_LABELS,
        "role_names": planner.TEAM_ROLE_LABELS,
        "quality_labels": planner.QUALITY_LABELS,
        "weekdays": planner.WEEKDAYS,
        "warning_text": planner.warning_text,
        "load_summary": planner.load_summary,
        "months_summary": planner.months_summary,
        "agency_name": agency_name,
        **values,
    }


async def _start_page(
    request: Request,
    services: ServicesDep,
    session: Session,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    typed = values.get("campaign_year", "").strip()
    # The campaign asked for, else the newest one with initiatives, else this year's.
    asked = int(typed) if typed.isdigit() and 2000 <= int(typed) <= 2100 else None
    year = (await campaign.year_choice(services.apis, session, asked))[0] or vietnam_today().year
    drafts = await planner.draft_rounds(services.apis, session, year)
    known = set(planner.JOB_FIELDS)
    return render(
        request,
        "planner/home.html",
        _context(
            values={**values, "campaign_year": typed or str(year)},
            errors={k: v for k, v in errors.items() if k in known},
            other_errors=[v for k, v in errors.items() if k not in known],
            drafts=drafts,
            accepted=request.query_params.get("accepted", ""),
        ),
        status_code=status_code,
        session=session,
    )


@router.get("/office/planner")
async def planner_home(
    request: Request, services: ServicesDep, session: OfficeDep, campaign_year: int | None = None
) -> Response:
    values = {"campaign_year": str(campaign_year)} if campaign_year else {}
    return await _start_page(request, services, session, values, {})


@router.post("/office/planner/jobs")
async def start_job(
    request: Request, services: ServicesDep, session: OfficeDep, form: FormDep
) -> Response:
    values = {name: form.get(name, "") for name in planner.JOB_FIELDS}
    try:
        job_id = await planner.start_job(services.apis, session, planner.job_body(values))
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        errors = exc.by_field() or {"": "Chưa bắt đầu lập phương án; vui lòng kiểm tra lại."}
        return await _start_page(request, services, session, values, errors, status_code=exc.status)
    return RedirectResponse(f"/office/planner/jobs/{job_id}", status_code=303)


@router.get("/office/planner/jobs/{job_id}")
async def job_page(
    request: Request, job_id: str, services: ServicesDep, session: OfficeDep
) -> Response:
    job = await planner.read_job(services.apis, session, job_id)
    best = job.get("best") or None
    members: dict[str, str] = {}
    titles: dict[str, str] = {}
    if best and job.get("status") in planner.FINISHED:
        year = int(job.get("campaign_year") or vietnam_today().year)
        members, titles = await planner.names(services.apis, session, year)
    response = render(
        request,
        "planner/job.html",
        _context(
            job=job,
            best=best,
            running=job.get("status") == "running",
            poll_seconds=POLL_SECONDS,
            months=planner.calendar_of(best.get("rounds", [])) if best else [],
            members=members,
            titles=titles,
        ),
        session=session,
    )
    return response


@router.post("/office/planner/jobs/{job_id}/stop")
async def stop_job(
    job_id: str, services: ServicesDep, session: OfficeDep, form: FormDep
) -> Response:
    await planner.stop_job(services.apis, session, job_id)
    return RedirectResponse(f"/office/planner/jobs/{job_id}", status_code=303)


@router.post("/office/planner/jobs/{job_id}/accept")
async def accept_proposal(
    request: Request, job_id: str, services: ServicesDep, session: OfficeDep, form: FormDep
) -> Response:
    job = await planner.read_job(services.apis, session, job_id)
    best = job.get("best") or {}
    proposal_id = form.get("proposal_id", "")
    if not best or str(best.get("proposal_id")) != proposal_id:
        # The form names the proposal it showed: a different one is not accepted blindly.
        return RedirectResponse(f"/office/planner/jobs/{job_id}", status_code=303)
    drafts = await planner.accept(services.apis, session, proposal_id)
    year = drafts[0]["campaign_year"] if drafts else vietnam_today().year
    return RedirectResponse(
        f"/office/planner?campaign_year={year}&accepted={len(drafts)}", status_code=303
    )


async def _round_page(
    request: Request,
    session: Session,
    round_: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    notice: str = "",
    status_code: int = 200,
) -> Response:
    fields = {"title", "reason"}
    fields |= {
        f"visits[{i}].{n}"
        for i in range(len(round_.get("visits", [])))
        for n in ("date", "starts_at", "place")
    }
    fields |= {f"team[{i}].role" for i in range(len(round_.get("team", [])))}
    return render(
        request,
        "planner/round.html",
        _context(
            round=round_,
            values=values,
            errors={k: v for k, v in errors.items() if k in fields},
            other_errors=[v for k, v in errors.items() if k not in fields],
            months=planner.calendar_of([round_], label="Đợt này"),
            notice=notice,
        ),
        status_code=status_code,
        session=session,
    )


@router.get("/office/planner/rounds/{round_id}")
async def round_page(
    request: Request,
    round_id: str,
    services: ServicesDep,
    session: OfficeDep,
    changed: bool = False,
    confirmed: bool = False,
) -> Response:
    round_ = await planner.read_round(services.apis, session, round_id)
    notice = (
        "Đã xác nhận và gửi thông báo đợt khảo sát."
        if confirmed
        else "Đã lưu điều chỉnh."
        if changed
        else ""
    )
    return await _round_page(request, session, round_, {}, {}, notice)


@router.post("/office/planner/rounds/{round_id}")
async def adjust_round(
    request: Request, round_id: str, services: ServicesDep, session: OfficeDep, form: FormDep
) -> Response:
    round_ = await planner.read_round(services.apis, session, round_id)
    try:
        await planner.adjust(services.apis, session, round_id, planner.round_body(round_, form))
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        errors = exc.by_field() or {"": "Chưa lưu được điều chỉnh; vui lòng kiểm tra lại."}
        return await _round_page(request, session, round_, form, errors, status_code=exc.status)
    return RedirectResponse(f"/office/planner/rounds/{round_id}?changed=1", status_code=303)


@router.post("/office/planner/rounds/{round_id}/confirm")
async def confirm_round(
    request: Request, round_id: str, services: ServicesDep, session: OfficeDep, form: FormDep
) -> Response:
    try:
        await planner.confirm(services.apis, session, round_id)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        round_ = await planner.read_round(services.apis, session, round_id)
        errors = exc.by_field() or {"": "Chưa xác nhận được đợt khảo sát."}
        return await _round_page(request, session, round_, {}, errors, status_code=exc.status)
    return RedirectResponse(f"/office/planner/rounds/{round_id}?confirmed=1", status_code=303)
