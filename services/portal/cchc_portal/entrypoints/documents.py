"""The campaign's documents (reporting's survey report, proposal and PAR-Index annex, each
round's report), streamed through the portal with the person's token: for the PAR office and
the committee alike."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from cchc_portal.entrypoints.dependencies import DocumentReaderDep, ServicesDep
from cchc_portal.entrypoints.pages import streamed

router = APIRouter()

YearPath = Annotated[int, Path(ge=2000, le=2100)]
Format = Annotated[str, Path(pattern="^(docx|pdf)$")]
DocumentKind = Annotated[str, Path(pattern="^(survey-report|proposal|par-index-annex)$")]


@router.get("/documents/{year}/{kind}.{file_format}")
async def campaign_document(
    year: YearPath,
    kind: DocumentKind,
    file_format: Format,
    services: ServicesDep,
    session: DocumentReaderDep,
) -> StreamingResponse:
    path = f"/campaigns/{year}/documents/{kind}.{file_format}"
    return await streamed(services.apis, "reporting", path, session)


@router.get("/documents/{year}/rounds/{round_id}/survey-report.{file_format}")
async def round_document(
    year: YearPath,
    round_id: UUID,
    file_format: Format,
    services: ServicesDep,
    session: DocumentReaderDep,
) -> StreamingResponse:
    path = f"/campaigns/{year}/rounds/{round_id}/documents/survey-report.{file_format}"
    return await streamed(services.apis, "reporting", path, session)
