"""Sign-in (OpenID Connect code flow with PKCE, or the local run's development sign-in) and
sign-out."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from cchc_portal.adapters.oidc import PendingSignIn, SignInFailed
from cchc_portal.entrypoints.dependencies import (
    FormDep,
    ServicesDep,
    SessionDep,
    agency_name,
    current_session,
    home_of,
    now,
    safe_next,
    with_session,
)
from cchc_portal.entrypoints.pages import error_page, render
from cchc_portal.service_layer.sessions import LOGIN_COOKIE, SESSION_COOKIE, Session
from cchc_shared.auth import issue_token
from cchc_shared.contracts.vocabulary import Role
from cchc_shared.reference import get_agency

router = APIRouter()


@router.get("/")
async def index(request: Request) -> Response:
    session = current_session(request)
    return RedirectResponse(home_of(session) if session else "/sign-in", status_code=303)


@router.get("/sign-in")
async def sign_in_page(
    request: Request, services: ServicesDep, next: str | None = None
) -> Response:
    return render(
        request,
        "sign_in.html",
        {
            "next": safe_next(next) or "",
            "oidc": services.oidc is not None,
            "development": services.settings.development_sign_in,
            "roles": [r.value for r in Role],
        },
        session=current_session(request),
    )


@router.get("/auth/login")
async def oidc_login(services: ServicesDep, next: str | None = None) -> Response:
    if services.oidc is None:
        return RedirectResponse("/sign-in", status_code=303)
    url, pending = await services.oidc.begin(safe_next(next) or "")
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        LOGIN_COOKIE,
        services.logins.seal(asdict(pending)),
        max_age=services.logins.max_age,
        httponly=True,
        samesite="lax",  # sent back on the provider's top-level redirect to the callback
        secure=services.secure_cookies,
        path="/auth",
    )
    return response


@router.get("/auth/callback")
async def oidc_callback(
    request: Request,
    services: ServicesDep,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if services.oidc is None:
        return RedirectResponse("/sign-in", status_code=303)
    data = services.logins.open(request.cookies.get(LOGIN_COOKIE))
    if error or not code or not state or data is None:
        message = (
            "Hệ thống đăng nhập không xác nhận được danh tính; vui lòng đăng nhập lại"
            if error
            else "Phiên đăng nhập đã hết hạn hoặc không hợp lệ; vui lòng đăng nhập lại"
        )
        return error_page(request, 400, "Chưa đăng nhập được", message)
    try:
        session = await services.oidc.finish(PendingSignIn(**data), code, state)
    except (SignInFailed, TypeError) as exc:
        message = exc.message if isinstance(exc, SignInFailed) else "Phiên đăng nhập không hợp lệ"
        return error_page(request, 400, "Chưa đăng nhập được", message)
    target = safe_next(str(data.get("next_path") or "")) or home_of(session)
    response = with_session(RedirectResponse(target, status_code=303), services, session)
    response.delete_cookie(LOGIN_COOKIE, path="/auth")
    return response


@router.post("/sign-out")
async def sign_out(services: ServicesDep, session: SessionDep, form: FormDep) -> Response:
    target = "/signed-out"
    if session.source == "oidc" and services.oidc is not None:
        back = f"{services.settings.resolved_public_url}/signed-out"
        target = await services.oidc.logout_url(back) or target
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    # The browser's HTTP cache of the signed-in pages goes too; the surveyor's kept pages are
    # removed by the signed-out page, and sheets not yet sent stay (not "storage").
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@router.get("/signed-out")
async def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html")


development_router = APIRouter()


@development_router.get("/dev/sign-in")
async def development_sign_in(
    request: Request,
    services: ServicesDep,
    role: Annotated[str, Query(max_length=32)] = "",
    agency: Annotated[str | None, Query(max_length=16)] = None,
    member: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The local run only (CCHC_PORTAL_DEVELOPMENT_SIGN_IN): sign in as anyone, with a
    development token like `cchc token` prints."""
    agency = agency.strip().upper() if agency and agency.strip() else None
    member = member.strip() if member and member.strip() else None
    if agency is not None and get_agency(agency) is None:
        return error_page(
            request,
            400,
            "Mã cơ quan không có trong danh mục",
            f"Mã cơ quan, đơn vị “{agency}” không có trong danh mục (agency). "
            f"Unknown agency code {agency}.",
        )
    try:
        token = issue_token(services.auth, role, agency=agency, member=member)
    except ValueError as exc:
        return error_page(request, 400, "Không đăng nhập được", f"role/agency/member: {exc}")
    session = Session(
        access_token=token,
        expires_at=now() + int(services.auth.token_lifetime.total_seconds()),
        roles=(role,),
        agency_code=agency,
        member_id=member,
        name=agency_name(agency) or member or role,
        source="development",
    )
    return with_session(RedirectResponse(home_of(session), status_code=303), services, session)
