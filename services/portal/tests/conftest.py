"""Fixtures of the portal's unit tests: the real app, its APIs answered by a fake intake
(``httpx.MockTransport``) that keeps what was sent and answers as intake does."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings

REQUIRED = ("kind", "title", "summary", "par_area", "applied_since", "results")


@dataclass
class FakeIntake:
    """Intake as the portal sees it: initiatives per agency; a missing field is a 422 naming it,
    another agency's initiative a 404; ``down`` makes every call fail to connect."""

    initiatives: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    down: bool = False
    closed: bool = False  # the campaign no longer takes submissions (409)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/health/live":
            return httpx.Response(200, json={"status": "ok"})
        agency = self.agency_of(request)
        path = request.url.path.removeprefix("/api/v1")
        if path == "/initiatives" and request.method == "POST":
            body = json.loads(request.content)
            if self.closed:
                return httpx.Response(
                    409,
                    json={
                        "detail": [
                            {
                                "field": "campaign_year",
                                "message": "Đợt khảo sát đã hết hạn nhận đề xuất",
                                "message_en": "the campaign no longer takes submissions",
                            }
                        ]
                    },
                )
            if body.pop("draft", False) is True:  # a draft: nothing required yet
                return self.saved(body, agency, status="draft")
            missing = [f for f in REQUIRED if f not in body]
            if missing:
                return httpx.Response(
                    422,
                    json={
                        "detail": [
                            {
                                "field": f,
                                "message": "Trường bắt buộc bị thiếu: Field required",
                                "message_en": "Field required",
                            }
                            for f in missing
                        ]
                    },
                )
            initiative = {
                **body,
                "initiative_id": str(uuid.uuid4()),
                "agency_code": agency,
                "agency_name": f"Đơn vị {agency}",
                "campaign_year": 2026,
                "status": "submitted",
                "submitted_at": "2026-12-02T10:00:00+00:00",
                "amended_at": None,
                "withdrawn_at": None,
                "withdrawal_reason": "",
                "limitations": body.get("limitations", ""),
            }
            self.initiatives[initiative["initiative_id"]] = initiative
            return httpx.Response(201, json=initiative)
        if path == "/visits":  # scheduling: no visit planned yet
            return httpx.Response(200, json=[])
        if path == "/initiatives":
            status = request.url.params.get("status")
            items = [
                i
                for i in self.initiatives.values()
                if i["agency_code"] == agency
                and (i["status"] == status if status else i["status"] != "draft")
            ]
            return httpx.Response(
                200, json={"items": items, "total": len(items), "page": 1, "page_size": 100}
            )
        if path.startswith("/initiatives/"):
            found = self.initiatives.get(path.split("/")[2])
            if found is None or found["agency_code"] != agency:
                return httpx.Response(
                    404,
                    json={"detail": [{"field": "initiative_id", "message": "Không tìm thấy"}]},
                )
            return self.act_on(request, found, path.split("/")[3:])
        return httpx.Response(404, json={"detail": []})

    def saved(self, body: dict[str, Any], agency: str | None, status: str) -> httpx.Response:
        initiative = {
            **body,
            "initiative_id": str(uuid.uuid4()),
            "agency_code": agency,
            "agency_name": f"Đơn vị {agency}",
            "campaign_year": 2026,
            "status": status,
            "created_at": "2026-12-02T09:00:00+00:00",
            "updated_at": None,
            "attachments": [],
        }
        self.initiatives[initiative["initiative_id"]] = initiative
        return httpx.Response(201, json=initiative)

    def act_on(
        self, request: httpx.Request, found: dict[str, Any], rest: list[str]
    ) -> httpx.Response:
        """Intake's operations on one draft or initiative (read, change, submit, withdraw,
        discard, attach)."""
        action = (request.method, rest[0] if rest else "")
        if action == ("GET", ""):
            return httpx.Response(200, json=found)
        if action == ("PATCH", ""):
            found.update(json.loads(request.content))
            if found["status"] == "submitted":
                found["amended_at"] = "2026-12-02T11:00:00+00:00"
            return httpx.Response(200, json=found)
        if action == ("POST", "submit"):
            missing = [f for f in REQUIRED if not found.get(f)]
            if missing:
                return httpx.Response(
                    422,
                    json={
                        "detail": [
                            {"field": f, "message": "Trường bắt buộc bị thiếu"} for f in missing
                        ]
                    },
                )
            found.update(status="submitted", submitted_at="2026-12-02T10:00:00+00:00")
            return httpx.Response(200, json=found)
        if action == ("POST", "withdraw"):
            reason = json.loads(request.content)["reason"]
            found.update(
                status="withdrawn",
                withdrawal_reason=reason,
                withdrawn_at="2026-12-03T08:00:00+00:00",
            )
            return httpx.Response(200, json=found)
        if action == ("DELETE", ""):
            del self.initiatives[found["initiative_id"]]
            return httpx.Response(204)
        if action == ("POST", "attachments"):
            attachment = {
                "attachment_id": str(uuid.uuid4()),
                "filename": "bao-cao.pdf",
                "size": len(request.content),
                "uploaded_at": "2026-12-02T12:00:00+00:00",
            }
            found.setdefault("attachments", []).append(attachment)
            return httpx.Response(201, json=attachment)
        return httpx.Response(404, json={"detail": []})

    @staticmethod
    def agency_of(request: httpx.Request) -> str | None:
        import jwt

        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        return claims.get("agency_code")


@dataclass
class Portal:
    client: httpx.AsyncClient
    intake: FakeIntake

    async def sign_in(self, role: str = "agency_submitter", agency: str = "760") -> None:
        response = await self.client.get("/dev/sign-in", params={"role": role, "agency": agency})
        assert response.status_code == 303, response.text

    def csrf(self, html: str) -> str:
        marker = 'name="csrf_token" value="'
        start = html.index(marker) + len(marker)
        return html[start : html.index('"', start)]


async def portal_for(settings: PortalSettings, intake: FakeIntake) -> AsyncIterator[Portal]:
    app = create_app(settings, transport=httpx.MockTransport(intake.handle))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1:8000"
        ) as client,
    ):
        yield Portal(client, intake)


@pytest.fixture
async def portal() -> AsyncIterator[Portal]:
    async for p in portal_for(PortalSettings(development_sign_in=True), FakeIntake()):
        yield p
