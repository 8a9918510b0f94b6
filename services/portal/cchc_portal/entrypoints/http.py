"""The portal's pages: sign-in and sign-out, the role workspaces, health and metrics."""

from __future__ import annotations

import hmac
import time
from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from cchc_portal.adapters.api import Refused
from cchc_portal.adapters.oidc import PendingSignIn, SignInFailed
from cchc_portal.entrypoints.pages import error_page, render
from cchc_portal.service_layer import agency
from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import LOGIN_COOKIE, SESSION_COOKIE, Session
from cchc_portal.service_layer.vocabulary import ROLE_HOMES
from cchc_shared.auth import issue_token
from cchc_shared.chassis.metrics import replica_registry
from cchc_shared.contracts.vocabulary import PAR_AREAS, Role
from cchc_shared.reference import get_agency


class SignInRequired(Exception):
    """No valid session: the browser is sent to the sign-in page, then back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class WrongRole(Exception):
    pass


class FormExpired(Exception):
    """A POST whose form token is not this session's (CSRF, or a page older than the session)."""


def get_services(request: Request) -> PortalServices:
    services: PortalServices = request.app.state.services
    return services


ServicesDep = Annotated[PortalServices, Depends(get_services)]


def current_session(request: Request) -> Session | None:
    services = get_services(request)
    return services.sessions.decode(request.cookies.get(SESSION_COOKIE))


def signed_in(request: Request) -> Session:
    session = current_session(request)
    if session is None:
        raise SignInRequired(request.url.path)
    return session


SessionDep = Annotated[Session, Depends(signed_in)]


def agency_staff(session: SessionDep) -> Session:
    if Role.AGENCY_SUBMITTER.value not in session.roles:
        raise WrongRole
    return session


AgencyDep = Annotated[Session, Depends(agency_staff)]


async def checked_form(request: Request, session: SessionDep) -> dict[str, str]:
    """The form's fields, once its token is this session's (every POST form carries it)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    sent = values.pop("csrf_token", "")
    if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise FormExpired
    return values


FormDep = Annotated[dict[str, str], Depends(checked_form)]


def safe_next(value: str | None) -> str | None:
    """A path on this portal only (never ``//host`` or a URL): no open redirect."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    return value


def home_of(session: Session) -> str:
    return ROLE_HOMES.get(session.role, "/")


def with_session(response: Response, services: PortalServices, session: Session) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        services.sessions.encode(session),
        max_age=max(60, min(services.sessions.max_age, session.expires_at - _now())),
        httponly=True,
        samesite="lax",
        secure=services.secure_cookies,
        path="/",
    )
    return response


def _now() -> int:
    return int(time.time())


router = APIRouter()

# ---------------------------------------------------------------------------------------
# Health and metrics


@router.get("/health/live", tags=["health"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", tags=["health"])
async def ready(services: ServicesDep) -> JSONResponse:
    checks = await services.apis.readiness()
    return JSONResponse(checks, status_code=200 if checks["ready"] else 503)


metrics_router = APIRouter()


@metrics_router.get("/metrics", tags=["health"])
async def metrics(services: ServicesDep) -> Response:
    registry = replica_registry(services.settings.replica)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


# ---------------------------------------------------------------------------------------
# Sign-in and sign-out


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
        expires_at=_now() + int(services.auth.token_lifetime.total_seconds()),
        roles=(role,),
        agency_code=agency,
        member_id=member,
        name=_agency_name(agency) or member or role,
        source="development",
    )
    return with_session(RedirectResponse(home_of(session), status_code=303), services, session)


# ---------------------------------------------------------------------------------------
# The agency workspace


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
        {"page": page, "status": status or "", "agency_name": _agency_name(session.agency_code)},
        session=session,
    )


def _agency_name(code: str | None) -> str:
    found = get_agency(code) if code else None
    return found.name if found else (code or "")


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


# ---------------------------------------------------------------------------------------
# The other workspaces (their flows come next)


def _workspace(role_values: tuple[str, ...], title: str) -> Any:
    async def page(request: Request, session: SessionDep) -> Response:
        if not set(role_values) & set(session.roles):
            raise WrongRole
        return render(request, "workspace.html", {"title": title}, session=session)

    return page


router.add_api_route(
    "/office",
    _workspace((Role.SECRETARIAT.value, Role.ADMIN.value), "Phòng Cải cách hành chính"),
    methods=["GET"],
)
router.add_api_route(
    "/surveyor", _workspace((Role.SURVEYOR.value,), "Lịch khảo sát của tôi"), methods=["GET"]
)
router.add_api_route(
    "/committee",
    _workspace((Role.COMMITTEE_VIEWER.value,), "Kết quả khảo sát và đề xuất nhân rộng"),
    methods=["GET"],
)
