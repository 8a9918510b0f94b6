"""Notices of a round, in Vietnamese: an invitation (GIẤY MỜI) to each team member, a notice
(THÔNG BÁO) to each surveyed agency asking for its report and confirming the schedule, both in
the layout of Nghị định 30/2020/NĐ-CP (DOCX and PDF through the shared document kit), and an
iCalendar file of each member's visits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from cchc_scheduling.domain.calendar import WorkingCalendar
from cchc_scheduling.domain.model import Member, PoolInitiative, Round, RoundStatus, TeamRole
from cchc_shared.documents import (
    AdministrativeDocument,
    Block,
    Bullets,
    Cell,
    Heading,
    Paragraph,
    SurveyPlan,
    Table,
    render_docx,
    render_pdf,
    vietnamese_date,
)
from cchc_shared.persistence.campaign_settings import CampaignSettings
from cchc_shared.reference import get_agency, par_area, unit_name

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ROLE_VI = {
    TeamRole.HEAD: "Trưởng đoàn",
    TeamRole.MEMBER: "Thành viên",
    TeamRole.SECRETARY: "Thư ký",
}
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
HOME_AGENCY = "SNV"  # the issuing Department: its own staff are invited in person
BLANK_NUMBER = "\u00a0" * 6  # the clerk (văn thư) writes the number when issuing


@dataclass(frozen=True)
class NoticeSettings:
    """Who signs, what the notices cite. ``plan_head_name`` is the head of the survey team the
    plan names; a round headed by anyone else cites ``head_assignment``, the Director's
    assignment (phân công) of that head (blank number and date until it is known)."""

    place: str = "Thành phố Hồ Chí Minh"
    signer_name: str = "Ngô Thị Hoàng Các"
    signer_authority: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    contact: str = "Phòng Cải cách hành chính, Sở Nội vụ"
    visit_minutes: int = 90
    plan_number: str = ""
    plan_signed_on: date | None = None
    plan_head_name: str = "Ngô Thị Hoàng Các"
    head_assignment: str = ""

    def plan(self, year: int, campaign: CampaignSettings | None = None) -> SurveyPlan:
        """The plan as the campaign names it; these settings only for a campaign that names
        none."""
        if campaign is not None and campaign.plan_number:
            return SurveyPlan(year, campaign.plan_number, campaign.plan_signed_on)
        return SurveyPlan(year, self.plan_number, self.plan_signed_on)

    @property
    def assignment(self) -> str:
        return self.head_assignment or (
            "Văn bản số \u00a0\u00a0\u00a0\u00a0/SNV-CCHC của Giám đốc Sở Nội vụ về phân công "
            "Trưởng đoàn khảo sát"
        )


@dataclass(frozen=True)
class NoticeData:
    """What a round's notices need: the round, the roster, the initiatives visited."""

    round: Round
    members: Mapping[str, Member]
    initiatives: Mapping[UUID, PoolInitiative]
    calendar: WorkingCalendar
    settings: NoticeSettings = NoticeSettings()
    campaign: CampaignSettings | None = None  # as intake announced it

    @property
    def plan(self) -> SurveyPlan:
        return self.settings.plan(self.round.campaign_year, self.campaign)

    @property
    def sequence_text(self) -> str:
        return str(self.round.sequence) if self.round.sequence else "(dự kiến)"

    @property
    def issued_on(self) -> date | None:
        confirmed = self.round.confirmed_at
        return confirmed.astimezone(VIETNAM).date() if confirmed else None


def agency_name(code: str, *, in_text: bool = False) -> str:
    """The agency's full name: a ward with its district ("Phường 8, Quận 3"), lower case
    inside a sentence where ND30 writes it so ("phường Bến Nghé, Quận 1")."""
    return unit_name(code, in_text=in_text)


def agency_addressee(code: str) -> str:
    """How a notice addresses an agency: a People's Committee for a district or ward."""
    agency = get_agency(code)
    return agency.addressee if agency else code


def day_text(day: date) -> str:
    """ "Thứ Hai, 10/07/2023": the weekday may wrap in a narrow cell, the date never does."""
    return f"{WEEKDAYS_VI[day.weekday()]}, {day.strftime('%d/%m/%Y')}"


def hour_text(at: time) -> str:
    """ "08 giờ 00", held together by no-break spaces so a table cell never splits it."""
    return f"{at:%H}\u00a0giờ\u00a0{at:%M}"


def _initiative_title(data: NoticeData, initiative_id: UUID) -> str:
    found = data.initiatives.get(initiative_id)
    return found.title if found else str(initiative_id)


def _team_lines(data: NoticeData) -> list[str]:
    lines = []
    seats = sorted(data.round.team, key=lambda s: list(TeamRole).index(s.role))
    for seat in seats:
        member = data.members.get(seat.member_id)
        if member is None:
            continue
        lines.append(f"{ROLE_VI[seat.role]}: {member.honorific} {member.name}, {member.position}")
    return lines


def _head(data: NoticeData) -> Member | None:
    seat = next((s for s in data.round.team if s.role is TeamRole.HEAD), None)
    return data.members.get(seat.member_id) if seat else None


def _grounds(data: NoticeData) -> list[Block]:
    """What the notice rests on: the plan, and the assignment of a head the plan does not
    name."""
    blocks: list[Block] = [Paragraph(f"Căn cứ {data.plan.citation};")]
    head = _head(data)
    if head is not None and head.name != data.settings.plan_head_name:
        blocks.append(
            Paragraph(
                f"Căn cứ {data.settings.assignment}, theo đó {head.honorific} {head.name}, "
                f"{head.position}, làm Trưởng đoàn khảo sát đợt {data.sequence_text};"
            )
        )
    return blocks


def _signer(data: NoticeData, addressee: Member | None = None) -> tuple[str, str, str]:
    """(authority, title, name) of the signature. Nobody signs an invitation to themselves:
    another Deputy Director of the Department signs it instead."""
    settings = data.settings
    if addressee is None or addressee.name != settings.signer_name:
        return settings.signer_authority, settings.signer_title, settings.signer_name
    deputies = sorted(
        (
            m
            for m in data.members.values()
            if m.agency_code == HOME_AGENCY
            and m.may_head
            and m.active
            and m.member_id != addressee.member_id
        ),
        key=lambda m: m.member_id,
    )
    if deputies:
        return settings.signer_authority, settings.signer_title, deputies[0].name
    return "", "GIÁM ĐỐC", ""


def _document(
    data: NoticeData,
    kind: str,
    title: str,
    number: str,
    body: list[Block],
    *,
    addressee: Member | None = None,
    **kw: object,
) -> AdministrativeDocument:
    settings = data.settings
    authority, signer_title, signer_name = _signer(data, addressee)
    return AdministrativeDocument(
        kind=kind,
        title=title,
        number=number,
        issued_on=data.issued_on,
        body=body,
        signer_authority=authority,
        signer_title=signer_title,
        signer_name=signer_name,
        place=settings.place,
        year=data.round.campaign_year,
        **kw,  # type: ignore[arg-type]
    )


def invitation(data: NoticeData, member_id: str) -> AdministrativeDocument:
    """GIẤY MỜI to one team member: the round's role, schedule and team. A member of the
    Department is invited in person; a member from another agency through that agency, which
    is asked to send them."""
    round_ = data.round
    member = data.members[member_id]
    seat = next(s for s in round_.team if s.member_id == member_id)
    year = round_.campaign_year
    rows: list[list[Cell]] = [
        [
            i,
            day_text(v.date),
            hour_text(v.starts_at),
            agency_name(v.agency_code),
            _initiative_title(data, v.initiative_id),
            v.place,
        ]
        for i, v in enumerate(sorted(round_.visits, key=lambda v: (v.date, v.starts_at)), 1)
    ]
    person = f"{member.honorific} {member.name}, {member.position}"
    own_staff = member.agency_code == HOME_AGENCY or get_agency(member.agency_code) is None
    work = (
        f"tham gia Đoàn khảo sát các mô hình, giải pháp, sáng kiến cải cách hành chính năm {year} "
        f"(đợt {data.sequence_text}) với vai trò {ROLE_VI[seat.role]}"
    )
    invite = (
        f"Sở Nội vụ trân trọng kính mời {person}, {work}."
        if own_staff
        else f"Sở Nội vụ trân trọng kính mời {agency_name(member.agency_code)} cử {person}, {work}."
    )
    body: list[Block] = [
        *_grounds(data),
        Paragraph(invite),
        Heading("1. Thời gian, địa điểm khảo sát", level=2),
        Table(
            [
                "STT",
                "Ngày",
                "Giờ",
                "Đơn vị được khảo sát",
                "Mô hình, giải pháp, sáng kiến",
                "Địa điểm",
            ],
            rows,
            column_widths=(0.6, 2, 1.2, 2.4, 3.4, 2.4),
        ),
        Heading("2. Thành phần Đoàn khảo sát", level=2),
        Bullets(_team_lines(data)),
        Paragraph(
            f"Đầu mối liên hệ: {data.settings.contact}. Thông tin chi tiết về từng mô hình, "
            "giải pháp, sáng kiến được gửi kèm theo Giấy mời này."
        ),
        Paragraph(
            f"Rất mong {member.honorific} sắp xếp thời gian tham dự đầy đủ, đúng thành phần./."
            if own_staff
            else f"Rất mong {agency_name(member.agency_code)} quan tâm, cử {member.honorific} "
            f"{member.name} tham dự đầy đủ, đúng thành phần./."
        ),
    ]
    title = (
        f"Tham gia Đoàn khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính năm {year} "
        f"(đợt {data.sequence_text})"
    )
    return _document(
        data,
        "GIẤY MỜI",
        title,
        BLANK_NUMBER + "/GM-SNV",
        body,
        addressee=member,
        recipients=[person if own_staff else agency_name(member.agency_code)],
        copies_to=[
            "Như trên",
            *([] if own_staff else [f"{person} (để thực hiện)"]),
            "Giám đốc Sở (để báo cáo)",
            "Lưu: VT, CCHC",
        ],
    )


def agency_notice(data: NoticeData, agency_code: str) -> AdministrativeDocument:
    """THÔNG BÁO to one surveyed agency: the schedule, the team, and what to prepare."""
    round_ = data.round
    year = round_.campaign_year
    mine = sorted(
        (v for v in round_.visits if v.agency_code == agency_code),
        key=lambda v: (v.date, v.starts_at),
    )
    if not mine:
        raise KeyError(agency_code)
    first = mine[0].date
    confirm_by = first - timedelta(days=1)
    for _ in range(3):  # three working days ahead of the first visit
        confirm_by -= timedelta(days=1)
        while not data.calendar.is_working_day(confirm_by):
            confirm_by -= timedelta(days=1)
    rows: list[list[Cell]] = []
    for i, v in enumerate(mine, 1):
        initiative = data.initiatives.get(v.initiative_id)
        area = par_area(initiative.par_area) if initiative else None
        rows.append(
            [
                i,
                day_text(v.date),
                hour_text(v.starts_at),
                _initiative_title(data, v.initiative_id),
                area.name if area else "",
                v.place,
            ]
        )
    addressee = agency_addressee(agency_code)
    body: list[Block] = [
        *_grounds(data),
        Paragraph(
            "Sở Nội vụ phối hợp với Tổ công tác Ban Chỉ đạo Cải cách hành chính Thành phố "
            f"thông báo lịch khảo sát thực tế việc áp dụng mô hình, giải pháp, sáng kiến cải "
            f"cách hành chính tại {agency_name(agency_code, in_text=True)} "
            f"(đợt {data.sequence_text}) như sau:"
        ),
        Heading("1. Thời gian, địa điểm và nội dung khảo sát", level=2),
        Table(
            ["STT", "Ngày", "Giờ", "Mô hình, giải pháp, sáng kiến", "Lĩnh vực", "Địa điểm"],
            rows,
            column_widths=(0.6, 2, 1.2, 3.6, 2.4, 2.4),
        ),
        Heading("2. Thành phần Đoàn khảo sát", level=2),
        Bullets(_team_lines(data)),
        Heading("3. Đề nghị đơn vị", level=2),
        Bullets(
            [
                "Chuẩn bị báo cáo đầy đủ các nội dung của mô hình, giải pháp, sáng kiến: kết "
                "quả đạt được, những mặt còn hạn chế, khó khăn, vướng mắc trong quá trình "
                "áp dụng;",
                "Bố trí lãnh đạo đơn vị và bộ phận trực tiếp thực hiện làm việc với Đoàn khảo "
                "sát; chuẩn bị địa điểm để Đoàn khảo sát trực tiếp tại nơi áp dụng;",
                f"Xác nhận lịch làm việc và gửi báo cáo về Sở Nội vụ (qua {data.settings.contact}) "
                f"trước {vietnamese_date(confirm_by)}.",
            ]
        ),
        Paragraph("Sở Nội vụ thông báo để đơn vị biết, phối hợp thực hiện./."),
    ]
    copies = ["Như trên"]
    agency = get_agency(agency_code)
    if agency is not None and agency.is_commune_level and agency.parent_code:
        copies.append(f"{agency_addressee(agency.parent_code)} (để phối hợp)")
    copies += ["Thành viên Đoàn khảo sát", "Lưu: VT, CCHC"]
    title = (
        f"Lịch khảo sát mô hình, giải pháp, sáng kiến cải cách hành chính năm {year} "
        f"tại {agency_name(agency_code, in_text=True)}"
    )
    return _document(
        data,
        "THÔNG BÁO",
        title,
        BLANK_NUMBER + "/TB-SNV",
        body,
        recipients=[addressee],
        copies_to=copies,
    )


def render(document: AdministrativeDocument, file_format: str) -> bytes:
    return render_pdf(document) if file_format == "pdf" else render_docx(document)


def member_calendar(data: NoticeData, member_id: str) -> bytes:
    """An iCalendar file of the member's visits in the round (cancelled visits say so)."""
    round_ = data.round
    seat = next(s for s in round_.team if s.member_id == member_id)
    calendar = Calendar()
    calendar.add("prodid", "-//So Noi vu TP.HCM//CCHC lich khao sat//VI")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Khảo sát CCHC đợt {data.sequence_text}")
    for visit in sorted(round_.visits, key=lambda v: (v.date, v.starts_at)):
        start = datetime.combine(visit.date, visit.starts_at, tzinfo=VIETNAM)
        event = Event()
        event.add("uid", f"{visit.visit_id}.{member_id}@cchc.hochiminhcity.gov.vn")
        event.add("dtstamp", round_.confirmed_at or datetime.now(VIETNAM))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=data.settings.visit_minutes))
        event.add("summary", f"Khảo sát sáng kiến CCHC – {agency_name(visit.agency_code)}")
        event.add("location", visit.place)
        event.add(
            "description",
            f"{_initiative_title(data, visit.initiative_id)}\n"
            f"Vai trò: {ROLE_VI[seat.role]} – Đoàn khảo sát đợt {data.sequence_text}",
        )
        event.add("sequence", round_.version)
        event.add("status", "CANCELLED" if round_.status is RoundStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
