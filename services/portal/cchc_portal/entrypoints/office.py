"""The PAR office's workspace (secretariat and admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cchc_portal.entrypoints.dependencies import OfficeDep
from cchc_portal.entrypoints.pages import render

router = APIRouter()


@router.get("/office")
async def office_home(request: Request, session: OfficeDep) -> Response:
    return render(
        request, "workspace.html", {"title": "Phòng Cải cách hành chính"}, session=session
    )
