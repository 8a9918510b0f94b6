"""The messages of a round, composed from the events and built as MIME, parsed back with the
standard ``email`` library and ``icalendar``: Vietnamese subjects (RFC 2047), attachment
names with diacritics (RFC 2231), plain-text and HTML parts, and calendars whose update and
cancellation keep the UIDs and raise the SEQUENCE."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time
from email import message_from_bytes, message_from_string, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import compat32

from icalendar import Calendar

from cchc_notifications.domain.mail import FileAttachment, build_message
from cchc_notifications.domain.messages import Signature
from cchc_notifications.domain.model import Category, RecipientKind, Status
from cchc_notifications.domain.rounds import (
    RoundContext,
    round_cancelled,
    round_confirmed_or_changed,
)
from cchc_shared.contracts.events import RoundScheduledV1, TeamMember, Visit

SIGNATURE = Signature(
    "Phòng Cải cách hành chính, Sở Nội vụ Thành phố Hồ Chí Minh",
    "Số 86 Lê Thánh Tôn, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
    "cchc.snv@tphcm.gov.vn",
)
NOW = datetime(2023, 6, 1, 2, 0, tzinfo=UTC)
I1, I2 = uuid.uuid4(), uuid.uuid4()
V1, V2 = uuid.uuid4(), uuid.uuid4()


def a_round(
    version: int = 2, *, second_visit: bool = True, at: time = time(8, 0)
) -> RoundScheduledV1:
    visits = [
        Visit(
            visit_id=V1,
            initiative_id=I1,
            agency_code="SYT",
            date=date(2023, 6, 13),
            starts_at=at,
            place="Trụ sở Sở Y tế, 59 Nguyễn Thị Minh Khai, Quận 1",
        )
    ]
    if second_visit:
        visits.append(
            Visit(
                visit_id=V2,
                initiative_id=I2,
                agency_code="26740",
                date=date(2023, 6, 14),
                starts_at=time(14, 0),
            )
        )
    return RoundScheduledV1(
        round_id=uuid.UUID(int=7),
        campaign_year=2023,
        sequence=1,
        starts_on=date(2023, 6, 13),
        ends_on=date(2023, 6, 14),
        version=version,
        team=[
            TeamMember(
                member_id="snv.ngo-thi-hoang-cac",
                name="Ngô Thị Hoàng Các",
                role="head",
                agency_code="SNV",
                email="nthcac.snv@tphcm.gov.vn",
            ),
            TeamMember(
                member_id="stp.dang-van-loc",
                name="Đặng Văn Lộc",
                role="member",
                agency_code="STP",
            ),
        ],
        visits=visits,
    )


def context(cause: str = "/cchc/scheduling/e1", held: bool = False) -> RoundContext:
    return RoundContext(
        titles={I1: "Khám chữa bệnh bằng căn cước công dân gắn chíp", I2: "Một cửa số"},
        contacts={"SYT": "syt@tphcm.gov.vn", "26740": "ubnd.pbennghe.q1@tphcm.gov.vn"},
        signature=SIGNATURE,
        organizer=("Phòng CCHC - Sở Nội vụ", "cchc.snv@tphcm.gov.vn"),
        domain="cchc.hochiminhcity.gov.vn",
        visit_minutes=90,
        held=held,
        now=NOW,
        cause=cause,
    )


def parsed(n, documents: dict[str, bytes] | None = None) -> EmailMessage:  # type: ignore[no-untyped-def]
    files = [
        FileAttachment(
            a.filename,
            a.media_type,
            (documents or {}).get(a.source or "", b"%PDF-1.7 test")
            if a.source
            else (a.content or "").encode(),
            tuple(a.params.items()),
        )
        for a in n.content.attachments
    ]
    message = build_message(
        mail_from="Phòng Cải cách hành chính - Sở Nội vụ TP.HCM <cchc.snv@tphcm.gov.vn>",
        to=(n.recipient.name, n.recipient.email),
        subject=n.content.subject,
        text=n.content.text,
        html=n.content.html,
        attachments=files,
        message_id=f"<{n.notification_id}@cchc.hochiminhcity.gov.vn>",
        date=NOW,
    )
    raw = message.as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322 line limit
    raw.decode("ascii")  # 7-bit clean: every non-ASCII header is encoded
    back = message_from_bytes(raw, policy=policy.default)
    assert isinstance(back, EmailMessage)
    return back


def calendars(message: EmailMessage) -> list[Calendar]:
    return [
        Calendar.from_ical(part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]


def test_a_confirmed_round_tells_each_member_and_agency_once() -> None:
    found = round_confirmed_or_changed(a_round(), None, sequence=2, reason="", ctx=context())
    by = {(n.category, n.recipient.id): n for n in found}
    assert set(by) == {
        (Category.INVITATION, "snv.ngo-thi-hoang-cac"),
        (Category.INVITATION, "stp.dang-van-loc"),
        (Category.AGENCY_NOTICE, "SYT"),
        (Category.AGENCY_NOTICE, "26740"),
    }
    # A member without an address is recorded as refused, with the reason, not dropped.
    no_address = by[(Category.INVITATION, "stp.dang-van-loc")]
    assert no_address.status is Status.FAILED and "địa chỉ thư điện tử" in no_address.last_error
    assert by[(Category.AGENCY_NOTICE, "SYT")].status is Status.PENDING
    # The same cause gives the same ids; a review-held campaign holds them.
    again = round_confirmed_or_changed(
        a_round(), None, sequence=2, reason="", ctx=context(held=True)
    )
    assert [n.notification_id for n in again] == [n.notification_id for n in found]
    assert {n.status for n in again if n.recipient.email} == {Status.HELD}


def test_the_invitation_parses_back_with_its_pdf_and_calendar() -> None:
    found = round_confirmed_or_changed(a_round(), None, sequence=2, reason="", ctx=context())
    head = next(n for n in found if n.recipient.id == "snv.ngo-thi-hoang-cac")
    message = parsed(head)
    assert message["Subject"] == (
        "Giấy mời tham gia Đoàn khảo sát mô hình, giải pháp, sáng kiến CCHC đợt 1 năm 2023"
    )
    assert message["To"].addresses[0].display_name == "Ngô Thị Hoàng Các"
    assert message["To"].addresses[0].addr_spec == "nthcac.snv@tphcm.gov.vn"
    raw = message.as_string()
    assert "=?utf-8?" in raw.split("\n\n", 1)[0].lower()  # RFC 2047 encoded words
    # Decoded as RFC 2047 says (whitespace between encoded words dropped): no space lost.
    undecoded = message_from_string(raw, policy=compat32)
    assert str(make_header(decode_header(undecoded["From"]))) == (
        "Phòng Cải cách hành chính - Sở Nội vụ TP.HCM <cchc.snv@tphcm.gov.vn>"
    )
    assert str(make_header(decode_header(undecoded["Subject"]))) == message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi: Ngô Thị Hoàng Các," in text and "Trưởng đoàn" in text
    assert "Số 86 Lê Thánh Tôn" in text and "cchc.snv@tphcm.gov.vn" in text
    assert "Khám chữa bệnh bằng căn cước công dân gắn chíp" in html
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {
        "Giấy mời khảo sát đợt 1 năm 2023.pdf",
        "Lịch khảo sát đợt 1 năm 2023.ics",
    }
    assert re.search(r"filename\*(0\*)?=utf-8''Gi%E1%BA%A5y", raw)  # RFC 2231 names
    assert files["Giấy mời khảo sát đợt 1 năm 2023.pdf"].get_content().startswith(b"%PDF")
    (calendar,) = calendars(message)
    assert calendar["METHOD"] == "REQUEST"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        f"{V1}@cchc.hochiminhcity.gov.vn",
        f"{V2}@cchc.hochiminhcity.gov.vn",
    ]
    assert {int(e["SEQUENCE"]) for e in events} == {2}
    first = events[0]
    assert first.decoded("DTSTART") == datetime(2023, 6, 13, 1, 0, tzinfo=UTC)
    assert first["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(first["LOCATION"]) == "Trụ sở Sở Y tế, 59 Nguyễn Thị Minh Khai, Quận 1"
    assert str(events[1]["LOCATION"]).startswith("Trụ sở")  # no place given: the agency's office
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]


def test_a_change_keeps_the_uids_raises_the_sequence_and_cancels_what_left() -> None:
    before = a_round(version=2)
    after = a_round(version=3, second_visit=False, at=time(9, 45))
    found = round_confirmed_or_changed(
        after,
        before,
        sequence=3,
        reason="Đơn vị đề nghị lùi giờ",
        ctx=context("/cchc/scheduling/e2"),
    )
    by = {(n.category, n.recipient.id): n for n in found}
    head = parsed(by[(Category.INVITATION, "snv.ngo-thi-hoang-cac")])
    assert head["Subject"].startswith("[Điều chỉnh] Giấy mời")
    assert "Lý do điều chỉnh: Đơn vị đề nghị lùi giờ" in head.get_body(("plain",)).get_content()
    request, cancel = calendars(head)
    assert request["METHOD"] == "REQUEST" and cancel["METHOD"] == "CANCEL"
    (kept,) = request.walk("VEVENT")
    assert str(kept["UID"]) == f"{V1}@cchc.hochiminhcity.gov.vn" and int(kept["SEQUENCE"]) == 3
    assert kept.decoded("DTSTART") == datetime(2023, 6, 13, 2, 45, tzinfo=UTC)
    (gone,) = cancel.walk("VEVENT")
    assert str(gone["UID"]) == f"{V2}@cchc.hochiminhcity.gov.vn" and int(gone["SEQUENCE"]) == 3
    # The ward is no longer visited: it is told its visit is off.
    ward = by[(Category.ROUND_CANCELLED, "26740")]
    assert ward.recipient.kind is RecipientKind.AGENCY
    (calendar,) = calendars(parsed(ward))
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_a_cancellation_cancels_every_event_with_a_higher_sequence() -> None:
    found = round_cancelled(
        a_round(version=3), sequence=4, reason="Thay đổi kế hoạch", ctx=context()
    )
    assert {n.category for n in found} == {Category.ROUND_CANCELLED}
    assert len(found) == 4
    syt = parsed(next(n for n in found if n.recipient.id == "SYT"))
    assert syt["Subject"] == "Hủy lịch khảo sát mô hình, giải pháp, sáng kiến CCHC đợt 1 năm 2023"
    (calendar,) = calendars(syt)
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL" and int(event["SEQUENCE"]) == 4
    assert str(event["UID"]) == f"{V1}@cchc.hochiminhcity.gov.vn"
