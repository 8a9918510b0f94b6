"""The committee's workspace: the campaign's results and the recommended initiatives."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cchc_portal.entrypoints.dependencies import CommitteeDep
from cchc_portal.entrypoints.pages import render

router = APIRouter()


@router.get("/committee")
async def committee_home(request: Request, session: CommitteeDep) -> Response:
    return render(
        request,
        "workspace.html",
        {"title": "Kết quả khảo sát và đề xuất nhân rộng"},
        session=session,
    )
