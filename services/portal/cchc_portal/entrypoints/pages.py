"""Rendering: the templates, the pages' security policy, and the error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.templating import Jinja2Templates

from cchc_portal.adapters.api import ServiceApis
from cchc_portal.service_layer.sessions import Session
from cchc_portal.service_layer.vocabulary import (
    FIELD_LABELS,
    KIND_LABELS,
    NAV_LINKS,
    ROLE_HOMES,
    ROLE_LABELS,
    STATUS_LABELS,
)
from cchc_shared.contracts.vocabulary import BUILDS_ON_RELATION_NAMES_VI
from cchc_shared.reference import par_areas

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
TEMPLATES.env.globals.update(
    field_labels=FIELD_LABELS,
    kind_labels=KIND_LABELS,
    status_labels=STATUS_LABELS,
    role_labels=ROLE_LABELS,
    role_homes=ROLE_HOMES,
    par_area_names={a.code: a.name for a in par_areas()},
    relation_labels=BUILDS_ON_RELATION_NAMES_VI,
)


def _date_vi(value: Any) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates (ISO date or datetime text in)."""
    text = str(value or "")
    if len(text) < 10:
        return text
    return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"


TEMPLATES.env.filters["date_vi"] = _date_vi


def _nav_links(session: Session) -> tuple[tuple[str, str], ...]:
    """The links of the person's workspace (its home path names it: /office, /committee...)."""
    workspace = ROLE_HOMES.get(session.role, "/").strip("/")
    return NAV_LINKS.get(workspace, ())


TEMPLATES.env.globals["nav_links"] = _nav_links


def _replace_page(params: Any, number: int) -> str:
    """The list's query string with another page number (the filters kept)."""
    kept = [(k, v) for k, v in params.multi_items() if k != "page"]
    return urlencode([*kept, ("page", str(number))])


TEMPLATES.env.filters["replace_page"] = _replace_page


def page_policy(issuer: str | None) -> str:
    """The pages' Content-Security-Policy: only the portal's own scripts and styles; forms post
    to the portal, whose sign-out redirects to the identity provider (Chromium applies
    form-action to the redirect too)."""
    form_action = "'self'"
    if issuer is not None:
        parts = urlsplit(issuer)
        form_action += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    session: Session | None = None,
) -> HTMLResponse:
    values = {"session": session, **(context or {})}
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
    response.headers["Content-Security-Policy"] = request.app.state.page_policy
    return response


def error_page(
    request: Request,
    status_code: int,
    title: str,
    message: str,
    *,
    session: Session | None = None,
) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"title": title, "message": message},
        status_code=status_code,
        session=session,
    )


async def streamed(
    apis: ServiceApis,
    service: str,
    path: str,
    session: Session,
    params: dict[str, Any] | None = None,
) -> StreamingResponse:
    """A file from a service's API (a document, an attachment), fetched with the person's
    token and streamed to the browser as it arrives, with its name and type."""
    download = await apis.download(service, path, session.access_token, params=params)
    response = StreamingResponse(download.chunks(), headers=download.headers)
    response.headers["Cache-Control"] = "private, no-store"
    return response
