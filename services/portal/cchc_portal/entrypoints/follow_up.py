"""The pages of the follow-up of replication: the models the Chairman of the City People's
Committee recognised and how far each has spread, read without signing in (the reporting
service publishes them); the agency's models to adopt, with its quarterly report (to the
replication service, with the person's token); the PAR office's follow-up board."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from cchc_portal.adapters.api import Refused
from cchc_portal.entrypoints.agency import UPLOAD_MAX_BYTES
from cchc_portal.entrypoints.dependencies import (
    AgencyDep,
    FormDep,
    OfficeDep,
    ServicesDep,
    current_session,
)
from cchc_portal.entrypoints.pages import TEMPLATES, render, streamed
from cchc_shared.contracts.vocabulary import ADOPTION_STATUSES
from cchc_shared.reference import DISTRICT_TILES, get_agency, short_district_name

router = APIRouter()


def _percent_vi(value: float) -> str:
    """28.6 -> "28,6%": Vietnamese writes a decimal comma."""
    return f"{value:g}".replace(".", ",") + "%"


TEMPLATES.env.filters["percent_vi"] = _percent_vi

SCOPE_LABELS = {
    "city_wide": "Toàn Thành phố",
    "district_level": "Cấp huyện",
    "commune_level": "Cấp xã",
}
SHADES = 5  # the tile colours: 0-19 %, 20-39 %, … 80-99 %, and 100 % (shade-5)


@dataclass(frozen=True)
class Tile:
    name: str
    column: int  # 1-based, for the CSS grid
    row: int
    shade: str  # a CSS class: how far the model reached there
    figure: str


def tiles(districts: list[dict[str, Any]]) -> list[Tile]:
    found = []
    for d in districts:
        column, row = DISTRICT_TILES[d["district_code"]]
        percent = d["percent"]
        shade = "shade-none" if percent is None else f"shade-{min(SHADES, int(percent // 20))}"
        figure = f"{d['adopted']}/{d['targets']}" if d["targets"] else "—"
        found.append(Tile(short_district_name(d["name"]), column + 1, row + 1, shade, figure))
    return found


@router.get("/nhan-rong", response_class=HTMLResponse)
async def recognised_models(request: Request, services: ServicesDep) -> HTMLResponse:
    models = await services.apis.call("reporting", "GET", "/follow-up/models", None)
    return render(
        request,
        "follow_up/models.html",
        {"title": "Mô hình được công nhận, nhân rộng", "models": models, "scopes": SCOPE_LABELS},
        session=current_session(request),
    )


@router.get("/nhan-rong/{initiative_id}", response_class=HTMLResponse)
async def recognised_model(
    request: Request, initiative_id: UUID, services: ServicesDep
) -> HTMLResponse:
    model = await services.apis.call("reporting", "GET", f"/follow-up/models/{initiative_id}", None)
    return render(
        request,
        "follow_up/model.html",
        {
            "title": model["title"],
            "model": model,
            "tiles": tiles(model["districts"]),
            "scopes": SCOPE_LABELS,
        },
        session=current_session(request),
    )


STATUS_LABELS = {
    "not_started": "Chưa triển khai",
    "in_progress": "Đang triển khai",
    "adopted": "Đã áp dụng",
    "not_suitable": "Không phù hợp",
    "no_report": "Chưa báo cáo",
}
REPORT_FIELDS = ("quarter", "status", "reason", "started_on", "adaptation")
INDICATOR_FIELDS = (
    "indicators.measured_from",
    "indicators.measured_to",
    "indicators.processing_days_before",
    "indicators.processing_days_after",
    "indicators.satisfaction_percent",
    "indicators.cases_handled",
)
_INTEGERS = frozenset({"indicators.cases_handled"})
_DATES = frozenset({"started_on", "indicators.measured_from", "indicators.measured_to"})


def _number(name: str, text: str) -> Any:
    """A typed figure as the API's number (a decimal comma is read); what is not a number is
    sent as typed, and the API names the field."""
    cleaned = text.strip().replace(",", ".")
    try:
        return int(cleaned) if name in _INTEGERS else float(cleaned)
    except ValueError:
        return text


def report_body(initiative_id: UUID, agency_code: str, form: dict[str, str]) -> dict[str, Any]:
    """The JSON body of a quarterly report from the form (same names, indicators nested); an
    empty field is not sent."""
    body: dict[str, Any] = {"initiative_id": str(initiative_id), "agency_code": agency_code}
    for name in REPORT_FIELDS:
        value = form.get(name, "").strip()
        if value:
            body[name] = value
    indicators: dict[str, Any] = {}
    for name in INDICATOR_FIELDS:
        value = form.get(name, "").strip()
        if value:
            key = name.removeprefix("indicators.")
            indicators[key] = value if name in _DATES else _number(name, value)
    if indicators:
        body["indicators"] = indicators
    return body


@router.get("/agency/nhan-rong", response_class=HTMLResponse)
async def models_to_adopt(request: Request, services: ServicesDep, session: AgencyDep) -> Response:
    code = session.agency_code or ""
    assignments = await services.apis.call(
        "reporting", "GET", f"/follow-up/agencies/{code}", session.access_token
    )
    agency = get_agency(code)
    return render(
        request,
        "follow_up/agency.html",
        {
            "title": "Mô hình phải triển khai nhân rộng",
            "assignments": assignments,
            "agency_name": agency.name if agency else code,
            "standing_labels": STATUS_LABELS,
        },
        session=session,
    )


async def _assignment(services: Any, session: Any, initiative_id: UUID) -> dict[str, Any]:
    found = await services.apis.call(
        "replication",
        "GET",
        f"/agencies/{session.agency_code}/assignments",
        session.access_token,
    )
    for item in found:
        if item["model"]["initiative_id"] == str(initiative_id):
            return dict(item)
    raise Refused(404, [])


def _known_evidence(assignment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The evidence files the agency's earlier reports on the model attached, by id."""
    found: dict[str, dict[str, Any]] = {}
    for report in assignment.get("reports", []):
        for file in report.get("evidence", []):
            found.setdefault(str(file["evidence_id"]), file)
    return found


def _report_page(
    request: Request,
    session: Any,
    assignment: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    *,
    evidence: dict[str, dict[str, Any]] | None = None,
    chosen: list[str] | None = None,
) -> Response:
    known = set(REPORT_FIELDS) | set(INDICATOR_FIELDS) | {"evidence"}
    files = {**_known_evidence(assignment), **(evidence or {})}
    return render(
        request,
        "follow_up/report.html",
        {
            "title": "Báo cáo triển khai nhân rộng",
            "assignment": assignment,
            "values": values,
            "errors": {
                ("evidence" if k.startswith("evidence_ids") else k): v
                for k, v in errors.items()
                if k in known or k.startswith("evidence_ids")
            },
            "other_errors": [
                v for k, v in errors.items() if k not in known and not k.startswith("evidence_ids")
            ],
            "statuses": [(s, STATUS_LABELS[s]) for s in ADOPTION_STATUSES],
            "evidence": files,
            "chosen": set(chosen or ()),
            "upload_limit_mb": UPLOAD_MAX_BYTES // (1024 * 1024),
        },
        status_code=status_code,
        session=session,
    )


@router.get("/agency/nhan-rong/{initiative_id}/bao-cao", response_class=HTMLResponse)
async def report_form(
    request: Request, initiative_id: UUID, services: ServicesDep, session: AgencyDep
) -> Response:
    assignment = await _assignment(services, session, initiative_id)
    return _report_page(request, session, assignment, {}, {})


async def _upload_evidence(
    services: Any, session: Any, initiative_id: UUID, files: list[UploadFile]
) -> tuple[dict[str, dict[str, Any]], str]:
    """Each chosen file uploaded to replication, as evidence for the agency's reports on the
    model: the ones stored, by id, and the reason the first refused one was refused."""
    stored: dict[str, dict[str, Any]] = {}
    path = f"/models/{initiative_id}/agencies/{session.agency_code}/evidence"
    for file in files:
        name = file.filename or ""
        if (file.size or 0) > UPLOAD_MAX_BYTES:
            return stored, f"{name}: tệp lớn hơn {UPLOAD_MAX_BYTES // (1024 * 1024)} MB"
        content = await file.read()
        try:
            found = await services.apis.call(
                "replication",
                "POST",
                path,
                session.access_token,
                files={"file": (name, content, file.content_type or "application/octet-stream")},
            )
        except Refused as exc:
            if exc.status in (403, 404):
                raise
            reason = exc.by_field().get("file") or "; ".join(exc.by_field().values())
            return stored, f"{name}: {reason or 'tệp không được tiếp nhận'}"
        stored[str(found["evidence_id"])] = found
    return stored, ""


@router.post("/agency/nhan-rong/{initiative_id}/bao-cao")
async def send_report(
    request: Request,
    initiative_id: UUID,
    services: ServicesDep,
    session: AgencyDep,
    form: FormDep,
) -> Response:
    """The quarterly report, with its evidence (multipart, no script needed): the new files
    are uploaded first, then the report attaches them and the earlier ones ticked. A refused
    file or field brings the form back with everything typed and the files already stored
    ticked, the reason beside the field."""
    values = {name: form.get(name, "") for name in (*REPORT_FIELDS, *INDICATOR_FIELDS)}
    sent = await request.form()
    chosen = [v for v in sent.getlist("evidence_ids") if isinstance(v, str) and v]
    new_files = [f for f in sent.getlist("evidence") if isinstance(f, UploadFile) and f.filename]
    uploaded, refused_file = await _upload_evidence(services, session, initiative_id, new_files)
    chosen += [i for i in uploaded if i not in chosen]
    if refused_file:
        assignment = await _assignment(services, session, initiative_id)
        return _report_page(
            request,
            session,
            assignment,
            values,
            {"evidence": refused_file},
            422,
            evidence=uploaded,
            chosen=chosen,
        )
    body = report_body(initiative_id, session.agency_code or "", values)
    if chosen:
        body["evidence_ids"] = chosen
    try:
        await services.apis.call(
            "replication", "POST", "/adoption-reports", session.access_token, json=body
        )
    except Refused as exc:
        if exc.status in (403, 404):
            raise
        # Everything typed comes back, the reasons beside the fields.
        assignment = await _assignment(services, session, initiative_id)
        errors = exc.by_field() or {"": "Báo cáo chưa được tiếp nhận; vui lòng kiểm tra lại."}
        return _report_page(
            request,
            session,
            assignment,
            values,
            errors,
            exc.status,
            evidence=uploaded,
            chosen=chosen,
        )
    return RedirectResponse("/agency/nhan-rong?sent=1", status_code=303)


@router.get("/agency/nhan-rong/{initiative_id}/minh-chung/{evidence_id}")
async def download_evidence(
    initiative_id: UUID, evidence_id: UUID, services: ServicesDep, session: AgencyDep
) -> StreamingResponse:
    """An evidence file of the agency's reports (replication refuses another agency's)."""
    path = f"/models/{initiative_id}/agencies/{session.agency_code}/evidence/{evidence_id}"
    return await streamed(services.apis, "replication", path, session)


@router.get("/office/nhan-rong", response_class=HTMLResponse)
async def follow_up_board(request: Request, services: ServicesDep, session: OfficeDep) -> Response:
    models = await services.apis.call("reporting", "GET", "/follow-up/models", session.access_token)
    late = await services.apis.call("reporting", "GET", "/follow-up/overdue", session.access_token)
    return render(
        request,
        "follow_up/board.html",
        {
            "title": "Theo dõi triển khai nhân rộng",
            "models": models,
            "overdue": late,
            "standing_labels": STATUS_LABELS,
        },
        session=session,
    )
