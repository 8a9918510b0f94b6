"""The surveyor's workspace: their visits and the on-site evaluation form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cchc_portal.entrypoints.dependencies import SurveyorDep
from cchc_portal.entrypoints.pages import render

router = APIRouter()


@router.get("/surveyor")
async def surveyor_home(request: Request, session: SurveyorDep) -> Response:
    return render(request, "workspace.html", {"title": "Lịch khảo sát của tôi"}, session=session)
