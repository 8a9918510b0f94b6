"""The agency workspace: their drafts and initiatives, the form (save a draft, submit, amend),
withdrawal, attachments, the timeline, their survey schedule and notices."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from cchc_portal.adapters.api import Refused, ServiceUnavailable
from cchc_portal.entrypoints.dependencies import AgencyDep, FormDep, ServicesDep, agency_name
from cchc_portal.entrypoints.pages import render, streamed
from cchc_portal.service_layer import agency
from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import Session
from cchc_shared.contracts.vocabulary import PAR_AREAS

router = APIRouter()

# The largest file the portal passes on to intake (intake's own cap, 20 MiB by default).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
REFUSED = "Đề xuất không được tiếp nhận; vui lòng kiểm tra lại."


@router.get("/agency")
async def agency_home(
    request: Request,
    services: ServicesDep,
    session: AgencyDep,
    status: Annotated[str | None, Query(pattern="^(draft|submitted|withdrawn)?$")] = None,
) -> Response:
    page, visits = await asyncio.gather(
        agency.list_initiatives(services.apis, session, status or None),
        _schedule_if_readable(services, session),
    )
    return render(
        request,
        "agency/home.html",
        {
            "page": page,
            "status": status or "",
            "agency_name": agency_name(session.agency_code),
            "visits": visits,
        },
        session=session,
    )


async def _schedule_if_readable(
    services: PortalServices, session: Session
) -> list[dict[str, Any]] | None:
    try:
        return await agency.schedule(services.apis, session)
    except ServiceUnavailable:
        return None  # the list still shows; the schedule says it cannot be read now


def _form_page(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    *,
    initiative: dict[str, Any] | None = None,
) -> Response:
    known = set(agency.FORM_FIELDS)
    return render(
        request,
        "agency/form.html",
        {
            "values": values,
            "errors": {k: v for k, v in errors.items() if k in known},
            # A fault the form has no field for (e.g. the campaign is closed) is shown on top.
            "other_errors": [v for k, v in errors.items() if k not in known],
            "par_areas": PAR_AREAS,
            "initiative": initiative,
        },
        status_code=status_code,
        session=session,
    )


def _refused_form(
    request: Request,
    session: Session,
    values: dict[str, str],
    exc: Refused,
    initiative: dict[str, Any] | None = None,
) -> Response:
    """Refused fields (422) or a refused submission (e.g. 409, the campaign is closed): the
    form comes back with what was typed, the reasons beside the fields or on top."""
    if exc.status in (403, 404):
        raise exc
    errors = exc.by_field() or {"": REFUSED}
    return _form_page(request, session, values, errors, exc.status, initiative=initiative)


def _typed(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "") for name in agency.FORM_FIELDS}


def _wants_draft(form: dict[str, str]) -> bool:
    # The "Lưu nháp" button sends the API's own field: draft=true.
    return form.get("draft") == "true"


def _to(initiative_id: Any, note: str) -> RedirectResponse:
    return RedirectResponse(f"/agency/initiatives/{initiative_id}?done={note}", status_code=303)


@router.get("/agency/initiatives/new")
async def new_initiative(request: Request, session: AgencyDep) -> Response:
    return _form_page(request, session, {}, {})


@router.post("/agency/initiatives")
async def create_initiative(
    request: Request, services: ServicesDep, session: AgencyDep, form: FormDep
) -> Response:
    values = _typed(form)
    try:
        if _wants_draft(form):
            created = await agency.save_draft(services.apis, session, values)
        else:
            created = await agency.submit_initiative(services.apis, session, values)
    except Refused as exc:
        return _refused_form(request, session, values, exc)
    return _to(created["initiative_id"], "saved" if _wants_draft(form) else "created")


# What the page says after each action (?done=...).
DONE = {
    "created": "Đã gửi đề xuất. Sở Nội vụ đã tiếp nhận.",
    "saved": "Đã lưu bản nháp. Bản nháp chưa được gửi; bạn có thể sửa và gửi sau.",
    "changed": "Đã lưu thay đổi.",
    "withdrawn": "Đã rút đề xuất.",
    "uploaded": "Đã tải tệp đính kèm lên.",
}


@router.get("/agency/initiatives/{initiative_id}")
async def initiative_page(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    done: Annotated[str | None, Query(max_length=16)] = None,
    created: bool = False,
) -> Response:
    notice = DONE.get("created" if created else (done or ""), "")
    return await _initiative(request, services, session, initiative_id, done=notice)


async def _initiative(
    request: Request,
    services: PortalServices,
    session: Session,
    initiative_id: UUID,
    *,
    done: str = "",
    file_error: str = "",
) -> Response:
    """The initiative's page: intake's record, its timeline with reporting's view."""
    initiative = await agency.read_initiative(services.apis, session, initiative_id)
    life, history = await asyncio.gather(
        agency.progress(services.apis, session, initiative),
        agency.lineage(services.apis, session, initiative),
    )
    return render(
        request,
        "agency/initiative.html",
        {
            "initiative": initiative,
            "history": history,
            "steps": agency.timeline(initiative, life),
            "done": done,
            "file_error": file_error,
        },
        status_code=422 if file_error else 200,
        session=session,
    )


@router.get("/agency/initiatives/{initiative_id}/edit")
async def edit_initiative(
    request: Request, initiative_id: UUID, services: ServicesDep, session: AgencyDep
) -> Response:
    initiative = await agency.read_initiative(services.apis, session, initiative_id)
    return _form_page(request, session, agency.form_values(initiative), {}, initiative=initiative)


@router.post("/agency/initiatives/{initiative_id}")
async def change_initiative(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    form: FormDep,
) -> Response:
    """A draft saved again (draft=true) or submitted; a submitted initiative amended."""
    before = await agency.read_initiative(services.apis, session, initiative_id)
    values = _typed(form)
    try:
        await agency.change(services.apis, session, initiative_id, agency.changes(before, values))
        if before["status"] == "draft" and not _wants_draft(form):
            await agency.submit_draft(services.apis, session, initiative_id)
            return _to(initiative_id, "created")
    except Refused as exc:
        return _refused_form(request, session, values, exc, before)
    return _to(initiative_id, "saved" if before["status"] == "draft" else "changed")


@router.post("/agency/initiatives/{initiative_id}/submit")
async def submit_draft(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    form: FormDep,
) -> Response:
    """The draft submitted as it is; a required field still empty brings the form back with
    the error beside it."""
    try:
        await agency.submit_draft(services.apis, session, initiative_id)
    except Refused as exc:
        draft = await agency.read_initiative(services.apis, session, initiative_id)
        return _refused_form(request, session, agency.form_values(draft), exc, draft)
    return _to(initiative_id, "created")


def _confirm_page(
    request: Request,
    session: Session,
    initiative: dict[str, Any],
    action: str,
    errors: dict[str, str] | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "agency/confirm.html",
        {"initiative": initiative, "action": action, "errors": errors or {}, "reason": reason},
        status_code=status_code,
        session=session,
    )


@router.get("/agency/initiatives/{initiative_id}/{action}")
async def confirmation(
    request: Request,
    initiative_id: UUID,
    action: Annotated[str, Path(pattern="^(withdraw|discard)$")],
    services: ServicesDep,
    session: AgencyDep,
) -> Response:
    """The page that asks before an initiative is withdrawn or a draft discarded."""
    initiative = await agency.read_initiative(services.apis, session, initiative_id)
    fits = {"withdraw": "submitted", "discard": "draft"}[action] == initiative["status"]
    if not fits:  # a draft is discarded, not withdrawn; a withdrawn one stays as it is
        return RedirectResponse(f"/agency/initiatives/{initiative_id}", status_code=303)
    return _confirm_page(request, session, initiative, action)


@router.post("/agency/initiatives/{initiative_id}/withdraw")
async def withdraw_initiative(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    form: FormDep,
) -> Response:
    reason = form.get("reason", "")
    try:
        await agency.withdraw(services.apis, session, initiative_id, reason)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        initiative = await agency.read_initiative(services.apis, session, initiative_id)
        errors = exc.by_field() or {"": REFUSED}
        return _confirm_page(
            request, session, initiative, "withdraw", errors, reason, status_code=exc.status
        )
    return _to(initiative_id, "withdrawn")


@router.post("/agency/initiatives/{initiative_id}/discard")
async def discard_draft(
    initiative_id: UUID, services: ServicesDep, session: AgencyDep, form: FormDep
) -> Response:
    await agency.discard_draft(services.apis, session, initiative_id)
    return RedirectResponse("/agency?status=draft", status_code=303)


@router.post("/agency/initiatives/{initiative_id}/attachments")
async def upload_attachment(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    form: FormDep,
) -> Response:
    sent = (await request.form()).get("file")
    error = ""
    if not isinstance(sent, UploadFile) or not sent.filename:
        error = "Chưa chọn tệp để tải lên"
    elif (sent.size or 0) > UPLOAD_MAX_BYTES:
        error = f"Tệp lớn hơn {UPLOAD_MAX_BYTES // (1024 * 1024)} MB"
    else:
        content = await sent.read()
        try:
            await agency.upload(
                services.apis,
                session,
                initiative_id,
                sent.filename,
                content,
                sent.content_type or "application/octet-stream",
            )
        except Refused as exc:
            if exc.status in (403, 404):
                raise
            error = exc.by_field().get("file") or "; ".join(exc.by_field().values()) or REFUSED
    if not error:
        return _to(initiative_id, "uploaded")
    return await _initiative(request, services, session, initiative_id, file_error=error)


@router.get("/agency/initiatives/{initiative_id}/attachments/{attachment_id}")
async def download_attachment(
    initiative_id: UUID, attachment_id: UUID, services: ServicesDep, session: AgencyDep
) -> StreamingResponse:
    path = f"/initiatives/{initiative_id}/attachments/{attachment_id}"
    return await streamed(services.apis, "intake", path, session)


@router.get("/agency/rounds/{round_id}/notices/{agency_code}.{file_format}")
async def download_notice(
    round_id: UUID,
    agency_code: Annotated[str, Path(pattern=r"^[A-Z0-9]{2,16}$")],
    file_format: Annotated[str, Path(pattern="^(docx|pdf)$")],
    services: ServicesDep,
    session: AgencyDep,
) -> StreamingResponse:
    """The notice of a visit (THÔNG BÁO) addressed to the agency; scheduling refuses another
    agency's."""
    path = f"/rounds/{round_id}/notices/agencies/{agency_code}.{file_format}"
    return await streamed(services.apis, "scheduling", path, session)
