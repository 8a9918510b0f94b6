"""Bearer tokens, roles and ownership, through the real HTTP entrypoint."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from ..conftest import AUTH, EventTap, bearer, initiative_body

pytestmark = pytest.mark.integration

WARD = bearer("agency_submitter", "26740")
OTHER_WARD = bearer("agency_submitter", "26743")


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "iss": AUTH.issuer,
        "aud": AUTH.audience,
        "sub": "agency_submitter:26740",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(hours=1),
        "jti": "intake-security-test",
        "role": "agency_submitter",
        "agency_code": "26740",
    }
    values.update(overrides)
    return values


SECRET = AUTH.secret.get_secret_value()
_EARLIER = datetime.now(UTC) - timedelta(hours=3)
FORGED = {
    "expired": jwt.encode(
        claims(iat=_EARLIER, nbf=_EARLIER, exp=_EARLIER + timedelta(hours=2)),
        SECRET,
        algorithm="HS256",
    ),
    "wrong key": jwt.encode(claims(), "another-secret-of-enough-length-0123456789", "HS256"),
    "alg none": jwt.encode(claims(), None, algorithm="none"),
    "wrong audience": jwt.encode(claims(aud="another-platform"), SECRET, algorithm="HS256"),
    "wrong issuer": jwt.encode(claims(iss="someone-else"), SECRET, algorithm="HS256"),
    "garbage": "not.a.token",
}


async def test_forged_expired_or_foreign_tokens_answer_401(client: httpx.AsyncClient) -> None:
    for case, forged in FORGED.items():
        answer = await client.get(
            "/api/v1/initiatives", headers={"Authorization": f"Bearer {forged}"}
        )
        assert answer.status_code == 401, (case, answer.text)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        [fault] = answer.json()["detail"]
        assert fault["field"] == "Authorization"
        assert fault["message"] and fault["message_en"], case
    expired = await client.get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {FORGED['expired']}"}
    )
    assert expired.json()["detail"][0]["message"] == "Mã xác thực đã hết hạn"


async def test_missing_or_malformed_authorization_answers_401(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
        answer = await client.post("/api/v1/initiatives", json=initiative_body(), headers=headers)
        assert answer.status_code == 401, (headers, answer.text)
        [fault] = answer.json()["detail"]
        assert fault["field"] == "Authorization"
        assert "Thiếu" in fault["message"] or "định dạng" in fault["message"]


async def test_another_agencys_initiative_answers_404_and_cannot_be_changed(
    client: httpx.AsyncClient, tap: EventTap
) -> None:
    created = (
        await client.post("/api/v1/initiatives", json=initiative_body(), headers=WARD)
    ).json()
    url = f"/api/v1/initiatives/{created['initiative_id']}"
    absent = f"/api/v1/initiatives/{'0' * 8}-0000-4000-8000-{'0' * 12}"

    for method, path, kwargs in (
        ("GET", url, {}),
        ("PATCH", url, {"json": {"title": "Chiếm quyền"}}),
        ("POST", f"{url}/withdraw", {}),
        ("GET", f"{url}/attachments", {}),
    ):
        theirs = await client.request(method, path, headers=OTHER_WARD, **kwargs)
        missing = await client.request(
            method, path.replace(url, absent), headers=OTHER_WARD, **kwargs
        )
        assert theirs.status_code == missing.status_code == 404, (method, path, theirs.text)
        assert theirs.json()["detail"][0]["field"] == missing.json()["detail"][0]["field"]

    listed = await client.get("/api/v1/initiatives", headers=OTHER_WARD)
    assert listed.json()["total"] == 0
    mine = await client.get(url, headers=WARD)
    assert mine.json()["status"] == "submitted"
    assert mine.json()["version"] == 1
    await tap.wait("initiative.submitted.v1", 1)
    assert len(tap.messages) == 1  # no amendment, no withdrawal


async def test_roles(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/api/v1/initiatives", json=initiative_body(), headers=WARD)
    ).json()
    url = f"/api/v1/initiatives/{created['initiative_id']}"
    viewer = bearer("committee_viewer")
    assert (await client.get(url, headers=viewer)).status_code == 200
    assert (await client.get(url, headers=bearer("secretariat"))).status_code == 200
    refused = await client.post("/api/v1/initiatives", json=initiative_body(), headers=viewer)
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["field"] == "Authorization"
    surveyor = bearer_surveyor()
    assert (await client.get("/api/v1/initiatives", headers=surveyor)).status_code == 403
    assert (await client.get("/api/v1/agencies/760", headers=surveyor)).status_code == 200
    windows = {"submission_closes_on": "2030-01-01"}
    for role in ("agency_submitter", "secretariat", "committee_viewer"):
        headers = bearer(role, "26740" if role == "agency_submitter" else None)
        answer = await client.patch("/api/v1/campaigns/2023", json=windows, headers=headers)
        assert answer.status_code == 403, role


def bearer_surveyor() -> dict[str, str]:
    from cchc_shared.auth import issue_token

    return {"Authorization": f"Bearer {issue_token(AUTH, 'surveyor', member='tv-01')}"}


async def test_clients_cannot_set_status_ids_or_another_agency(client: httpx.AsyncClient) -> None:
    for field, value in (
        ("status", "withdrawn"),
        ("initiative_id", "0b5a3f4e-6c1d-4d8a-9f0e-2a7b1c9d3e11"),
        ("submitted_at", "2023-01-01T00:00:00Z"),
        ("version", 7),
    ):
        answer = await client.post(
            "/api/v1/initiatives", json=initiative_body(**{field: value}), headers=WARD
        )
        assert answer.status_code == 422, field
        assert answer.json()["detail"][0]["field"] == field
        assert answer.json()["detail"][0]["message"].startswith("Trường không được phép gửi")

    answer = await client.post(
        "/api/v1/initiatives", json=initiative_body(agency_code="760"), headers=WARD
    )
    assert answer.status_code == 403
    assert answer.json()["detail"][0]["field"] == "agency_code"
    own = await client.post(
        "/api/v1/initiatives", json=initiative_body(agency_code="26740"), headers=WARD
    )
    assert own.status_code == 201


async def test_secretariat_submits_on_behalf_of_an_agency(client: httpx.AsyncClient) -> None:
    staff = bearer("secretariat")
    missing = await client.post("/api/v1/initiatives", json=initiative_body(), headers=staff)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["field"] == "agency_code"
    unknown = await client.post(
        "/api/v1/initiatives", json=initiative_body(agency_code="99999"), headers=staff
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["field"] == "agency_code"
    answer = await client.post(
        "/api/v1/initiatives", json=initiative_body(agency_code="SNV"), headers=staff
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["agency_code"] == "SNV"
    assert answer.json()["agency_level"] == "city_department"
    assert answer.json()["submitted_by"] == "secretariat"


async def test_request_bodies_are_capped(client: httpx.AsyncClient) -> None:
    huge = initiative_body(summary="x" * 1_100_000)
    answer = await client.post("/api/v1/initiatives", json=huge, headers=WARD)
    assert answer.status_code == 413
    assert answer.json()["detail"][0]["field"] == "body"


async def test_cchc_token_issues_a_working_development_token(client: httpx.AsyncClient) -> None:
    command = [sys.executable, "-m", "cchc_tools.cli", "token", "--role", "agency_submitter"]
    process = await asyncio.create_subprocess_exec(
        *command, "--agency", "26740", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0
    headers = {"Authorization": f"Bearer {output.decode().strip()}"}
    answer = await client.post("/api/v1/initiatives", json=initiative_body(), headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["agency_code"] == "26740"
