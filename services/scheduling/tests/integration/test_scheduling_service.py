"""The issue's must-show through the real HTTP entrypoint, RabbitMQ, SQLite and PostgreSQL:
the pool fed by events (a duplicate changes nothing), rounds checked, confirmed, rescheduled
and cancelled with their events validated against the committed JSON Schemas, notices with
correct Vietnamese text, least privilege, and plan proposals."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from docx import Document
from icalendar import Calendar
from pypdf import PdfReader

from .harness import SECRETARIAT, Harness, committed_schema, headers, running_service, submitted

pytestmark = pytest.mark.integration

HEAD = "snv.ngo-thi-hoang-cac"
IT = "stttt.do-hoang-nam"
LAW = "stc.ho-van-khanh"
CLERK = "snv.nguyen-thu-trang"
TEAM = [
    {"member_id": HEAD, "role": "head"},
    {"member_id": IT, "role": "member"},
    {"member_id": LAW, "role": "member"},
    {"member_id": CLERK, "role": "secretary"},
]


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


async def seed_pool(service: Harness) -> dict[str, Any]:
    items = {
        "q1": submitted("760", "procedures", "Bộ phận Một cửa hiện đại Quận 1"),
        "ben_nghe": submitted("26740", "digital_government", "Phường Bến Nghé số hóa hồ sơ"),
        "stp": submitted("STP", "institutional", "Rà soát văn bản quy phạm pháp luật trực tuyến"),
    }
    for item in items.values():
        await service.publish(item)
    await service.in_pool(*(i.initiative_id for i in items.values()))
    return items


def visits_body(items: dict[str, Any], ward_day: str = "2023-06-05") -> list[dict[str, Any]]:
    return [
        {"initiative_id": str(items["q1"].initiative_id), "date": "2023-06-05",
         "starts_at": "08:00"},
        {"initiative_id": str(items["ben_nghe"].initiative_id), "date": ward_day,
         "starts_at": "14:00"},
        {"initiative_id": str(items["stp"].initiative_id), "date": "2023-06-06",
         "starts_at": "08:00", "place": "Số 141-143 Pasteur, phường 6, Quận 3"},
    ]  # fmt: skip


async def test_the_same_submission_delivered_twice_changes_nothing(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(database_url, amqp_url) as service:
        first = submitted("760", "procedures", "Một cửa điện tử")
        message = await service.publish(first)
        await service.in_pool(first.initiative_id)
        # The same message again (a redelivery), then an amendment with an older date
        # and a second initiative as the marker that everything before it was handled.
        await service.send(message)
        marker = submitted("769", "digital_government", "Thủ Đức số")
        await service.publish(marker)
        await service.in_pool(marker.initiative_id)
        pool = await service.pool()
        assert sorted(i["title"] for i in pool) == ["Một cửa điện tử", "Thủ Đức số"]
        assert [i["status"] for i in pool] == ["in_pool", "in_pool"]


async def test_a_round_from_draft_to_notices_and_its_events(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(database_url, amqp_url) as service:
        client = service.client
        roster = (await client.get("/api/v1/roster", headers=SECRETARIAT)).json()
        assert len(roster) == 14 and any(m["name"] == "Ngô Thị Hoàng Các" for m in roster)
        items = await seed_pool(service)

        # A visit on the compensating day off after Quốc khánh is refused, by rule name.
        refused = await client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": TEAM, "visits": visits_body(items, "2023-09-04")},
            headers=SECRETARIAT,
        )
        assert refused.status_code == 422, refused.text
        detail = refused.json()["detail"]
        assert {d["rule"] for d in detail} == {"working_day"}
        assert detail[0]["field"] == "visits[1].date" and "Quốc khánh" in detail[0]["message"]
        # So is a team whose member surveys their own agency (STP) and a surveyor's write.
        own = [*TEAM[:2], {"member_id": "stp.dang-van-loc", "role": "member"}, TEAM[3]]
        refused = await client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": own, "visits": visits_body(items)},
            headers=SECRETARIAT,
        )
        assert "conflict_of_interest" in {d["rule"] for d in refused.json()["detail"]}
        forbidden = await client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": TEAM, "visits": visits_body(items)},
            headers=headers("surveyor", member=IT),
        )
        assert forbidden.status_code == 403

        created = await client.post(
            "/api/v1/rounds",
            json={"campaign_year": 2023, "team": TEAM, "visits": visits_body(items),
                  "title": "Đợt khảo sát tháng 6"},
            headers=SECRETARIAT,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        round_id = created.json()["round_id"]
        assert created.json()["status"] == "draft" and created.json()["sequence"] is None
        drafts_notices = await client.get(f"/api/v1/rounds/{round_id}/notices", headers=SECRETARIAT)
        assert drafts_notices.status_code == 409

        confirmed = await client.post(f"/api/v1/rounds/{round_id}/confirm", headers=SECRETARIAT)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["sequence"] == 1
        [scheduled] = await service.published("round.scheduled.v1", 1)
        committed_schema("round.scheduled.v1").validate(scheduled["data"])
        committed_schema("cloudevent").validate(scheduled)
        assert scheduled["subject"] == round_id and scheduled["source"] == "/cchc/scheduling"
        data = scheduled["data"]
        assert (data["starts_on"], data["ends_on"], data["sequence"]) == (
            "2023-06-05",
            "2023-06-06",
            1,
        )
        assert {(m["member_id"], m["role"]) for m in data["team"]} == {
            (s["member_id"], s["role"]) for s in TEAM
        }
        assert len(data["visits"]) == 3

        # Notices: an invitation per member, a notice per agency, an .ics per member.
        listed = (
            await client.get(f"/api/v1/rounds/{round_id}/notices", headers=SECRETARIAT)
        ).json()
        assert [n["kind"] for n in listed].count("GIẤY MỜI") == 4
        assert [n["kind"] for n in listed].count("THÔNG BÁO") == 3
        invitation = await client.get(
            f"/api/v1/rounds/{round_id}/notices/members/{IT}.pdf",
            headers=headers("surveyor", member=IT),
        )
        assert invitation.status_code == 200
        assert invitation.headers["content-type"] == "application/pdf"
        text = pdf_text(invitation.content)
        for expected in (
            "GIẤY MỜI",
            "SỞ NỘI VỤ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Ông Đỗ Hoàng Nam",
            "tham gia Đoàn khảo sát",
            "đợt 1",
            "Thứ Hai, 05/06/2023",
            "Bộ phận Một cửa hiện đại Quận 1",
            "Bà Ngô Thị Hoàng Các",
            "Trưởng đoàn",
            "PHÓ GIÁM ĐỐC",
            # A member of another department is invited through it.
            "Kính gửi: Sở Thông tin và Truyền thông.",
            "kính mời Sở Thông tin và Truyền thông cử Ông Đỗ Hoàng Nam",
        ):
            assert expected in text, expected
        # Nobody signs their own invitation: the head's is signed by another Deputy Director.
        own = pdf_text(
            (
                await client.get(
                    f"/api/v1/rounds/{round_id}/notices/members/{HEAD}.pdf", headers=SECRETARIAT
                )
            ).content
        )
        assert "Kính gửi: Bà Ngô Thị Hoàng Các" in own
        assert not own.endswith("Ngô Thị Hoàng Các")  # the signature block ends the text
        notice = await client.get(
            f"/api/v1/rounds/{round_id}/notices/agencies/26740.docx",
            headers=headers("agency_submitter", agency="26740"),
        )
        assert notice.status_code == 200, notice.text
        text = docx_text(notice.content)
        for expected in (
            "THÔNG BÁO",
            "Ủy ban nhân dân phường Bến Nghé, Quận 1",
            "Phường Bến Nghé số hóa hồ sơ",
            "Chuẩn bị báo cáo đầy đủ",
            "kết quả đạt được, những mặt còn hạn chế",
            "Xác nhận lịch làm việc",
            "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
        ):
            assert expected in text, expected
        pdf_notice = await client.get(
            f"/api/v1/rounds/{round_id}/notices/agencies/STP.pdf", headers=SECRETARIAT
        )
        assert "Số 141-143 Pasteur" in pdf_text(pdf_notice.content)
        other_agency = await client.get(
            f"/api/v1/rounds/{round_id}/notices/agencies/26740.pdf",
            headers=headers("agency_submitter", agency="760"),
        )
        assert other_agency.status_code == 403
        ics = await client.get(
            f"/api/v1/rounds/{round_id}/calendar/{HEAD}.ics", headers=SECRETARIAT
        )
        events = Calendar.from_ical(ics.content).walk("VEVENT")
        assert len(events) == 3
        assert events[0]["DTSTART"].dt.isoformat() == "2023-06-05T08:00:00+07:00"
        assert "Quận 1" in str(events[0]["SUMMARY"])

        # A member reads only their own visits; an agency only the visits to itself.
        mine = await client.get("/api/v1/visits", headers=headers("surveyor", member=IT))
        assert len(mine.json()) == 3
        stranger = headers("surveyor", member="stp.huynh-ngoc-anh")
        assert (await client.get("/api/v1/visits", headers=stranger)).json() == []
        assert (await client.get(f"/api/v1/rounds/{round_id}", headers=stranger)).status_code == 404
        district = await client.get("/api/v1/visits", headers=headers("agency_submitter",
                                                                      agency="760"))  # fmt: skip
        assert [v["agency_code"] for v in district.json()] == ["760"]

        # Rescheduling a confirmed round needs a reason and announces the new state.
        moved = visits_body(items)
        moved[2]["date"] = "2023-06-07"
        no_reason = await client.put(
            f"/api/v1/rounds/{round_id}", json={"team": TEAM, "visits": moved},
            headers=SECRETARIAT,
        )  # fmt: skip
        assert no_reason.status_code == 422
        rescheduled = await client.put(
            f"/api/v1/rounds/{round_id}",
            json={"team": TEAM, "visits": moved, "reason": "Sở Tư pháp đề nghị lùi lịch"},
            headers=SECRETARIAT,
        )
        assert rescheduled.status_code == 200, rescheduled.text
        [event] = await service.published("round.rescheduled.v1", 1)
        committed_schema("round.rescheduled.v1").validate(event["data"])
        assert event["data"]["ends_on"] == "2023-06-07"
        assert event["data"]["reason"] == "Sở Tư pháp đề nghị lùi lịch"

        cancelled = await client.post(
            f"/api/v1/rounds/{round_id}/cancel",
            json={"reason": "Thay đổi kế hoạch"},
            headers=SECRETARIAT,
        )
        assert cancelled.json()["status"] == "cancelled"
        [event] = await service.published("round.cancelled.v1", 1)
        committed_schema("round.cancelled.v1").validate(event["data"])
        assert event["data"]["sequence"] == 1
        # The initiatives are free again for another round.
        again = await client.post(
            "/api/v1/rounds/check",
            json={"campaign_year": 2023, "team": TEAM, "visits": visits_body(items)},
            headers=SECRETARIAT,
        )
        assert again.json() == {"ok": True, "violations": []}


async def test_plan_proposals_and_infeasible_input(database_url: str, amqp_url: str) -> None:
    async with running_service(database_url, amqp_url, planner_time_limit=3) as service:
        client = service.client
        items = await seed_pool(service)
        proposed = await client.post(
            "/api/v1/plans",
            json={"campaign_year": 2023, "first_day": "2023-06-01", "last_day": "2023-06-30"},
            headers=SECRETARIAT,
        )
        assert proposed.status_code == 201, proposed.text
        body = proposed.json()
        visited = {v["initiative_id"] for r in body["rounds"] for v in r["visits"]}
        assert visited == {str(i.initiative_id) for i in items.values()}
        accepted = await client.post(
            f"/api/v1/plans/{body['proposal_id']}/accept", headers=SECRETARIAT
        )
        assert accepted.status_code == 201, accepted.text
        drafts = (
            await client.get("/api/v1/rounds", params={"status": "draft"}, headers=SECRETARIAT)
        ).json()
        assert len(drafts) == len(body["rounds"]) >= 1
        detail = (await client.get(f"/api/v1/rounds/{drafts[0]['round_id']}",
                                   headers=SECRETARIAT)).json()  # fmt: skip
        assert detail["violations"] == []
        twice = await client.post(
            f"/api/v1/plans/{body['proposal_id']}/accept", headers=SECRETARIAT
        )
        assert twice.status_code == 409

        # Nobody may head a team: the planner names the rule.
        another = submitted("774", "procedures", "Quận 5 một cửa")
        await service.publish(another)
        await service.in_pool(another.initiative_id)
        for member in (await client.get("/api/v1/roster", headers=SECRETARIAT)).json():
            if member["may_head"]:
                answer = await client.delete(
                    f"/api/v1/roster/{member['member_id']}", headers=SECRETARIAT
                )
                assert answer.json()["active"] is False
        refused = await client.post(
            "/api/v1/plans", json={"campaign_year": 2023}, headers=SECRETARIAT
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["rule"] == "team_head"


async def test_roster_is_managed_over_http(database_url: str, amqp_url: str) -> None:
    async with running_service(database_url, amqp_url) as service:
        client = service.client
        member = {
            "member_id": "stnmt.le-van-binh",
            "name": "Lê Văn Bình",
            "honorific": "Ông",
            "position": "Phó Chánh Văn phòng Sở Tài nguyên và Môi trường",
            "agency_code": "STNMT",
            "expertise": ["procedures", "digital_government"],
        }
        created = await client.post("/api/v1/roster", json=member, headers=SECRETARIAT)
        assert created.status_code == 201, created.text
        duplicate = await client.post("/api/v1/roster", json=member, headers=SECRETARIAT)
        assert duplicate.status_code == 409
        bad = await client.post(
            "/api/v1/roster",
            json={**member, "member_id": "x.y", "expertise": ["cooking"], "agency_code": "XYZ"},
            headers=SECRETARIAT,
        )
        assert bad.status_code == 422
        assert {d["field"] for d in bad.json()["detail"]} == {"expertise[0]", "agency_code"}
        # A member declares their own days of leave; not someone else's.
        own = await client.put(
            "/api/v1/roster/stnmt.le-van-binh/unavailable",
            json={"unavailable": ["2023-07-03"]},
            headers=headers("surveyor", member="stnmt.le-van-binh"),
        )
        assert own.status_code == 200 and own.json()["unavailable"] == ["2023-07-03"]
        other = await client.put(
            f"/api/v1/roster/{HEAD}/unavailable",
            json={"unavailable": ["2023-07-03"]},
            headers=headers("surveyor", member="stnmt.le-van-binh"),
        )
        assert other.status_code == 403
        unknown = await client.get("/api/v1/roster/nobody", headers=SECRETARIAT)
        assert unknown.status_code == 404
        assert (await client.get("/api/v1/roster")).status_code == 401
