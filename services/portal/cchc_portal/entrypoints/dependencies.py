"""What the route modules share: the session, the role guards, the checked form, redirects."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import SESSION_COOKIE, Session
from cchc_portal.service_layer.vocabulary import ROLE_HOMES
from cchc_shared.contracts.vocabulary import Role
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


def role_guard(*roles: Role) -> Callable[[Session], Session]:
    """A dependency: the signed-in person holds one of ``roles``, else the wrong-role page."""
    wanted = {r.value for r in roles}

    def guard(session: SessionDep) -> Session:
        if not wanted & set(session.roles):
            raise WrongRole
        return session

    return guard


# Each workspace's people (the APIs check the same roles again on every call).
AgencyDep = Annotated[Session, Depends(role_guard(Role.AGENCY_SUBMITTER))]
OfficeDep = Annotated[Session, Depends(role_guard(Role.SECRETARIAT, Role.ADMIN))]
SurveyorDep = Annotated[Session, Depends(role_guard(Role.SURVEYOR))]
CommitteeDep = Annotated[Session, Depends(role_guard(Role.COMMITTEE_VIEWER))]
# The campaign's documents: the PAR office and the committee.
DocumentReaderDep = Annotated[
    Session,
    Depends(role_guard(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER)),
]


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
        max_age=max(60, min(services.sessions.max_age, session.expires_at - now())),
        httponly=True,
        samesite="lax",
        secure=services.secure_cookies,
        path="/",
    )
    return response


def now() -> int:
    return int(time.time())


def agency_name(code: str | None) -> str:
    found = get_agency(code) if code else None
    return found.name if found else (code or "")
