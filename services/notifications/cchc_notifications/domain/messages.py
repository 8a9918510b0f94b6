"""The Vietnamese messages: subject, plain text and HTML of each kind of notification, each
ending with the Department's signature block (its address and contact e-mail, as in the plan).
Pure functions of what the events carried."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

from cchc_notifications.domain.calendar import CalendarVisit
from cchc_notifications.domain.model import Attachment, Content

WEEKDAYS_VI: Final = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
ROLES_VI: Final = {"head": "Trưởng đoàn", "member": "Thành viên", "secretary": "Thư ký"}
DECISIONS_VI: Final = {
    "replicate": "được đề xuất Ủy ban nhân dân Thành phố công nhận và nhân rộng",
    "improve": "cần tiếp tục hoàn thiện trước khi xem xét nhân rộng",
    "not_recommended": "chưa được đề xuất nhân rộng",
}
SCOPES_VI: Final = {
    "city_wide": "toàn Thành phố",
    "district_level": "cấp quận, huyện",
    "commune_level": "cấp phường, xã, thị trấn",
    "sector": "trong ngành, lĩnh vực",
}
# The content fields of a proposal by their event names, in the words of the portal's form.
FIELD_LABELS_VI: Final = {
    "kind": "Loại đề xuất",
    "title": "Tên đề xuất",
    "summary": "Tóm tắt nội dung",
    "par_area": "Lĩnh vực cải cách hành chính",
    "applied_since": "Áp dụng từ ngày",
    "results": "Kết quả đạt được",
    "limitations": "Hạn chế, khó khăn",
}
CALENDAR: Final = "text/calendar"
PDF: Final = "application/pdf"


@dataclass(frozen=True)
class Signature:
    department: str
    address: str
    email: str

    def lines(self) -> list[str]:
        return [
            "Trân trọng,",
            self.department,
            f"Địa chỉ: {self.address}",
            f"Thư điện tử: {self.email}",
        ]


@dataclass(frozen=True)
class Body:
    """A message's paragraphs, each a line or a list of items, rendered twice."""

    greeting: str
    paragraphs: tuple[str | tuple[str, ...], ...]

    def text(self, signature: Signature) -> str:
        out = [self.greeting, ""]
        for paragraph in self.paragraphs:
            if isinstance(paragraph, tuple):
                out.extend(f"  - {item}" for item in paragraph)
            else:
                out.append(paragraph)
            out.append("")
        out.append("-- ")
        out.extend(signature.lines())
        return "\n".join(out) + "\n"

    def html(self, signature: Signature) -> str:
        parts = [f"<p>{escape(self.greeting)}</p>"]
        for paragraph in self.paragraphs:
            if isinstance(paragraph, tuple):
                items = "".join(f"<li>{escape(item)}</li>" for item in paragraph)
                parts.append(f"<ul>{items}</ul>")
            else:
                parts.append(f"<p>{escape(paragraph)}</p>")
        sign = "<br>".join(escape(line) for line in signature.lines())
        parts.append(f'<p style="color:#444;border-top:1px solid #ccc;padding-top:8px">{sign}</p>')
        return (
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>'
            f'<body style="font-family:Arial,sans-serif;line-height:1.5">{"".join(parts)}'
            "</body></html>\n"
        )


def round_label(sequence: int, year: int) -> str:
    return f"đợt {sequence} năm {year}"


def visit_line(visit: CalendarVisit, *, with_agency: bool = True) -> str:
    day = f"{WEEKDAYS_VI[visit.day.weekday()]}, ngày {visit.day:%d/%m/%Y}"
    where = f"; địa điểm: {visit.place}" if visit.place else ""
    agency = f"{visit.agency_name} – " if with_agency else ""
    return f"{day}, lúc {visit.starts_at:%H:%M}: {agency}{visit.initiative_title}{where}"


def _content(
    subject: str, body: Body, signature: Signature, attachments: Sequence[Attachment] = ()
) -> Content:
    return Content(subject, body.text(signature), body.html(signature), tuple(attachments))


def calendar_attachment(filename: str, ics: str, method: str) -> Attachment:
    return Attachment(filename, CALENDAR, content=ics, params={"method": method})


def _prefix(update: bool) -> str:
    return "[Điều chỉnh] " if update else ""


def _round_files(
    pdf_name: str, label: str, document: str, calendar: str, withdrawn: str | None
) -> list[Attachment]:
    """A round's notice: its PDF (fetched from ``document`` when sent), the calendar of the
    recipient's visits and, after a change, the cancellation of those it no longer has."""
    files = [
        Attachment(pdf_name, PDF, source=document),
        calendar_attachment(f"Lịch khảo sát {label}.ics", calendar, "REQUEST"),
    ]
    if withdrawn:
        files.append(calendar_attachment(f"Hủy buổi khảo sát {label}.ics", withdrawn, "CANCEL"))
    return files


def invitation(
    *,
    name: str,
    role: str,
    label: str,
    visits: Sequence[CalendarVisit],
    update: bool,
    reason: str,
    document: str,
    calendar: str,
    withdrawn: str | None,
    signature: Signature,
) -> Content:
    """The Giấy mời to a team member (``document``: the API path of its PDF)."""
    lead = (
        f"Lịch khảo sát {label} đã được điều chỉnh. Sở Nội vụ gửi lại Giấy mời và lịch "
        "làm việc đã cập nhật (thay thế lịch đã gửi trước đây)."
        if update
        else f"Sở Nội vụ trân trọng kính mời tham gia Đoàn khảo sát các mô hình, giải pháp, "
        f"sáng kiến về công tác cải cách hành chính {label}."
    )
    paragraphs: list[str | tuple[str, ...]] = [
        lead,
        f"Vai trò trong Đoàn: {ROLES_VI.get(role, role)}.",
    ]
    if update and reason:
        paragraphs.append(f"Lý do điều chỉnh: {reason}")
    paragraphs.append("Lịch làm việc:")
    paragraphs.append(tuple(visit_line(v) for v in visits) or ("(không còn buổi khảo sát nào)",))
    paragraphs.append(
        "Giấy mời (PDF) và lịch (tệp .ics, mở bằng ứng dụng lịch) được đính kèm thư này."
    )
    return _content(
        f"{_prefix(update)}Giấy mời tham gia Đoàn khảo sát mô hình, giải pháp, sáng kiến CCHC "
        f"{label}",
        Body(f"Kính gửi: {name},", tuple(paragraphs)),
        signature,
        _round_files(f"Giấy mời khảo sát {label}.pdf", label, document, calendar, withdrawn),
    )


def agency_notice(
    *,
    agency_name: str,
    label: str,
    visits: Sequence[CalendarVisit],
    update: bool,
    reason: str,
    document: str,
    calendar: str,
    withdrawn: str | None,
    signature: Signature,
) -> Content:
    """The Thông báo to a surveyed agency: its visits, the report to prepare."""
    lead = (
        f"Lịch khảo sát {label} tại đơn vị đã được điều chỉnh; Sở Nội vụ gửi lại Thông báo "
        "và lịch làm việc đã cập nhật."
        if update
        else f"Sở Nội vụ thông báo lịch khảo sát {label} đối với mô hình, giải pháp, sáng kiến "
        "về cải cách hành chính do đơn vị đề xuất."
    )
    paragraphs: list[str | tuple[str, ...]] = [lead]
    if update and reason:
        paragraphs.append(f"Lý do điều chỉnh: {reason}")
    paragraphs.append("Thời gian, địa điểm làm việc với Đoàn khảo sát:")
    paragraphs.append(
        tuple(visit_line(v, with_agency=False) for v in visits)
        or ("(không còn buổi khảo sát nào)",)
    )
    paragraphs.append(
        "Đề nghị đơn vị chuẩn bị báo cáo kết quả thực hiện (nội dung, kết quả đạt được, hạn chế), "
        "bố trí thành phần làm việc và xếp lịch làm việc với Đoàn khảo sát."
    )
    paragraphs.append("Thông báo (PDF) và lịch (tệp .ics) được đính kèm thư này.")
    return _content(
        f"{_prefix(update)}Thông báo lịch khảo sát mô hình, giải pháp, sáng kiến CCHC {label}",
        Body(f"Kính gửi: {agency_name},", tuple(paragraphs)),
        signature,
        _round_files(f"Thông báo khảo sát {label}.pdf", label, document, calendar, withdrawn),
    )


def cancellation(
    *, name: str, label: str, reason: str, calendar: str, signature: Signature, left: bool
) -> Content:
    """The round is cancelled, or (``left``) the recipient is no longer part of it."""
    lead = (
        f"Sở Nội vụ thông báo lịch khảo sát {label} đã được điều chỉnh: quý vị không còn "
        "tham gia các buổi làm việc đã thông báo trước đây."
        if left
        else f"Sở Nội vụ thông báo hủy lịch khảo sát {label}; các buổi làm việc đã thông báo "
        "sẽ không diễn ra."
    )
    paragraphs: list[str | tuple[str, ...]] = [lead]
    if reason:
        paragraphs.append(f"Lý do: {reason}")
    paragraphs.append("Tệp lịch đính kèm gỡ các buổi khảo sát khỏi lịch của quý vị.")
    return _content(
        f"{'Điều chỉnh' if left else 'Hủy'} lịch khảo sát mô hình, giải pháp, sáng kiến CCHC "
        f"{label}",
        Body(f"Kính gửi: {name},", tuple(paragraphs)),
        signature,
        [calendar_attachment(f"Hủy lịch khảo sát {label}.ics", calendar, "CANCEL")],
    )


def decision(
    *,
    agency_name: str,
    title: str,
    year: int,
    outcome: str,
    scope: str | None,
    final_score: float,
    rationale: str,
    signature: Signature,
) -> Content:
    result = DECISIONS_VI.get(outcome, outcome)
    where = f" (phạm vi nhân rộng: {SCOPES_VI[scope]})" if scope in SCOPES_VI else ""
    return _content(
        f"Kết quả xét chọn sáng kiến CCHC năm {year}: {title}",
        Body(
            f"Kính gửi: {agency_name},",
            (
                f"Sở Nội vụ thông báo kết quả xét chọn đối với đề xuất «{title}» của đơn vị: "
                f"{result}{where}.",
                f"Điểm đánh giá tổng hợp của Đoàn khảo sát: {final_score:.1f}/100.",
                f"Lý do: {rationale}",
            ),
        ),
        signature,
    )


def evaluation_reminder(
    *, name: str, label: str, visit: CalendarVisit, days: int, signature: Signature
) -> Content:
    return _content(
        f"Nhắc việc: chưa có phiếu đánh giá sau buổi khảo sát ngày {visit.day:%d/%m/%Y}",
        Body(
            f"Kính gửi: {name},",
            (
                f"Buổi khảo sát {label} đã diễn ra hơn {days} ngày nhưng hệ thống chưa nhận "
                "được phiếu đánh giá của quý vị:",
                (visit_line(visit),),
                "Đề nghị quý vị ghi nhận phiếu đánh giá trên Cổng thông tin khảo sát CCHC.",
            ),
        ),
        signature,
    )


def draft_reminder(
    *,
    agency_name: str,
    title: str | None,
    year: int,
    closes_on: date,
    today: date,
    missing: Sequence[str],
    signature: Signature,
) -> Content:
    """To an agency whose draft is still unsubmitted as the submission window closes."""
    what = (
        f"Hồ sơ đề xuất «{title}» của đơn vị đang"
        if title
        else "Đơn vị có một hồ sơ đề xuất (chưa đặt tên) đang"
    )
    left = (closes_on - today).days
    when = "hôm nay là ngày cuối cùng" if left <= 0 else f"còn {left} ngày"
    paragraphs: list[str | tuple[str, ...]] = [
        f"{what} được lưu ở dạng bản nháp và chưa được gửi đến Sở Nội vụ.",
        f"Thời hạn tiếp nhận đề xuất mô hình, giải pháp, sáng kiến về cải cách hành chính năm "
        f"{year} kết thúc vào ngày {closes_on:%d/%m/%Y} ({when}).",
    ]
    if missing:
        paragraphs.append("Các nội dung bắt buộc còn thiếu:")
        paragraphs.append(tuple(FIELD_LABELS_VI.get(name, name) for name in missing))
    else:
        paragraphs.append(
            "Hồ sơ đã có đủ các nội dung bắt buộc; đơn vị chỉ cần kiểm tra lại và gửi."
        )
    paragraphs.append(
        "Đề nghị đơn vị hoàn thiện và gửi hồ sơ trên Cổng thông tin khảo sát CCHC trước thời "
        "hạn nêu trên; sau thời hạn này, hồ sơ không còn được tiếp nhận. Trường hợp đơn vị "
        "không tiếp tục đề xuất, đề nghị xóa bản nháp."
    )
    return _content(
        f"Nhắc nộp hồ sơ đề xuất mô hình, giải pháp, sáng kiến CCHC năm {year}: "
        f"hạn cuối ngày {closes_on:%d/%m/%Y}",
        Body(f"Kính gửi: {agency_name},", tuple(paragraphs)),
        signature,
    )


def digest(*, name: str, items: Sequence[Content], signature: Signature) -> Content:
    return _content(
        f"Tổng hợp thông báo khảo sát CCHC ({len(items)} nội dung)",
        Body(
            f"Kính gửi: {name},",
            (
                "Theo lựa chọn nhận thư tổng hợp của quý vị, Sở Nội vụ gửi các thông báo sau:",
                tuple(item.subject for item in items),
                *(item.text.split("\n-- \n", 1)[0] for item in items),
            ),
        ),
        signature,
    )
