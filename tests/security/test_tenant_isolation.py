"""Another tenant's data: an agency cannot read or change another agency's initiative (404,
the initiative's existence is not disclosed), and a survey-team member cannot see or touch
other members' visits, notices, calendars or evaluations."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from cchc_shared.contracts.events import TeamMember
from cchc_testkit.bus import publish_as_services

from .conftest import (
    OTHER_AGENCY,
    OTHER_MEMBER,
    OWN_AGENCY,
    OWN_MEMBER,
    Booted,
    bearer,
    until_round_known,
    visited_initiative,
)

pytestmark = pytest.mark.integration

A = bearer("agency_submitter", agency=OWN_AGENCY)
B = bearer("agency_submitter", agency=OTHER_AGENCY)
ME = bearer("surveyor", member=OWN_MEMBER)
OTHER = bearer("surveyor", member=OTHER_MEMBER)
STAFF = bearer("secretariat")

INITIATIVE = {
    "kind": "model",
    "title": "Mô hình “Phường không hẹn lần hai”",
    "summary": "Tiếp nhận và trả kết quả thủ tục hành chính trong ngày.",
    "par_area": "procedures",
    "applied_since": "2022-03-01",
    "results": "98% hồ sơ giải quyết đúng hạn; mức hài lòng của người dân đạt 96%.",
    "limitations": "Chưa liên thông dữ liệu với một số sở, ngành.",
}


async def test_an_agency_cannot_read_or_change_another_agencys_initiative(
    booted: dict[str, Booted],
) -> None:
    client = booted["intake"].client
    created = await client.post("/api/v1/initiatives", json=INITIATIVE, headers=A)
    assert created.status_code == 201, created.text
    initiative_id = created.json()["initiative_id"]
    url = f"/api/v1/initiatives/{initiative_id}"
    assert (await client.get(url, headers=A)).status_code == 200

    attempts = {
        "read": await client.get(url, headers=B),
        "amend": await client.patch(url, json={"title": "Bị sửa trái phép"}, headers=B),
        "withdraw": await client.post(f"{url}/withdraw", json={"reason": "x"}, headers=B),
        "list attachments": await client.get(f"{url}/attachments", headers=B),
        "upload": await client.post(
            f"{url}/attachments",
            files={"file": ("bao-cao.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
            headers=B,
        ),
    }
    # Indistinguishable from an initiative that does not exist at all.
    unknown = str(uuid.uuid4())
    absent = await client.get(f"/api/v1/initiatives/{unknown}", headers=B)
    assert absent.status_code == 404
    for what, answer in attempts.items():
        assert answer.status_code == 404, (what, answer.status_code, answer.text)
    assert attempts["read"].text.replace(initiative_id, unknown) == absent.text

    listed = await client.get("/api/v1/initiatives", headers=B)
    assert listed.status_code == 200
    assert initiative_id not in listed.text
    filtered = await client.get(f"/api/v1/initiatives?agency_code={OWN_AGENCY}", headers=B)
    assert filtered.status_code in (200, 403, 404, 422)
    assert initiative_id not in filtered.text

    # Unchanged and still submitted for its owner.
    mine = (await client.get(url, headers=A)).json()
    assert mine["title"] == INITIATIVE["title"]
    assert mine.get("status") != "withdrawn"


async def test_an_agency_cannot_read_another_agencys_reports(booted: dict[str, Booted]) -> None:
    client = booted["reporting"].client
    year = date.today().year
    scorecard = await client.get(f"/api/v1/campaigns/{year}/agencies/{OWN_AGENCY}", headers=B)
    assert scorecard.status_code in (403, 404)
    other = await client.get(
        f"/api/v1/campaigns/{year}/initiatives?agency_code={OWN_AGENCY}", headers=B
    )
    assert other.status_code == 403


async def test_a_member_cannot_see_other_members_notices_or_calendars(
    booted: dict[str, Booted],
) -> None:
    client = booted["scheduling"].client
    round_id = uuid.uuid4()
    for url in (
        f"/api/v1/rounds/{round_id}/calendar/{OWN_MEMBER}.ics",
        f"/api/v1/rounds/{round_id}/notices/members/{OWN_MEMBER}.pdf",
        f"/api/v1/rounds/{round_id}/notices/members/{OWN_MEMBER}.docx",
    ):
        assert (await client.get(url, headers=OTHER)).status_code == 403, url
        # The owner is let through to the (unknown) round: 404, not 403.
        assert (await client.get(url, headers=ME)).status_code == 404, url
    agency_notice = f"/api/v1/rounds/{round_id}/notices/agencies/{OWN_AGENCY}.pdf"
    assert (await client.get(agency_notice, headers=B)).status_code == 403
    unavailable = await client.put(
        f"/api/v1/roster/{OWN_MEMBER}/unavailable", json={"unavailable": []}, headers=OTHER
    )
    assert unavailable.status_code == 403


async def test_a_member_cannot_see_or_touch_other_members_visits_and_evaluations(
    booted: dict[str, Booted],
) -> None:
    service = booted["evaluation"]
    client = service.client
    team = [TeamMember(member_id=OWN_MEMBER, name="Nguyễn Văn An", role="head", agency_code="SNV")]
    initiative, visit, planned = visited_initiative("Một cửa không hẹn lần hai", team, sequence=1)
    await publish_as_services(service.amqp_url, initiative, planned)
    round_url = f"/api/v1/rounds/{planned.round_id}"
    await until_round_known(client, planned.round_id)

    criteria = ("novelty", "applicability", "effectiveness", "satisfaction", "replicability")
    body = {
        "visit_id": str(visit.visit_id),
        "scores": [
            {"criterion": c, "score": s}
            for c, s in zip(criteria, (12, 12, 20, 20, 16), strict=True)
        ],
        "strengths": "Quy trình rõ ràng, công khai; người dân được hướng dẫn một lần.",
        "limitations": "Phụ thuộc vào nhân sự bộ phận một cửa.",
        "difficulties": "Phần mềm chưa kết nối với cơ sở dữ liệu quốc gia về dân cư.",
        "recommendation": "replicate",
    }
    # The outsider cannot record on a visit of a round they are not on...
    stranger = await client.post("/api/v1/evaluations", json=body, headers=OTHER)
    assert stranger.status_code in (403, 404), stranger.text
    recorded = await client.post("/api/v1/evaluations", json=body, headers=ME)
    assert recorded.status_code == 201, recorded.text
    evaluation_id = recorded.json()["evaluation_id"]

    # ... and sees neither the visit, nor the round, nor the member's evaluation.
    mine = await client.get("/api/v1/my/visits", headers=ME)
    assert str(visit.visit_id) in mine.text
    theirs = await client.get("/api/v1/my/visits", headers=OTHER)
    assert theirs.status_code == 200 and str(visit.visit_id) not in theirs.text
    assert (await client.get(round_url, headers=OTHER)).status_code in (403, 404)
    evaluation_url = f"/api/v1/evaluations/{evaluation_id}"
    assert (await client.get(evaluation_url, headers=ME)).status_code == 200
    read = await client.get(evaluation_url, headers=OTHER)
    assert read.status_code in (403, 404), read.text
    changes = {k: v for k, v in body.items() if k != "visit_id"}
    assert (await client.put(evaluation_url, json=changes, headers=ME)).status_code == 200
    amend = await client.put(evaluation_url, json=changes, headers=OTHER)
    assert amend.status_code in (403, 404), amend.text
    # An agency does not read the team's individual evaluations either.
    assert (await client.get(evaluation_url, headers=A)).status_code in (403, 404)
