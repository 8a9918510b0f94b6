"""HTTP entry points (``/api/v1``): thin, they parse, call a handler and shape the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from cchc_replication.entrypoints.schemas import (
    AssignmentOut,
    CandidateOut,
    DecisionIn,
    DecisionOut,
    EvidenceOut,
    ReportIn,
    ReportOut,
)
from cchc_replication.service_layer import handlers, queries
from cchc_replication.service_layer.services import Services
from cchc_shared.auth import Principal, Role, require_roles
from cchc_shared.auth.principal import PERSON_ROLE_SET
from cchc_shared.chassis.http import CampaignYearFilter
from cchc_shared.contracts.events import AGENCY_CODE_PATTERN
from cchc_shared.files import CHUNK_BYTES

router = APIRouter()

Staff = Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))]
Person = Annotated[Principal, Depends(require_roles(*PERSON_ROLE_SET))]
AgencyPath = Annotated[str, Path(pattern=AGENCY_CODE_PATTERN, description="Agency code")]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(_services)]


@router.get("/candidates", tags=["decisions"], response_model=list[CandidateOut])
async def list_candidates(
    principal: Staff, services: Svc, campaign_year: CampaignYearFilter = None
) -> list[CandidateOut]:
    """The initiatives the Department recommended (ReplicationRecommended), best first, and
    the decision that recognised each, if any."""
    found = await queries.candidates(services, principal, campaign_year)
    return [CandidateOut.of(s) for s in found]


@router.post("/decisions", tags=["decisions"], status_code=201, response_model=DecisionOut)
async def record_decision(body: DecisionIn, principal: Staff, services: Svc) -> DecisionOut:
    """Record the Chairman's Quyết định: which recommended initiatives are recognised, the
    scope of replication, the target agencies (resolved from the reference data) and the
    deadline of each. Publishes ReplicationDecided."""
    decision = await handlers.record_decision(services, principal, body.command())
    return DecisionOut.of(decision)


@router.get("/decisions", tags=["decisions"], response_model=list[DecisionOut])
async def list_decisions(
    _: Person, services: Svc, campaign_year: CampaignYearFilter = None
) -> list[DecisionOut]:
    """The decisions recorded, by signing date."""
    return [DecisionOut.of(d) for d in await queries.decisions(services, campaign_year)]


@router.get("/decisions/{decision_id}", tags=["decisions"], response_model=DecisionOut)
async def get_decision(decision_id: UUID, _: Person, services: Svc) -> DecisionOut:
    return DecisionOut.of(await queries.decision(services, decision_id))


@router.post(
    "/adoption-reports",
    tags=["adoption"],
    status_code=201,
    response_model=ReportOut,
    responses={200: {"description": "The same as the quarter's latest revision: nothing changed"}},
)
async def submit_report(
    body: ReportIn, principal: Person, services: Svc, response: Response
) -> ReportOut:
    """A target agency's report for one quarter on one model (the PAR office may enter it for
    the agency). A different content for a quarter already reported is an amendment (a new
    revision; the earlier ones stay); the same content again changes nothing (200).
    Publishes AdoptionReported for each new revision."""
    outcome = await handlers.submit_report(
        services,
        principal,
        handlers.SubmitReport(
            body.initiative_id,
            body.agency_code,
            body.quarter,
            body.content(),
            body.received_on,
            tuple(body.evidence_ids),
        ),
    )
    if not outcome.created:
        response.status_code = 200
    return ReportOut.of(outcome.report)


@router.get(
    "/agencies/{agency_code}/assignments", tags=["adoption"], response_model=list[AssignmentOut]
)
async def agency_assignments(
    agency_code: AgencyPath, principal: Person, services: Svc
) -> list[AssignmentOut]:
    """The models an agency must adopt, with where it stands (its latest quarter's report)."""
    found = await queries.assignments(services, principal, agency_code)
    return [AssignmentOut.of(a) for a in found]


@router.get(
    "/models/{initiative_id}/agencies/{agency_code}/reports",
    tags=["adoption"],
    response_model=list[ReportOut],
)
async def report_history(
    initiative_id: UUID, agency_code: AgencyPath, principal: Person, services: Svc
) -> list[ReportOut]:
    """Every revision of every quarter an agency reported on a model, oldest first."""
    found = await queries.history(services, principal, initiative_id, agency_code)
    return [ReportOut.of(r) for r in found]


@router.post(
    "/models/{initiative_id}/agencies/{agency_code}/evidence",
    tags=["adoption"],
    status_code=201,
    response_model=EvidenceOut,
)
async def upload_evidence(
    initiative_id: UUID,
    agency_code: AgencyPath,
    file: UploadFile,
    principal: Person,
    services: Svc,
) -> EvidenceOut:
    """An evidence file for the agency's reports on a model (multipart ``file``): PDF,
    DOCX, PNG, JPEG or WebP recognised by its content, within the size limit
    (``CCHC_REPLICATION_EVIDENCE_MAX_BYTES``, 20 MiB); sha256 recorded. A report attaches it
    by ``evidence_ids``. The target agency for itself, the PAR office for any."""

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await file.read(CHUNK_BYTES):
            yield chunk

    found = await handlers.upload_evidence(
        services,
        principal,
        initiative_id=initiative_id,
        agency_code=agency_code,
        filename=file.filename or "",
        chunks=chunks(),
    )
    return EvidenceOut.of(found)


@router.get(
    "/models/{initiative_id}/agencies/{agency_code}/evidence/{evidence_id}",
    tags=["adoption"],
    response_class=StreamingResponse,
)
async def download_evidence(
    initiative_id: UUID,
    agency_code: AgencyPath,
    evidence_id: UUID,
    principal: Person,
    services: Svc,
) -> StreamingResponse:
    """An evidence file, for who may read the agency's reports (the agency itself, the PAR
    office, the People's Committee)."""
    file, content = await handlers.evidence_file(
        services, principal, initiative_id, agency_code, evidence_id
    )
    return StreamingResponse(
        content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file.filename)}",
            "Content-Length": str(file.size),
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTERS = [router]
