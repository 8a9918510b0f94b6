"""The issue's "Must show", through the real HTTP entrypoint, the real broker and each
database: who may record, score bands, decision rules, published events against their
committed JSON Schemas, duplicate deliveries, and the PAR-Index table of a fixture campaign."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cchc_evaluation.adapters.orm import round_members, visits
from cchc_shared.contracts import InitiativeWithdrawnV1, RoundRescheduledV1

from ..builders import (
    days_from_today,
    evaluation_body,
    member,
    scheduled,
    submitted,
    visit,
)
from .harness import SECRETARIAT, Harness, committed_schema, headers, running_service

pytestmark = pytest.mark.integration

YESTERDAY = -1


@pytest.fixture
async def system(database_url: str, amqp_url: str) -> Any:
    async with running_service(database_url, amqp_url) as harness:
        yield harness


def surveyor(member_id: str) -> dict[str, str]:
    return headers("surveyor", member=member_id)


async def _round(
    system: Harness, *initiatives: tuple[uuid.UUID, str, int], team: list[str], sequence: int = 1
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """Publish a RoundScheduled with the team (first is head) and one visit per initiative."""
    roles = ["head"] + ["member"] * (len(team) - 1)
    planned = scheduled(
        [member(m, f"Thành viên {m}", role) for m, role in zip(team, roles, strict=True)],
        [visit(i, agency, days_from_today(offset)) for i, agency, offset in initiatives],
        sequence=sequence,
    )
    await system.publish(planned)
    await system.round_known(planned.round_id)
    return planned.round_id, [v.visit_id for v in planned.visits]


async def test_outsiders_early_members_and_out_of_band_scores_are_refused(
    system: Harness,
) -> None:
    today_one, future_one, other = (submitted("26740", t) for t in ("Một cửa", "Số hóa", "Chatbot"))
    for initiative in (today_one, future_one, other):
        await system.publish(initiative)
    _, (v_today, v_future) = await _round(
        system,
        (today_one.initiative_id, "26740", YESTERDAY),
        (future_one.initiative_id, "26740", 5),
        team=["snv-pgd-01", "stttt-02", "stp-03"],
    )
    await _round(system, (other.initiative_id, "26740", YESTERDAY), team=["sct-09"], sequence=2)
    good = evaluation_body(v_today, 12, 12, 20, 20, 16)

    stranger = await system.client.post(
        "/api/v1/evaluations", json=good, headers=surveyor("nobody-99")
    )
    assert stranger.status_code == 403
    assert stranger.json()["detail"][0]["field"] == "visit_id"
    other_round = await system.client.post(
        "/api/v1/evaluations", json=good, headers=surveyor("sct-09")
    )
    assert other_round.status_code == 403 and "not on the team" in other_round.text
    agency = await system.client.post(
        "/api/v1/evaluations", json=good, headers=headers("agency_submitter", agency="26740")
    )
    assert agency.status_code == 403
    early = await system.client.post(
        "/api/v1/evaluations",
        json=evaluation_body(v_future, 12, 12, 20, 20, 16),
        headers=surveyor("stttt-02"),
    )
    assert early.status_code == 409
    assert days_from_today(5).isoformat() in early.json()["detail"][0]["message_en"]
    assert early.json()["detail"][0]["rule"] == "before_visit_day"  # send it again later

    too_high = await system.client.post(
        "/api/v1/evaluations",
        json=evaluation_body(v_today, 12, 12, 20, 25.5, 16),
        headers=surveyor("stttt-02"),
    )
    assert too_high.status_code == 422
    [fault] = too_high.json()["detail"]
    assert fault["field"] == "scores[3].score" and "satisfaction" in fault["message_en"]
    assert "hài lòng" in fault["message"]
    missing_text = await system.client.post(
        "/api/v1/evaluations", json={**good, "difficulties": "  "}, headers=surveyor("stttt-02")
    )
    assert missing_text.status_code == 422
    assert missing_text.json()["detail"][0]["field"] == "difficulties"

    recorded = await system.client.post(
        "/api/v1/evaluations", json=good, headers=surveyor("stttt-02")
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["total"] == 80
    again = await system.client.post("/api/v1/evaluations", json=good, headers=surveyor("stttt-02"))
    assert again.status_code == 409
    evaluation_id = recorded.json()["evaluation_id"]
    assert again.json()["existing_id"] == evaluation_id
    amended = await system.client.put(
        f"/api/v1/evaluations/{evaluation_id}",
        json={
            **{
                k: v
                for k, v in evaluation_body(v_today, 12, 12, 22, 20, 16).items()
                if k != "visit_id"
            },
            "reason": "Bổ sung số liệu khảo sát hài lòng",
        },
        headers=surveyor("stttt-02"),
    )
    assert amended.status_code == 200 and amended.json()["version"] == 2

    events = await system.published("evaluation.recorded.v1", 2)
    data_schema, envelope_schema = (
        committed_schema("evaluation.recorded.v1"),
        committed_schema("cloudevent"),
    )
    for event in events:
        envelope_schema.validate(event)
        data_schema.validate(event["data"])
    assert [e["data"]["total"] for e in events] == [80, 82]
    assert {e["data"]["evaluation_id"] for e in events} == {evaluation_id}
    assert all(e["source"] == "/cchc/evaluation" for e in events)

    teammate_view = await system.client.get(
        f"/api/v1/evaluations/{evaluation_id}", headers=surveyor("snv-pgd-01")
    )
    assert [h["action"] for h in teammate_view.json()["history"]] == ["recorded", "amended"]
    assert teammate_view.json()["history"][1]["reason"] == "Bổ sung số liệu khảo sát hài lòng"
    outsider_view = await system.client.get(
        f"/api/v1/evaluations/{evaluation_id}", headers=surveyor("sct-09")
    )
    assert outsider_view.status_code == 404


async def test_decisions_need_quorum_and_a_written_reason_below_threshold(
    system: Harness,
) -> None:
    initiative = submitted("26740", "Mô hình “Phường Bến Nghé không hẹn lần hai”")
    await system.publish(initiative)
    # The initiative and the round come on queues of their own: a decision needs the first.
    await system.initiatives_known(initiative.initiative_id)
    team = ["snv-pgd-01", "stttt-02", "stp-03", "sct-04"]
    _, [v] = await _round(system, (initiative.initiative_id, "26740", 0), team=team)
    decision_url = f"/api/v1/initiatives/{initiative.initiative_id}/decision"
    opinion_url = f"/api/v1/initiatives/{initiative.initiative_id}/sector-opinion"
    recommend = {
        "decision": "replicate",
        "scope": "commune_level",
        "rationale": "Áp dụng được ở mọi phường, xã, thị trấn.",
    }

    for m, points in (("snv-pgd-01", (10, 10, 15, 15, 12)), ("stttt-02", (10, 10, 16, 15, 12))):
        answer = await system.client.post(
            "/api/v1/evaluations", json=evaluation_body(v, *points), headers=surveyor(m)
        )
        assert answer.status_code == 201, answer.text
    no_quorum = await system.client.post(
        decision_url,
        json={"decision": "not_recommended", "rationale": "Chưa đạt"},
        headers=SECRETARIAT,
    )
    assert no_quorum.status_code == 409
    assert "2 of 3" in no_quorum.json()["detail"][0]["message_en"]

    third = await system.client.post(
        "/api/v1/evaluations",
        json=evaluation_body(v, 10, 10, 17, 15, 12),
        headers=surveyor("stp-03"),
    )
    assert third.status_code == 201
    results = (
        await system.client.get(
            f"/api/v1/initiatives/{initiative.initiative_id}/results", headers=SECRETARIAT
        )
    ).json()["aggregate"]
    assert (results["count"], results["final_score"], results["quorum_required"]) == (3, 63, 3)

    no_reason = await system.client.post(decision_url, json=recommend, headers=SECRETARIAT)
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["field"] == "override_reason"
    not_staff = await system.client.post(
        decision_url, json=recommend, headers=headers("committee_viewer")
    )
    assert not_staff.status_code == 403
    with_reason = {**recommend, "override_reason": "Ưu tiên nhân rộng theo Kế hoạch 4257."}
    no_opinion = await system.client.post(decision_url, json=with_reason, headers=SECRETARIAT)
    assert no_opinion.status_code == 409
    assert no_opinion.json()["detail"][0]["field"] == "sector_opinion"

    opinion = await system.client.put(
        opinion_url,
        headers=SECRETARIAT,
        json={"agency_code": "STTTT", "stance": "supports", "opinion": "Đề nghị nhân rộng."},
    )
    assert opinion.status_code == 200, opinion.text
    decided = await system.client.post(decision_url, json=with_reason, headers=SECRETARIAT)
    assert decided.status_code == 201, decided.text
    assert decided.json()["overridden"] is True and decided.json()["final_score"] == 63

    [event] = await system.published("replication.recommended.v1", 1)
    committed_schema("cloudevent").validate(event)
    committed_schema("replication.recommended.v1").validate(event["data"])
    assert event["subject"] == str(initiative.initiative_id)
    assert (event["data"]["scope"], event["data"]["evaluation_count"]) == ("commune_level", 3)
    assert event["data"]["title"] == initiative.title

    again = await system.client.post(decision_url, json=with_reason, headers=SECRETARIAT)
    assert again.status_code == 409
    late = await system.client.post(
        "/api/v1/evaluations",
        json=evaluation_body(v, 15, 15, 25, 25, 20),
        headers=surveyor("sct-04"),
    )
    assert late.status_code == 409


async def test_the_agency_sees_its_status_then_the_outcome_never_the_evaluators(
    system: Harness,
) -> None:
    """The platform's visibility policy, as the evaluation service applies it."""
    initiative = submitted("26740", "Mô hình “Một lần đến, một lần xong”")
    await system.publish(initiative)
    team = ["snv-pgd-01", "stttt-02", "stp-03"]
    _, [v] = await _round(system, (initiative.initiative_id, "26740", 0), team=team)
    sheets = ((15, 15, 20, 20, 16), (14, 15, 22, 20, 16), (15, 14, 21, 21, 17))
    for m, points in zip(team, sheets, strict=True):
        answer = await system.client.post(
            "/api/v1/evaluations", json=evaluation_body(v, *points), headers=surveyor(m)
        )
        assert answer.status_code == 201, answer.text
    url = f"/api/v1/initiatives/{initiative.initiative_id}/results"
    own, other = (
        headers("agency_submitter", agency="26740"),
        headers("agency_submitter", agency="26743"),
    )
    comments = ("Quy trình rõ ràng", "Phụ thuộc vào nhân sự", "Phần mềm chưa kết nối")

    before = await system.client.get(url, headers=own)
    assert before.status_code == 200, before.text
    body = before.json()
    assert body["disclosure"] == "status" and body["initiative"]["status"] == "submitted"
    for withheld in ("aggregate", "meets_threshold", "decision", "outcome", "evaluations"):
        assert body[withheld] is None, withheld
    assert not any(m in before.text for m in team)
    assert not any(c in before.text for c in comments)
    assert (await system.client.get(url, headers=other)).status_code == 404
    index = await system.client.get("/api/v1/campaigns/2023/par-index", headers=own)
    assert all(row["mean_score"] is None for row in index.json()["rows"])

    await system.client.put(
        f"/api/v1/initiatives/{initiative.initiative_id}/sector-opinion",
        headers=SECRETARIAT,
        json={"agency_code": "STTTT", "stance": "supports", "opinion": "Đề nghị nhân rộng."},
    )
    decided = await system.client.post(
        f"/api/v1/initiatives/{initiative.initiative_id}/decision",
        headers=SECRETARIAT,
        json={"decision": "replicate", "scope": "commune_level", "rationale": "Hiệu quả rõ."},
    )
    assert decided.status_code == 201, decided.text

    after = await system.client.get(url, headers=own)
    body = after.json()
    assert body["disclosure"] == "outcome" and body["aggregate"] is None
    assert body["decision"] is None and body["evaluations"] is None  # who decided: withheld
    assert body["sector_opinion"] is None
    outcome = body["outcome"]
    assert (outcome["decision"], outcome["scope"]) == ("replicate", "commune_level")
    assert outcome["final_score"] == decided.json()["final_score"]
    assert outcome["evaluation_count"] == 3
    assert outcome["strengths"] == [evaluation_body(v, 15, 15, 20, 20, 16)["strengths"]]
    assert not any(m in after.text for m in team)
    assert (await system.client.get(url, headers=other)).status_code == 404
    index = await system.client.get("/api/v1/campaigns/2023/par-index", headers=own)
    assert {row["mean_score"] for row in index.json()["rows"]} == {outcome["final_score"]}

    # The PAR office still sees every sheet and who decided.
    staff = (await system.client.get(url, headers=SECRETARIAT)).json()
    assert staff["disclosure"] == "full" and len(staff["evaluations"]) == 3
    assert staff["decision"]["decided_by"] and staff["outcome"] == outcome


async def test_duplicate_round_deliveries_change_nothing(system: Harness) -> None:
    initiative = submitted("760", "Chatbot hỗ trợ thủ tục hành chính")
    planned = scheduled(
        [member("snv-pgd-01", "Nguyễn Văn An", "head"), member("stttt-02", "Trần Thị Bình")],
        [visit(initiative.initiative_id, "760", days_from_today(YESTERDAY))],
    )
    at = datetime.now(UTC) - timedelta(hours=1)
    event_id = await system.publish(planned, at=at)
    first = await system.round_known(planned.round_id)
    for _ in range(3):  # redeliveries of the very same message
        await system.publish(planned, event_id=event_id, at=at)
    # A later reschedule, then a stale copy of the first state under a new id: the newest wins.
    changed = RoundRescheduledV1(
        **{**planned.model_dump(), "team": [member("stp-03", "Lê Văn Cường", "head").model_dump()]},
        reason="Đổi trưởng đoàn",
    )
    await system.publish(changed)
    await system.round_known(
        planned.round_id,
        team=[member("stp-03", "Lê Văn Cường", "head").model_dump(mode="json")],
    )
    await system.publish(planned, at=at)
    sentinel = scheduled([member("x", "X", "head")], [], sequence=9)
    await system.publish(sentinel)  # same queue, after the duplicates: once seen, they were too
    await system.round_known(sentinel.round_id)

    after = await system.round_known(planned.round_id)
    assert after["team"][0]["member_id"] == "stp-03" and after["visits"] == first["visits"]
    engine = system.app.state.runtime.engine
    async with engine.connect() as connection:
        members = (
            await connection.execute(
                select(func.count())
                .select_from(round_members)
                .where(round_members.c.round_id == planned.round_id)
            )
        ).scalar_one()
        rows = (
            await connection.execute(
                select(func.count())
                .select_from(visits)
                .where(visits.c.round_id == planned.round_id)
            )
        ).scalar_one()
        inbox = system.app.state.runtime.tables.inbox
        accepted = (
            await connection.execute(
                select(func.count()).select_from(inbox).where(inbox.c.event_id == event_id)
            )
        ).scalar_one()
    assert (members, rows, accepted) == (1, 1, 1)


async def test_par_index_of_a_fixture_campaign_equals_the_table_computed_by_hand(
    system: Harness,
) -> None:
    def new(code: str, title: str, year: int = 2023) -> Any:
        return submitted(code, title, campaign_year=year)

    a = new("SNV", "Phần mềm quản lý hồ sơ công chức")  # evaluated 78/80/82, recommended
    b = new("SNV", "Sổ tay công vụ điện tử")  # submitted only
    c = new("760", "Bộ phận một cửa Quận 1 thân thiện")  # 65 × 3, decided 'improve'
    d = new("26740", "Phường Bến Nghé không hẹn lần hai")  # ward of Quận 1: 90 × 3, recommended
    e = new("26737", "Phường Đa Kao số hóa hồ sơ")  # ward of Quận 1, submitted only
    f = new("26734", "Phường Tân Định tiếp dân lưu động")  # ward of Quận 1, withdrawn
    g = new("769", "Thủ Đức - Trung tâm hành chính công")  # submitted only
    h = new("26794", "Phường Linh Xuân giờ vàng")  # ward of Thủ Đức: 72 × 3, undecided
    old = new("SNV", "Sáng kiến năm trước", year=2022)  # another campaign
    for initiative in (a, b, c, d, e, f, g, h, old):
        await system.publish(initiative)
    await system.publish(
        InitiativeWithdrawnV1(
            initiative_id=f.initiative_id,
            campaign_year=2023,
            agency_code="26734",
            reason="Đơn vị đề xuất lại vào năm sau.",
            withdrawn_at=datetime.now(UTC),
        )
    )
    await system.initiatives_known(
        a.initiative_id,
        b.initiative_id,
        c.initiative_id,
        d.initiative_id,
        e.initiative_id,
        g.initiative_id,
        h.initiative_id,
    )
    team = ["snv-pgd-01", "stttt-02", "stp-03"]
    _, (va, vc, vd, vh) = await _round(
        system, *((i.initiative_id, i.agency_code, YESTERDAY) for i in (a, c, d, h)), team=team
    )
    sheets = {
        va: [(12, 12, 20, 20, 14), (12, 12, 20, 20, 16), (12, 12, 20, 20, 18)],
        vc: [(10, 10, 15, 15, 15)] * 3,
        vd: [(14, 14, 22, 22, 18)] * 3,
        vh: [(11, 11, 18, 18, 14)] * 3,
    }
    for visit_id, points in sheets.items():
        for m, p in zip(team, points, strict=True):
            answer = await system.client.post(
                "/api/v1/evaluations", json=evaluation_body(visit_id, *p), headers=surveyor(m)
            )
            assert answer.status_code == 201, answer.text
    for initiative, decision, scope in (
        (a, "replicate", "city_wide"),
        (c, "improve", None),
        (d, "replicate", "commune_level"),
    ):
        base = f"/api/v1/initiatives/{initiative.initiative_id}"
        await system.client.put(
            f"{base}/sector-opinion",
            headers=SECRETARIAT,
            json={"agency_code": "SNV", "stance": "supports", "opinion": "Thống nhất."},
        )
        answer = await system.client.post(
            f"{base}/decision",
            headers=SECRETARIAT,
            json={"decision": decision, "scope": scope, "rationale": "Theo kết quả khảo sát."},
        )
        assert answer.status_code == 201, answer.text

    table = await system.client.get(
        "/api/v1/campaigns/2023/par-index", headers=headers("committee_viewer")
    )
    assert table.status_code == 200
    rows = {r["agency_code"]: r for r in table.json()["rows"]}
    # By hand, rule min(3, 0.5 × submitted + 0.5 × surveyed + 1 × recommended):
    #   SNV: a, b          -> 2 submitted, 1 surveyed (80), 1 recommended -> 1 + 0.5 + 1 = 2.5
    #   760: c, d, e (f withdrawn; d, e wards) -> 3, 2 (65, 90 -> 77.5), 1 -> 1.5 + 1 + 1 = 3.5 -> 3
    #   769: g, h (h its ward)  -> 2, 1 (72), 0 -> 1 + 0.5 = 1.5
    expected = {
        "SNV": (2, 1, 1, 80.0, 2.5),
        "760": (3, 2, 1, 77.5, 3.0),
        "769": (2, 1, 0, 72.0, 1.5),
    }
    actual = {
        code: (r["submitted"], r["surveyed"], r["recommended"], r["mean_score"], r["points"])
        for code, r in rows.items()
    }
    for code, row in actual.items():
        assert row == expected.get(code, (0, 0, 0, None, 0.0)), code
    assert set(expected) <= set(actual)
    assert rows["769"]["name"] == "Thành phố Thủ Đức" and rows["769"]["level"] == "district"
    assert len([r for r in rows.values() if r["level"] == "district"]) == 22
    assert not any(code.isdigit() and len(code) == 5 for code in rows)  # no ward rows

    decided = await system.published("selection.decided.v1", 3)
    for event in decided:
        committed_schema("selection.decided.v1").validate(event["data"])
    assert {(e["subject"], e["data"]["decision"]) for e in decided} == {
        (str(a.initiative_id), "replicate"),
        (str(c.initiative_id), "improve"),
        (str(d.initiative_id), "replicate"),
    }
    assert len(await system.published("replication.recommended.v1", 2)) == 2

    ranking = (
        await system.client.get("/api/v1/campaigns/2023/ranking", headers=SECRETARIAT)
    ).json()["items"]
    assert [item["initiative_id"] for item in ranking[:4]] == [
        str(i.initiative_id) for i in (d, a, h, c)
    ]
    ward_view = await system.client.get(
        "/api/v1/campaigns/2023/par-index", headers=headers("agency_submitter", agency="26740")
    )
    assert [r["agency_code"] for r in ward_view.json()["rows"]] == ["760"]
