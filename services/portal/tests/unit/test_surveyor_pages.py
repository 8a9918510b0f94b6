"""The surveyor's pages against a fake evaluation service: the visits by day, the sheet with
the rubric's criteria, a refused sheet coming back with every reason beside its field and all
that was typed, the device's key passed on as Idempotency-Key (the page's script reads JSON),
the team's scores, and another member's visit not shown."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings
from cchc_portal.service_layer.surveyor import vietnam_today

VISIT_ID = str(uuid.uuid4())
INITIATIVE_ID = str(uuid.uuid4())
ROUND_ID = str(uuid.uuid4())
CRITERIA = [
    {
        "code": "effectiveness",
        "name": "Hiệu quả",
        "max_score": 30.0,
        "bands": [{"min_score": 0, "max_score": 30, "label": "Đạt", "descriptor": ""}],
    },
    {
        "code": "novelty",
        "name": "Tính mới",
        "max_score": 20.0,
        "bands": [{"min_score": 0, "max_score": 20, "label": "Đạt", "descriptor": ""}],
    },
]


@dataclass
class FakeEvaluation:
    """Records under a key once; the member ``snv-pgd-01`` has one visit today."""

    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: list[str | None] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        member = jwt.decode(token, options={"verify_signature": False}).get("member_id")
        if path == "/my/visits":
            if member != "snv-pgd-01":
                return httpx.Response(200, json=[])
            evaluation = next(iter(self.recorded.values()), None)
            return httpx.Response(
                200,
                json=[
                    {
                        "round_id": ROUND_ID,
                        "round_sequence": 1,
                        "round_status": "scheduled",
                        "visit": {
                            "visit_id": VISIT_ID,
                            "initiative_id": INITIATIVE_ID,
                            "agency_code": "760",
                            "date": vietnam_today().isoformat(),
                            "starts_at": "08:30:00",
                        },
                        "initiative": {
                            "initiative_id": INITIATIVE_ID,
                            "campaign_year": 2026,
                            "agency_code": "760",
                            "status": "submitted",
                            "kind": "model",
                            "title": "Một cửa không hẹn lần hai",
                            "par_area": "procedures",
                        },
                        "evaluation_id": evaluation["evaluation_id"] if evaluation else None,
                        "evaluation_opens_on": vietnam_today().isoformat(),
                        "decided": False,
                    }
                ],
            )
        if path == "/visits":  # scheduling: this member is not on its roster
            return httpx.Response(403, json={"detail": [{"field": "", "message": "Không"}]})
        if path == "/rubrics/2026":
            return httpx.Response(
                200,
                json={
                    "campaign_year": 2026,
                    "title": "Bộ tiêu chí",
                    "step": 0.5,
                    "total_max": 50.0,
                    "is_default": True,
                    "criteria": CRITERIA,
                },
            )
        if path == "/evaluations" and request.method == "POST":
            body = json.loads(request.content)
            key = request.headers.get("Idempotency-Key")
            self.keys.append(key)
            missing = [
                f
                for f in ("strengths", "limitations", "difficulties", "recommendation")
                if f not in body
            ]
            if missing:
                return httpx.Response(
                    422,
                    json={
                        "detail": [
                            {"field": f, "message": "Trường bắt buộc bị thiếu", "message_en": ""}
                            for f in missing
                        ]
                    },
                )
            if key in self.recorded:
                return httpx.Response(201, json=self.recorded[key])
            evaluation = {
                "evaluation_id": str(uuid.uuid4()),
                "evaluator_id": member,
                "total": sum(s["score"] for s in body["scores"]),
                "recommendation": body["recommendation"],
                "scores": [{**s, "max_score": 30.0} for s in body["scores"]],
            }
            self.recorded[str(key)] = evaluation
            return httpx.Response(201, json=evaluation)
        if path == f"/initiatives/{INITIATIVE_ID}/results":
            count = len(self.recorded)
            return httpx.Response(
                200,
                json={
                    "aggregate": {
                        "count": count,
                        "eligible_evaluators": 2,
                        "mean": 40.0,
                        "median": 40.0,
                        "minimum": 40.0,
                        "maximum": 40.0,
                        "quorum_required": 2,
                        "quorum_reached": False,
                        "disagreement": False,
                    },
                    "evaluations": list(self.recorded.values()),
                },
            )
        if path == f"/rounds/{ROUND_ID}":
            return httpx.Response(
                200,
                json={
                    "team": [{"member_id": "snv-pgd-01", "name": "Nguyễn Văn An", "role": "head"}]
                },
            )
        return httpx.Response(404, json={"detail": []})


@pytest.fixture
async def surveyor() -> AsyncIterator[tuple[httpx.AsyncClient, FakeEvaluation]]:
    fake = FakeEvaluation()
    app = create_app(
        PortalSettings(development_sign_in=True), transport=httpx.MockTransport(fake.handle)
    )
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1:8000"
        ) as client,
    ):
        signed = await client.get(
            "/dev/sign-in", params={"role": "surveyor", "member": "snv-pgd-01"}
        )
        assert signed.headers["location"] == "/surveyor"
        yield client, fake


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


async def test_the_sheet_is_refused_beside_its_fields_then_recorded_once_under_its_key(
    surveyor: tuple[httpx.AsyncClient, FakeEvaluation],
) -> None:
    client, fake = surveyor
    home = await client.get("/surveyor")
    assert home.status_code == 200
    assert "Một cửa không hẹn lần hai" in home.text and "Chưa đánh giá" in home.text
    assert f'href="/surveyor/visits/{VISIT_ID}"' in home.text
    assert "/static/surveyor/offline.js" in home.text

    form = await client.get(f"/surveyor/visits/{VISIT_ID}")
    assert "Hiệu quả" in form.text and "tối đa 30 điểm" in form.text and "/ 50" in form.text
    token = _csrf(form.text)
    sheet = {
        "csrf_token": token,
        "idempotency_key": "device-key-1",
        "scores.novelty": "15,5",
        "strengths": "Rõ ràng",
        "recommendation": "replicate",
    }
    refused = await client.post(f"/surveyor/visits/{VISIT_ID}/evaluation", data=sheet)
    assert refused.status_code == 422
    assert 'id="score-effectiveness-error">Chưa chấm điểm tiêu chí này' in refused.text
    assert 'id="limitations-error">Trường bắt buộc bị thiếu' in refused.text
    assert 'value="15,5"' in refused.text and ">Rõ ràng</textarea>" in refused.text
    assert 'value="device-key-1"' in refused.text  # the same sheet keeps its key
    assert "15,5</output>" in refused.text  # the running total, without JavaScript too

    whole = {**sheet, "scores.effectiveness": "24", "limitations": "Ít", "difficulties": "Không"}
    as_script = {"Accept": "application/json"}
    first = await client.post(
        f"/surveyor/visits/{VISIT_ID}/evaluation", data=whole, headers=as_script
    )
    again = await client.post(
        f"/surveyor/visits/{VISIT_ID}/evaluation", data=whole, headers=as_script
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["evaluation_id"] == again.json()["evaluation_id"]
    assert first.json()["next"] == f"/surveyor/visits/{VISIT_ID}/scores?recorded=1"
    assert fake.keys[-2:] == ["device-key-1", "device-key-1"] and len(fake.recorded) == 1

    scores = await client.get(first.json()["next"])
    assert "đã được ghi nhận" in scores.text and "Nguyễn Văn An (bạn)" in scores.text
    assert "39,5" in scores.text  # 24 + 15,5
    # evaluated: the sheet's address shows the scores
    opened = await client.get(f"/surveyor/visits/{VISIT_ID}")
    assert opened.status_code == 303 and opened.headers["location"].endswith("/scores")


async def test_another_members_visit_is_not_shown_and_the_worker_is_served_for_its_scope(
    surveyor: tuple[httpx.AsyncClient, FakeEvaluation],
) -> None:
    client, _ = surveyor
    await client.get("/dev/sign-in", params={"role": "surveyor", "member": "stp-03"})
    hidden = await client.get(f"/surveyor/visits/{VISIT_ID}")
    assert hidden.status_code == 404 and "Một cửa không hẹn lần hai" not in hidden.text
    worker = await client.get("/surveyor/service-worker.js")
    assert worker.status_code == 200 and worker.headers["service-worker-allowed"] == "/surveyor"
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "default-src 'self'" in worker.headers["content-security-policy"]
