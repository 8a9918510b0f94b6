"""The survey's mail: the PAR office's outbox (secretariat and admin) — every message of a
campaign, why one was refused and sending it again to a corrected address, releasing a
round's mail held for review, the campaign's mail setting — and, for every signed-in person,
how they receive what is not mandatory."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from cchc_portal.adapters.api import Refused
from cchc_portal.entrypoints.dependencies import FormDep, OfficeDep, ServicesDep, SessionDep
from cchc_portal.entrypoints.pages import render
from cchc_portal.service_layer import campaign, mail
from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import Session
from cchc_shared.contracts.vocabulary import Role

router = APIRouter()

Year = Annotated[int | None, Query(ge=2000, le=2100)]
CampaignYear = Annotated[int, Path(ge=2000, le=2100)]
Filter = Annotated[str | None, Query(max_length=40)]


def _vocabulary() -> dict[str, Any]:
    return {
        "mail_statuses": mail.MAIL_STATUSES,
        "recipient_kinds": mail.RECIPIENT_KINDS,
        "categories": mail.CATEGORIES,
    }


async def _round_names(services: PortalServices, session: Session, year: int) -> dict[str, str]:
    """Each round of the campaign by its number (reporting's rounds: "Đợt 2")."""
    found = await campaign.rounds(services.apis, session, year)
    return {str(r["round_id"]): f"Đợt {r['sequence']}" for r in found}


@router.get("/office/mail")
async def outbox_page(
    request: Request,
    services: ServicesDep,
    session: OfficeDep,
    campaign_year: Year = None,
    status: Filter = None,
    round_id: Filter = None,
    recipient_kind: Filter = None,
) -> Response:
    """The campaign's messages under the filters, with the counts by status."""
    year, available = await campaign.year_choice(services.apis, session, campaign_year)
    filters = {
        "status": status or "",
        "round_id": round_id or "",
        "recipient_kind": recipient_kind or "",
    }
    found: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    rounds: dict[str, str] = {}
    if year is not None:
        rounds = await _round_names(services, session, year)
        try:
            found = await mail.outbox(services.apis, session, year, filters)
        except Refused as exc:
            if exc.status != 422:
                raise
            errors = exc.by_field() or {"": "Bộ lọc không hợp lệ."}
    return render(
        request,
        "office/mail.html",
        {
            "year": year,
            "years": available,
            "filters": filters,
            "found": found,
            "errors": errors,
            "rounds": rounds,
            "can_change": Role.ADMIN.value in session.roles,
            **_vocabulary(),
        },
        status_code=422 if errors else 200,
        session=session,
    )


@router.post("/office/mail/settings/{year}")
async def change_settings(
    year: CampaignYear, services: ServicesDep, session: OfficeDep, form: FormDep
) -> Response:
    """Whether the campaign's round mail waits for review (admin; the page offers it only to
    the admin, the API checks the role again)."""
    await mail.change_settings(services.apis, session, year, form)
    return RedirectResponse(f"/office/mail?campaign_year={year}&settings=1", status_code=303)


async def _message_page(
    request: Request,
    services: PortalServices,
    session: Session,
    notification_id: UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await mail.message(services.apis, session, notification_id)
    year = found.get("campaign_year")
    rounds = await _round_names(services, session, int(year)) if year else {}
    return render(
        request,
        "office/mail_message.html",
        {
            "message": found,
            "rounds": rounds,
            "values": values or {},
            "errors": errors or {},
            **_vocabulary(),
        },
        status_code=status_code,
        session=session,
    )


@router.get("/office/mail/{notification_id}")
async def message_page(
    request: Request, notification_id: UUID, services: ServicesDep, session: OfficeDep
) -> Response:
    """One message: its subject, recipient, attachments, text and, if refused, the reply of
    the mail server."""
    return await _message_page(request, services, session, notification_id)


@router.post("/office/mail/{notification_id}/resend")
async def resend(
    request: Request,
    notification_id: UUID,
    services: ServicesDep,
    session: OfficeDep,
    form: FormDep,
) -> Response:
    values = {"email": form.get("email", "")}
    try:
        await mail.resend(services.apis, session, notification_id, values["email"])
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        errors = exc.by_field() or {"": "Thư chưa được gửi lại."}
        if "" in errors and "email" not in errors and exc.status == 422:
            errors = {"email": errors.pop("")} | errors
        return await _message_page(
            request,
            services,
            session,
            notification_id,
            values=values,
            errors=errors,
            status_code=exc.status,
        )
    return RedirectResponse(f"/office/mail/{notification_id}?resent=1", status_code=303)


@router.get("/office/mail/rounds/{round_id}/release")
async def release_page(
    request: Request, round_id: UUID, services: ServicesDep, session: OfficeDep
) -> Response:
    """The confirmation step: the round's messages held for review, before they go out."""
    found = await mail.round_messages(services.apis, session, round_id)
    held = [m for m in found if m["status"] == "held"]
    year = next((m["campaign_year"] for m in found if m.get("campaign_year")), None)
    rounds = await _round_names(services, session, int(year)) if year else {}
    return render(
        request,
        "office/mail_release.html",
        {
            "round_id": str(round_id),
            "round_name": rounds.get(str(round_id), "Đợt khảo sát"),
            "year": year,
            "held": held,
            **_vocabulary(),
        },
        session=session,
    )


@router.post("/office/mail/rounds/{round_id}/release")
async def release(
    round_id: UUID,
    services: ServicesDep,
    session: OfficeDep,
    form: FormDep,
    campaign_year: Year = None,
) -> Response:
    released = await mail.release(services.apis, session, round_id)
    year = f"campaign_year={campaign_year}&" if campaign_year else ""
    return RedirectResponse(f"/office/mail?{year}released={released}", status_code=303)


async def _preferences_page(
    request: Request,
    services: PortalServices,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    found = await mail.preferences(services.apis, session)
    return render(
        request,
        "preferences.html",
        {
            "recipient": found[0] if found else None,
            "choices": found[1] if found else [],
            "values": values or {},
            "errors": errors or {},
            "modes": mail.MODES,
            "categories": mail.CATEGORIES,
        },
        status_code=status_code,
        session=session,
    )


@router.get("/preferences")
async def preferences_page(
    request: Request, services: ServicesDep, session: SessionDep
) -> Response:
    """How the person receives each kind of message; what is mandatory cannot be turned off."""
    return await _preferences_page(request, services, session)


@router.post("/preferences")
async def set_preference(
    request: Request, services: ServicesDep, session: SessionDep, form: FormDep
) -> Response:
    values = {k: form.get(k, "") for k in mail.PREFERENCE_FIELDS}
    try:
        await mail.set_preference(services.apis, session, values)
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        faults = exc.by_field()
        # Beside the category's choice: the API names the category or the mode at fault.
        reason = faults.get("category") or faults.get("mode") or next(iter(faults.values()), "")
        errors = {values["category"]: reason or "Chưa lưu được lựa chọn."}
        return await _preferences_page(
            request, services, session, values=values, errors=errors, status_code=exc.status
        )
    return RedirectResponse(f"/preferences?saved={values['category']}", status_code=303)
