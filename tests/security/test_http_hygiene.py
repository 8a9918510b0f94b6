"""The HTTP edge of every service: security headers on every response (errors included),
documents and metrics off with the production settings, numbers that are numbers, dates in a
sensible range, and tokens naming an agency or a member that does not exist."""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from cchc_shared.auth import issue_token

from .conftest import AUTH, OWN_MEMBER, SERVICES, Booted, bearer
from .figures import count
from .test_tokens import PROTECTED

pytestmark = pytest.mark.integration

AREA = "http hygiene"
FAR_FUTURE = "9999-12-31"


# ----------------------------------------------------------------------- security headers

OUT_OF_RANGE_YEAR = {
    "intake": "/api/v1/campaigns/1800",
    "scheduling": "/api/v1/rounds?campaign_year=1800",
    "evaluation": "/api/v1/campaigns/1800/ranking",
    "reporting": "/api/v1/campaigns/1800/dashboard",
    "notifications": "/api/v1/notifications?campaign_year=1800",
    "replication": "/api/v1/decisions?campaign_year=1800",
}


def _requests(service: str) -> dict[str, dict[str, Any]]:
    return {
        "live": {"method": "GET", "url": "/health/live"},
        "ready": {"method": "GET", "url": "/health/ready"},
        "metrics": {"method": "GET", "url": "/metrics"},
        "docs": {"method": "GET", "url": "/docs"},
        "openapi": {"method": "GET", "url": "/openapi.json"},
        "api, let in": {"method": "GET", "url": PROTECTED[service], "headers": bearer("admin")},
        "401": {"method": "GET", "url": PROTECTED[service]},
        "403": {
            "method": "GET",
            "url": PROTECTED[service],
            "headers": bearer("agency_submitter", agency="99999"),
        },
        "404": {"method": "GET", "url": "/api/v1/no-such-thing"},
        "405": {"method": "DELETE", "url": "/health/live"},
        "413": {
            "method": "POST",
            "url": PROTECTED[service],
            "content": b"x" * 2_000_000,
            "headers": {**bearer("admin"), "Content-Type": "application/json"},
        },
        "422": {"method": "GET", "url": OUT_OF_RANGE_YEAR[service], "headers": bearer("admin")},
    }


@pytest.mark.parametrize("service", SERVICES)
async def test_every_response_carries_the_security_headers(
    booted: dict[str, Booted], service: str
) -> None:
    problems = []
    statuses = {}
    for what, request in _requests(service).items():
        answer = await booted[service].client.request(**request)
        statuses[what] = answer.status_code
        count(AREA, "responses checked for headers")
        headers = answer.headers
        missing = [
            name
            for name, ok in {
                "X-Content-Type-Options": headers.get("x-content-type-options") == "nosniff",
                "X-Frame-Options": headers.get("x-frame-options") == "DENY",
                "CSP frame-ancestors": "frame-ancestors 'none'"
                in headers.get("content-security-policy", ""),
                "Referrer-Policy": headers.get("referrer-policy") == "no-referrer",
                "Cache-Control": "no-store" in headers.get("cache-control", ""),
            }.items()
            if not ok
        ]
        if missing:
            problems.append(f"{what} ({answer.status_code}): missing {missing}")
        else:
            count(AREA, "with every header")
    assert not problems, problems
    # the requests gave the answers they were chosen for
    for what in ("401", "403", "404", "405", "413", "422"):
        assert statuses[what] == int(what), (what, statuses)


def _production_app(service: str, tmp_path: Path) -> Any:
    bootstrap = importlib.import_module(f"cchc_{service}.bootstrap")
    config = importlib.import_module(f"cchc_{service}.config")
    settings = getattr(config, f"{service.capitalize()}Settings")(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'production.db'}",
        CCHC_AMQP_URL="amqp://unused@localhost/",
        CCHC_DATA_DIR=str(tmp_path),
        docs_enabled=False,
        metrics_port=9100,
    )
    return bootstrap.create_app(settings)


@pytest.mark.parametrize("service", SERVICES)
async def test_docs_and_metrics_are_off_with_production_settings(
    service: str, tmp_path: Path
) -> None:
    app = _production_app(service, tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
        for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
            answer = await client.get(path)
            count(AREA, "docs and metrics paths with production settings")
            assert answer.status_code == 404, (path, answer.status_code)
            count(AREA, "not served")
        assert (await client.get("/health/live")).status_code == 200


# --------------------------------------------------------------------------- strict numbers

VISIT_ID = str(uuid.uuid4())
SCORE_SHEET = {
    "visit_id": VISIT_ID,
    "scores": [{"criterion": "effectiveness", "score": 7}],
    "strengths": "Rõ ràng.",
    "limitations": "Chưa có.",
    "difficulties": "Không.",
    "recommendation": "replicate",
}
RUBRIC = {
    "title": "Bộ tiêu chí 2023",
    "step": 0.5,
    "criteria": [
        {
            "code": "effectiveness",
            "name": "Hiệu quả",
            "max_score": 10,
            "bands": [{"min_score": 0, "max_score": 10, "label": "Tốt", "descriptor": "Tốt."}],
        }
    ],
}


def _with(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    import copy

    changed = copy.deepcopy(body)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def _round(visit_date: str = "2023-06-14", campaign_year: Any = 2023) -> dict[str, Any]:
    # Late in the day: a visit's end (its start plus its length) is computed by the rules,
    # which is past the largest date Python has on 9999-12-31 (this was a 500).
    return {
        "campaign_year": campaign_year,
        "title": "Đợt 1",
        "team": [{"member_id": OWN_MEMBER, "role": "head"}],
        "visits": [
            {"initiative_id": str(uuid.uuid4()), "date": visit_date, "starts_at": "23:30:00"}
        ],
    }


CAMPAIGN = {
    "year": 2031,
    "submission_opens_on": "2031-01-01",
    "submission_closes_on": "2031-03-31",
    "survey_starts_on": "2031-04-01",
    "survey_ends_on": "2031-06-30",
}
INITIATIVE = {
    "kind": "model",
    "title": "Mô hình một cửa",
    "summary": "Tiếp nhận hồ sơ trong ngày.",
    "par_area": "procedures",
    "applied_since": "2022-03-01",
    "results": "Đúng hạn 98%.",
}

# case -> (service, role, method, url, body, the field the 422 must name)
NOT_NUMBERS: dict[str, tuple[str, str, str, str, dict[str, Any], str]] = {
    "score true": (
        "evaluation", "surveyor", "POST", "/api/v1/evaluations",
        _with(SCORE_SHEET, ("scores", 0, "score"), True), "scores[0].score",
    ),
    'score "7.5"': (
        "evaluation", "surveyor", "POST", "/api/v1/evaluations",
        _with(SCORE_SHEET, ("scores", 0, "score"), "7.5"), "scores[0].score",
    ),
    'rubric step "0.5"': (
        "evaluation", "secretariat", "PUT", "/api/v1/rubrics/2023",
        _with(RUBRIC, ("step",), "0.5"), "step",
    ),
    "rubric max_score true": (
        "evaluation", "secretariat", "PUT", "/api/v1/rubrics/2023",
        _with(RUBRIC, ("criteria", 0, "max_score"), True), "criteria[0].max_score",
    ),
    'round campaign_year "2023"': (
        "scheduling", "secretariat", "POST", "/api/v1/rounds/check",
        _round(campaign_year="2023"), "campaign_year",
    ),
    "plan seed true": (
        "scheduling", "secretariat", "POST", "/api/v1/plans",
        {"campaign_year": 2023, "seed": True}, "seed",
    ),
    'plan time limit "7.5"': (
        "scheduling", "secretariat", "POST", "/api/v1/plans",
        {"campaign_year": 2023, "time_limit_seconds": "7.5"}, "time_limit_seconds",
    ),
    'campaign year "2031"': (
        "intake", "admin", "POST", "/api/v1/campaigns",
        _with(CAMPAIGN, ("year",), "2031"), "year",
    ),
    "campaign year 2031.0": (
        "intake", "admin", "POST", "/api/v1/campaigns",
        _with(CAMPAIGN, ("year",), 2031.0), "year",
    ),
    "initiative campaign_year true": (
        "intake", "agency_submitter", "POST", "/api/v1/initiatives",
        _with(INITIATIVE, ("campaign_year",), True), "campaign_year",
    ),
}  # fmt: skip


def _fault(answer: httpx.Response, field: str) -> dict[str, str]:
    faults = [f for f in answer.json()["detail"] if f["field"] == field]
    assert faults, (field, answer.json())
    return faults[0]


@pytest.mark.parametrize("case", sorted(NOT_NUMBERS))
async def test_a_number_sent_as_text_or_a_boolean_is_422(
    booted: dict[str, Booted], case: str
) -> None:
    service, role, method, url, body, field = NOT_NUMBERS[case]
    answer = await booted[service].client.request(method, url, json=body, headers=bearer(role))
    count(AREA, "numbers sent as text or booleans")
    assert answer.status_code == 422, (case, answer.status_code, answer.text)
    fault = _fault(answer, field)
    assert fault["message"].startswith("Phải là số"), fault
    count(AREA, "refused 422 naming the field")


# ------------------------------------------------------------------------ bounded dates

# case -> (service, role, method, url, body or query, the field the 422 must name)
BAD_DATES: dict[str, tuple[str, str, str, str, dict[str, Any], str]] = {
    "round check, visit in 9999": (
        "scheduling", "secretariat", "POST", "/api/v1/rounds/check",
        _round(visit_date=FAR_FUTURE), "visits[0].date",
    ),
    "round, visit in year 1": (
        "scheduling", "secretariat", "POST", "/api/v1/rounds",
        _round(visit_date="0001-01-01"), "visits[0].date",
    ),
    "plan, last day in 9999": (
        "scheduling", "secretariat", "POST", "/api/v1/plans",
        {"campaign_year": 2023, "last_day": FAR_FUTURE}, "last_day",
    ),
    "member unavailable in 9999": (
        "scheduling", "secretariat", "PUT", f"/api/v1/roster/{OWN_MEMBER}/unavailable",
        {"unavailable": [FAR_FUTURE]}, "unavailable[0]",
    ),
    "campaign closing in 9999": (
        "intake", "admin", "POST", "/api/v1/campaigns",
        _with(CAMPAIGN, ("survey_ends_on",), FAR_FUTURE), "survey_ends_on",
    ),
    "initiative applied since 9999": (
        "intake", "agency_submitter", "POST", "/api/v1/initiatives",
        _with(INITIATIVE, ("applied_since",), FAR_FUTURE), "applied_since",
    ),
    "document issued in 9999": (
        "reporting", "secretariat", "GET", "/api/v1/campaigns/2023/documents/proposal.docx",
        {"issued_on": FAR_FUTURE}, "query.issued_on",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_DATES))
async def test_a_date_outside_the_sensible_range_is_422(
    booted: dict[str, Booted], case: str
) -> None:
    service, role, method, url, payload, field = BAD_DATES[case]
    request: dict[str, Any] = {"params" if method == "GET" else "json": payload}
    answer = await booted[service].client.request(method, url, headers=bearer(role), **request)
    count(AREA, "dates outside 1900-2100")
    assert answer.status_code == 422, (case, answer.status_code, answer.text)
    fault = _fault(answer, field)
    assert fault["message"].startswith("Ngày nằm ngoài khoảng cho phép"), fault
    count(AREA, "refused 422 naming the field")


# --------------------------------------------------------------- unknown agency or member


@pytest.mark.parametrize("service", SERVICES)
async def test_a_token_naming_an_unknown_agency_is_403(
    booted: dict[str, Booted], service: str
) -> None:
    token = issue_token(AUTH, "agency_submitter", agency="99999")  # a ward code no ward has
    answer = await booted[service].client.get(
        PROTECTED[service], headers={"Authorization": f"Bearer {token}"}
    )
    count(AREA, "tokens naming an unknown agency or member")
    assert answer.status_code == 403, answer.text
    (fault,) = answer.json()["detail"]
    assert fault["field"] == "Authorization.agency_code"
    assert "99999" in fault["message"] and "không có trong danh mục" in fault["message"]
    count(AREA, "refused 403")


async def test_a_token_naming_a_member_not_on_the_roster_is_403_in_scheduling(
    booted: dict[str, Booted],
) -> None:
    client = booted["scheduling"].client
    known = await client.get("/api/v1/roster", headers=bearer("surveyor", member=OWN_MEMBER))
    assert known.status_code == 200, known.text
    answer = await client.get("/api/v1/roster", headers=bearer("surveyor", member="nobody-42"))
    count(AREA, "tokens naming an unknown agency or member")
    assert answer.status_code == 403, answer.text
    (fault,) = answer.json()["detail"]
    assert fault["field"] == "Authorization.member_id"
    assert "nobody-42" in fault["message"]
    count(AREA, "refused 403")
